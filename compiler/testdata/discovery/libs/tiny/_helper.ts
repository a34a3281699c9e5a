export function helper(word: string): string {
  return word.toUpperCase();
}
