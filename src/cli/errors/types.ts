/** A user-facing error: one message, an optional cause chain, and hint lines ("what to do"). */
export interface RenderedError {
  message: string;
  causes?: string[];
  hints?: string[];
  /** The file (absolute) and 1-based line the error is about, where known: --json carries them. */
  file?: string;
  line?: number;
}
