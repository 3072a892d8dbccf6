/**
 * Read a child's output stream to its end, calling onLine for each non-blank line (CR, LF or
 * CRLF ended; progress bars redraw with a bare CR) and onChunk with the raw bytes first.
 */
export async function forEachLine(
  stream: ReadableStream<Uint8Array>,
  onLine: (line: string) => void,
  onChunk: (chunk: Uint8Array) => void = () => {},
): Promise<void> {
  const decoder = new TextDecoder();
  let partial = "";
  for await (const chunk of stream) {
    onChunk(chunk);
    partial += decoder.decode(chunk, { stream: true });
    const lines = partial.split(/\r?\n|\r/);
    partial = lines.pop() ?? "";
    for (const line of lines) if (line.trim()) onLine(line);
  }
  if (partial.trim()) onLine(partial);
}
