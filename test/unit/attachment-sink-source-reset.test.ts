/**
 * A raw mail whose stream fails mid-attachment (the S3 connection reset while an attachment is being
 * uploaded) fails the read, retryably, instead of waiting for ever. The storing sink pipes the part
 * into its byte limit, and `pipe` passes on neither an error nor a close of its source: the upload
 * waited for bytes that never came, and a soak run under injected S3 faults hung until its timeout.
 * The store here is the `RawMailStore` port reading what it is handed to the end, as the S3 adapter
 * does (no AWS client is involved).
 */
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { storingSink } from '../../lib/attachment-sinks.js';
import { TransientError } from '../../lib/errors.js';
import { DEFAULT_DENIED_EXTENSIONS, DEFAULT_DENIED_TYPES, type AttachmentPolicy } from '../../lib/mail/attachment-policy.js';
import { parseMail } from '../../lib/mail/parse.js';
import type { RawMailStore } from '../../lib/ports.js';
import { composeMime } from '../helpers/compose.js';

const POLICY: AttachmentPolicy = {
  maxCount: 10,
  maxBytes: 25 * 1024 * 1024,
  maxTotalBytes: 40 * 1024 * 1024,
  denyExtensions: new Set(DEFAULT_DENIED_EXTENSIONS),
  allowExtensions: null,
  denyTypes: new Set(DEFAULT_DENIED_TYPES),
};

/** A store that reads each attachment to its end, and tells how each upload ended; `onUpload` is told of each upload as it begins. */
function readingStore(onUpload: (key: string) => void = () => undefined): { store: RawMailStore; uploads: string[] } {
  const uploads: string[] = [];
  const store: Pick<RawMailStore, 'putAttachment'> = {
    async putAttachment(key: string, content: Readable) {
      onUpload(key);
      try {
        for await (const chunk of content as AsyncIterable<Buffer>) void chunk;
        uploads.push(`${key}: stored`);
      } catch (error) {
        uploads.push(`${key}: failed (${(error as Error).message})`);
        throw error;
      }
    },
  };
  return { store: store as RawMailStore, uploads };
}

/** Settles with the promise, or rejects after `ms`: a hang fails with a message instead of the test's timeout. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not settled within ${ms} ms: the read waits for ever`)), ms).unref())]);
}

/** A source holding the first `cut` bytes of `raw`, left open; `end` ends it as a reset connection or a silent close. */
function cutSource(raw: Buffer, cut: number): { source: Readable; end(how: 'reset' | 'closed'): void } {
  const source = new PassThrough();
  source.write(raw.subarray(0, cut));
  return { source, end: (how) => (how === 'reset' ? source.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })) : source.destroy()) };
}

describe('an attachment whose raw mail stops mid-way', () => {
  const cases = [
    { name: 'the only file', attachments: [{ filename: 'scan.pdf', content: randomBytes(600_000) }], stored: [] },
    { name: 'the second file', attachments: [{ filename: 'a.pdf', content: randomBytes(200_000) }, { filename: 'b.pdf', content: randomBytes(600_000) }], stored: ['attachments/1/0: stored'] },
  ];
  for (const { name, attachments, stored } of cases) {
    for (const end of ['reset', 'closed'] as const) {
      it(`fails the read, retryably, when the connection is ${end} in ${name}`, async () => {
        const raw = Buffer.from(await composeMime({ from: 'a@example.org', to: 'support@helpdesk.example', subject: 'cut', text: 'see attached', attachments }));
        // The bytes stop coming (60 % of the mail was sent) and the connection ends while the file is uploading.
        const { source, end: endConnection } = cutSource(raw, Math.floor(raw.length * 0.6));
        const cutFile = `attachments/1/${stored.length}`;
        const { store, uploads } = readingStore((key) => key === cutFile && setImmediate(() => endConnection(end)));
        const read = within(parseMail(source, { onHeaders: async () => storingSink(store, 'attachments/1/', POLICY) }, undefined, raw.length), 10_000);
        await expect(read).rejects.toBeInstanceOf(TransientError);
        await expect(read).rejects.toMatchObject({ message: end === 'reset' ? 'reading the raw mail failed: aborted' : 'reading the raw mail failed: the stream closed before its end' });
        expect(uploads.slice(0, -1)).toEqual(stored);
        expect(uploads.at(-1)).toMatch(new RegExp(`^attachments/1/${stored.length}: failed \\(`));
      });
    }
  }

  it('still stores the whole attachment when the raw mail is read to its end', async () => {
    const content = randomBytes(600_000);
    const raw = Buffer.from(await composeMime({ from: 'a@example.org', to: 'support@helpdesk.example', subject: 'whole', text: 'see attached', attachments: [{ filename: 'scan.pdf', content }] }));
    const { store, uploads } = readingStore();
    const source = new PassThrough();
    source.end(raw);
    const record = await parseMail(source, { onHeaders: async () => storingSink(store, 'attachments/1/', POLICY) }, undefined, raw.length);
    expect(uploads).toEqual(['attachments/1/0: stored']);
    expect(record.attachments.map((a) => [a.filename, a.refused])).toEqual([['scan.pdf', null]]);
  });
});
