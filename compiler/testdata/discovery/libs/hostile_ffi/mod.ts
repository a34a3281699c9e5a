// Hostile: loads a native library at import time.
export const lib = Deno.dlopen("libc.so.6", {});
