// Hostile: reads an environment variable at import time.
export const home = Deno.env.get("HOME");
