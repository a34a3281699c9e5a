// Hostile: reads a file outside its folder at import time.
export const secret = Deno.readTextFileSync("/etc/hostname");
