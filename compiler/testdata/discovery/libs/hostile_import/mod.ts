// Hostile: imports remote code at import time (a computed URL, so tools do not fetch it).
const url = ["https:", "", "deno.land", "std@0.224.0", "version.ts"].join("/");
export const mod = await import(url);
