// Resolved through the library's own import map (a scope of the ephemeral config).
export const exclaim = (s: string): string => `${s}!`;
