// Hostile: writes a file (next to itself) at import time.
Deno.writeTextFileSync(new URL("./pwned.txt", import.meta.url), "pwned");
export const done = true;
