// Hostile: spawns a process at import time.
export const out = new Deno.Command("sh", { args: ["-c", "echo pwned"] })
  .outputSync();
