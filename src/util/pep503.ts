/** PEP 503 normalised project name: `Flash_Attn`, `flash.attn` and `flash-attn` are one package. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}
