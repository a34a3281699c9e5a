// Hostile: reads system information at import time.
export const host = Deno.hostname();
