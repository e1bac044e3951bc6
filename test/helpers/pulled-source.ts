/** A raw mail as a network stream delivers it, for the parse tests: chunks pulled on demand. */
import { Readable } from 'node:stream';

/** How the source hands `raw` out. */
export interface PulledSourceOptions {
  /** The size of each chunk, and the stream's buffer (16 KiB by default). */
  readonly chunk?: number;
  /** Hands out nothing past this byte until `release()` is called (a network stream whose next bytes are late). */
  readonly pauseAt?: number;
}

/**
 * `raw` in chunks (16 KiB by default) pulled on demand; counts the bytes handed out and tells
 * whether it was destroyed.
 */
export function pulledSource(raw: Buffer, options: PulledSourceOptions = {}): { stream: Readable; pulled(): number; destroyed(): boolean; release(): void } {
  const size = options.chunk ?? 16 * 1024;
  let offset = 0;
  /** Nothing past this byte is handed out (until `release()`). */
  let limit = options.pauseAt ?? Number.POSITIVE_INFINITY;
  let waiting = false;
  const give = (stream: Readable) => {
    if (offset >= raw.length) return void stream.push(null);
    const end = Math.min(offset + size, limit);
    if (end <= offset) {
      waiting = true;
      return;
    }
    const chunk = raw.subarray(offset, end);
    offset += chunk.length;
    stream.push(chunk);
  };
  const stream = new Readable({
    highWaterMark: size,
    read() {
      give(this);
    },
  });
  return {
    stream,
    pulled: () => offset,
    destroyed: () => stream.destroyed,
    release() {
      limit = Number.POSITIVE_INFINITY;
      if (!waiting) return;
      waiting = false;
      give(stream);
    },
  };
}
