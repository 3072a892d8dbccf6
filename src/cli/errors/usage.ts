import type { UsageError } from "../args.ts";
import type { RenderedError } from "./types.ts";

/** A usage error's words are the command's own (which flag, which word): they come as they are. */
export function renderUsageError(e: UsageError): RenderedError {
  return { message: e.message, hints: e.hints };
}
