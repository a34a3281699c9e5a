// Hostile: opens a TCP socket at import time.
export const conn = await Deno.connect({ hostname: "127.0.0.1", port: 9 });
