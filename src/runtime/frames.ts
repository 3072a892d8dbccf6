import { pack, unpack } from "msgpackr";
import { err, ok, type Result, messageOf } from "../util/result.ts";

/** Control frames between the bridge and the supervisor: 4-byte big-endian length + msgpack. */
export const MAX_CONTROL_FRAME = 16 * 1024 * 1024;

export type FrameError = { kind: "frame-too-large"; size: number } | { kind: "bad-msgpack"; message: string };

export function encodeFrame(value: unknown): Uint8Array {
  const body = pack(value);
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, false);
  out.set(body, 4);
  return out;
}

/** Accumulates bytes from a stream and yields whole decoded frames. */
export class FrameReader {
  private buf = new Uint8Array(0);

  push(chunk: Uint8Array): Result<unknown[], FrameError> {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf);
    joined.set(chunk, this.buf.length);
    this.buf = joined;
    const frames: unknown[] = [];
    while (this.buf.length >= 4) {
      const n = new DataView(this.buf.buffer, this.buf.byteOffset, 4).getUint32(0, false);
      if (n > MAX_CONTROL_FRAME) return err({ kind: "frame-too-large", size: n });
      if (this.buf.length < 4 + n) break;
      const body = this.buf.subarray(4, 4 + n);
      this.buf = this.buf.subarray(4 + n);
      try {
        frames.push(unpack(body));
      } catch (e) {
        return err({ kind: "bad-msgpack", message: messageOf(e) });
      }
    }
    return ok(frames);
  }
}
