// One import site for neverthrow, so modules agree on the Result flavour.
export { ok, err, okAsync, errAsync, Result, ResultAsync, safeTry } from "neverthrow";
export type { Ok, Err } from "neverthrow";

/** Message of anything caught, for wrapping foreign exceptions into typed errors. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** errno code of a Node/Bun system error ("ENOENT", "EEXIST"...), or undefined. */
export function codeOf(e: unknown): string | undefined {
  if (typeof e === "object" && e !== null && "code" in e && typeof (e as { code: unknown }).code === "string") {
    return (e as { code: string }).code;
  }
  return undefined;
}
