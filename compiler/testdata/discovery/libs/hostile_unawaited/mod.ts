// Hostile: opens a TCP socket at import time without awaiting it (fire and forget), so the
// denial arrives as an unhandled rejection after the module has finished loading.
Deno.connect({ hostname: "127.0.0.1", port: 9 }).then((c) => c.close());
export const nothing = 0;
