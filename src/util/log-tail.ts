/** The last `n` non-empty lines of a text. */
export function lastLines(text: string, n: number): string[] {
  const lines = text.split(/\r?\n|\r/).filter((l) => l.trim() !== "");
  return lines.slice(-n);
}
