// Starts an operation at import time without awaiting it: with read permission only, the
// socket is denied and the rejection arrives after the module has finished loading.
Deno.connect({ hostname: "127.0.0.1", port: 9 }).then((c) => c.close());
export const nothing = 0;
