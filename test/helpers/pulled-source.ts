/** A raw mail as a network stream delivers it, for the parse tests: chunks pulled on demand. */
import { Readable } from 'node:stream';

/** `raw` in 16 KiB chunks pulled on demand; counts the bytes handed out and tells whether it was destroyed. */
export function pulledSource(raw: Buffer): { stream: Readable; pulled(): number; destroyed(): boolean } {
  let offset = 0;
  const stream = new Readable({
    highWaterMark: 16 * 1024,
    read() {
      if (offset >= raw.length) return void this.push(null);
      const chunk = raw.subarray(offset, offset + 16 * 1024);
      offset += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, pulled: () => offset, destroyed: () => stream.destroyed };
}
