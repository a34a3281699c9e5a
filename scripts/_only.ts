/**
 * `--only a,b` of the bench and stress scripts.
 *
 * @module
 */

/**
 * The names listed in an `--only` value, or every choice when there is none. An unknown
 * name is a usage error: it is printed with the choices and the process exits with 2.
 *
 * @param tool Script name, prefixed to the message (`bench`).
 * @param what What a name names, for the message (`section`).
 * @param value The `--only` value, comma-separated.
 * @param choices The known names.
 * @returns The names to run.
 */
export function onlyOf<T extends string>(
  tool: string,
  what: string,
  value: string | undefined,
  choices: readonly T[],
): Set<T> {
  if (!value) return new Set(choices);
  return new Set(
    value.split(",").map((name) => {
      if (!(choices as readonly string[]).includes(name)) {
        console.error(
          `${tool}: unknown ${what} '${name}'; choose from ${
            choices.join(", ")
          }`,
        );
        Deno.exit(2);
      }
      return name as T;
    }),
  );
}
