// Hostile: reads a file of the linked checkout (the compiler package: not one task code may use).
export const text = Deno.readTextFileSync(
  new URL("../../../../deno.json", import.meta.url),
);
