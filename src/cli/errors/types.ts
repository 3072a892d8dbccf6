/** A user-facing error: one message, an optional cause chain, and hint lines ("what to do"). */
export interface RenderedError {
  message: string;
  causes?: string[];
  hints?: string[];
}
