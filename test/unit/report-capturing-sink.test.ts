/**
 * The sink a bounce's attachments go to (reportCapturingSink, lib/attachment-sinks.ts): the
 * machine-readable report parts are kept as text, up to 64 KiB each (the rest of a larger part is
 * read and dropped), and every other part is read and dropped. What is kept is what the bounce
 * reader (failed recipients, the bounced mail's Message-ID) gets to see; the content is handed in
 * as the parser hands it over, a stream of chunks.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reportCapturingSink } from '../../lib/attachment-sinks.js';

const KIB = 1024;

/** A part's content as a stream of the given chunks, and whether it was read to its end. */
function content(chunks: readonly Buffer[]): { stream: Readable; ended: () => boolean } {
  const stream = Readable.from(chunks, { objectMode: false });
  let ended = false;
  stream.on('end', () => {
    ended = true;
  });
  return { stream, ended: () => ended };
}

/** A chunk of `length` bytes, all `letter`. */
const chunkOf = (letter: string, length: number): Buffer => Buffer.alloc(length, letter);

describe('the report-capturing sink of a bounce', () => {
  it('keeps a delivery-status part whole as text, its type in lower case, and stores nothing', async () => {
    const parts: { contentType: string; text: string }[] = [];
    const status = 'Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; gone@example.com\nAction: failed\nStatus: 5.1.1\n';
    const { stream, ended } = content([Buffer.from(status.slice(0, 20)), Buffer.from(status.slice(20))]);
    const accepted = await reportCapturingSink(parts).accept({ index: 0, filename: 'status.txt', contentType: 'Message/Delivery-Status', content: stream });
    expect(accepted).toEqual({ key: null, filename: 'status.txt', refused: null });
    expect(parts).toEqual([{ contentType: 'message/delivery-status', text: status }]);
    expect(ended()).toBe(true);
  });

  it('reads and drops a part that is no report (an image), keeping nothing of it', async () => {
    const parts: { contentType: string; text: string }[] = [];
    const { stream, ended } = content([chunkOf('i', 10 * KIB), chunkOf('j', 10 * KIB)]);
    const accepted = await reportCapturingSink(parts).accept({ index: 1, filename: 'logo.png', contentType: 'image/png', content: stream });
    expect(accepted).toEqual({ key: null, filename: 'logo.png', refused: null });
    expect(parts).toEqual([]);
    expect(ended()).toBe(true);
  });

  it('keeps the first 64 KiB of a larger report part, over the chunks they came in, and reads the rest to its end', async () => {
    const parts: { contentType: string; text: string }[] = [];
    // 30 KiB + 30 KiB + 30 KiB + 30 KiB: the third chunk crosses 64 KiB, the fourth lies beyond it.
    const { stream, ended } = content([chunkOf('a', 30 * KIB), chunkOf('b', 30 * KIB), chunkOf('c', 30 * KIB), chunkOf('d', 30 * KIB)]);
    await reportCapturingSink(parts).accept({ index: 0, filename: null, contentType: 'message/rfc822', content: stream });
    expect(parts).toHaveLength(1);
    expect(parts[0]?.text).toBe('a'.repeat(30 * KIB) + 'b'.repeat(30 * KIB) + 'c'.repeat(4 * KIB));
    expect(ended()).toBe(true);
  });
});
