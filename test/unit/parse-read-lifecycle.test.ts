/**
 * How a parse reads its source and hands it back: errors (with their cause), the one call to
 * onHeaders, the header block's blank line found however the chunks split it (the body is held
 * back until the answer, and only then), a long header block read without waiting for the guard,
 * and what becomes of the source when the parse fails or stops.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MalformedMailError, TransientError } from '../../lib/errors.js';
import { drain, DRAIN_ATTACHMENTS, MAX_DRAINED_BYTES, parseMail, STOP_READING, type HeaderAnswer } from '../../lib/mail/parse.js';
import type { MailHeaders } from '../../lib/mail/record.js';
import { composeMime } from '../helpers/compose.js';

// Taken before any test fakes the timers: the deadlines below run on real time.
const realSetTimeout = globalThis.setTimeout;
const sleep = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

afterEach(() => {
  vi.useRealTimers();
});

/** A source that hands out `chunks` one by one, on demand, counting the bytes handed out. */
function chunkedSource(chunks: readonly Buffer[]): { stream: Readable; pulled(): number; total: number } {
  let next = 0;
  let pulled = 0;
  const stream = new Readable({
    highWaterMark: 16 * 1024,
    read() {
      const chunk = chunks[next++];
      if (chunk === undefined) return void this.push(null);
      pulled += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, pulled: () => pulled, total: chunks.reduce((sum, chunk) => sum + chunk.length, 0) };
}

/** `bytes` in chunks of `size`. */
const chunksOf = (bytes: Buffer, size = 16 * 1024) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

/** Settles with the promise, or rejects after `ms` of real time. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`not settled within ${ms} ms`)))]);
}

const HEADER = 'From: a@example.org\r\nTo: support@helpdesk.example\r\nSubject: held back\r\nMessage-ID: <held@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n';
/** 2 MiB of text without a blank line. */
const BODY = `${'x'.repeat(98)}\r\n`.repeat(20 * 1024);

describe('drain', () => {
  it('reads a stream to its end', async () => {
    const stream = Readable.from([Buffer.from('a'), Buffer.from('b')], { objectMode: false });
    await drain(stream);
    expect(stream.readableEnded).toBe(true);
  });

  it('rejects for a stream closed before its end, also before the call', async () => {
    const stream = new Readable({ read() {} });
    stream.push(Buffer.from('part of it'));
    stream.destroy();
    await expect(drain(stream)).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });
});

describe('errors of a parse', () => {
  it('names the source\'s failure and keeps it as the cause', async () => {
    const broken = new Error('socket hang up');
    const source = new Readable({ read() {} });
    source.push(Buffer.from('From: a@example.org\r\nSubj'));
    realSetTimeout(() => source.destroy(broken), 5);
    const failing = parseMail(source, { onHeaders: async () => DRAIN_ATTACHMENTS });
    await expect(failing).rejects.toBeInstanceOf(TransientError);
    await expect(failing).rejects.toMatchObject({ message: 'reading the raw mail failed: socket hang up', cause: broken });
  });

  // Node closes an HTTP response whose connection was reset without an error when nothing listens
  // for one at that moment: such a source emits neither `end` nor `error`. The parse used to wait
  // for ever (a soak run under injected S3 faults hung until its timeout).
  it('fails, retryably, for a source closed before the call without an error', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from('From: a@example.org\r\nSubj'));
    source.destroy();
    const onHeaders = vi.fn(async (): Promise<HeaderAnswer> => DRAIN_ATTACHMENTS);
    const failing = within(parseMail(source, { onHeaders }), 5_000);
    await expect(failing).rejects.toBeInstanceOf(TransientError);
    await expect(failing).rejects.toMatchObject({ message: 'reading the raw mail failed: the stream closed before its end', cause: { code: 'ERR_STREAM_PREMATURE_CLOSE' } });
    expect(onHeaders).not.toHaveBeenCalled();
  });

  it('fails, retryably, for a source closed mid-body without an error while the header answer is pending', async () => {
    // Half of it is more than the parser's first 64 KiB batch: the header block reaches the parser.
    const raw = Buffer.from(await composeMime({ from: 'a@example.org', to: 'support@helpdesk.example', subject: 'cut', text: 'words', attachments: [{ filename: 'a.bin', content: randomBytes(200_000) }] }));
    const source = new Readable({ read() {} });
    source.push(raw.subarray(0, raw.length / 2));
    let answered = false;
    const failing = within(
      parseMail(source, {
        async onHeaders() {
          // The connection goes while the lookups behind the answer run.
          source.destroy();
          await sleep(20);
          answered = true;
          return DRAIN_ATTACHMENTS;
        },
      }, undefined, raw.length),
      5_000,
    );
    await expect(failing).rejects.toMatchObject({ message: 'reading the raw mail failed: the stream closed before its end' });
    await expect(failing).rejects.toBeInstanceOf(TransientError);
    expect(answered).toBe(true);
  });

  it('names the parser\'s failure, keeps it as the cause, and does not ask onHeaders about a mail whose header block it refused', async () => {
    const onHeaders = vi.fn(async (): Promise<HeaderAnswer> => DRAIN_ATTACHMENTS);
    const raw = `From: a@example.org\r\nX-Padding: ${'a'.repeat(1_200_000)}\r\n\r\nbody\r\n`;
    const failing = parseMail(Readable.from(chunksOf(Buffer.from(raw), 64 * 1024)), { onHeaders });
    await expect(failing).rejects.toBeInstanceOf(MalformedMailError);
    const error = await failing.catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/^MIME parser: \S/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`MIME parser: ${((error as Error).cause as Error).message}`);
    expect(onHeaders).not.toHaveBeenCalled();
  });

  it('closes the source when the parse fails mid-way', async () => {
    const parts = Array.from({ length: 1005 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const raw = Buffer.from(`${HEADER.replace('text/plain; charset=utf-8', 'multipart/mixed; boundary=b')}\r\n${parts}${BODY}--b--\r\n`);
    const source = chunkedSource(chunksOf(raw));
    await expect(parseMail(source.stream, { onHeaders: async () => DRAIN_ATTACHMENTS })).rejects.toBeInstanceOf(MalformedMailError);
    expect(source.stream.destroyed).toBe(true);
    expect(source.pulled()).toBeLessThan(source.total);
  });
});

describe('onHeaders', () => {
  it('is called once per mail, with its header block', async () => {
    const raw = await composeMime({ from: 'a@example.org', to: 'support@helpdesk.example', subject: 'once', text: 'words', attachments: [{ filename: 'a.bin', content: randomBytes(1000) }] });
    const seen: (string | null)[] = [];
    const record = await parseMail(Readable.from([raw]), {
      async onHeaders(headers) {
        seen.push(headers.subject);
        return DRAIN_ATTACHMENTS;
      },
    });
    expect(seen).toEqual(['once']);
    expect(record.text).toBe('words');
  });
});

describe('blank lines before the header block', () => {
  it('are dropped when they come in chunks of their own', async () => {
    const chunks = ['\n', '\r\n', '\r', '\n', HEADER, '\r\n', 'The words.\r\n'].map((text) => Buffer.from(text));
    const record = await parseMail(chunkedSource(chunks).stream, { onHeaders: async () => DRAIN_ATTACHMENTS });
    expect(record).toMatchObject({ subject: 'held back', messageId: 'held@example.org', text: 'The words.\n' });
  });
});

describe('the body held back until the header block is answered', () => {
  /**
   * Parses `chunks` with an onHeaders that answers only when told; meanwhile the guard's time
   * passes (fake timers) and real time too. Answers how much of the source was pulled unanswered.
   */
  async function pulledUnanswered(chunks: readonly Buffer[]) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const source = chunkedSource(chunks);
    let answer: (value: HeaderAnswer) => void = () => undefined;
    let asked: () => void = () => undefined;
    const wasAsked = new Promise<void>((resolve) => {
      asked = resolve;
    });
    let seen: MailHeaders | undefined;
    const parsing = parseMail(source.stream, {
      onHeaders(headers) {
        seen = headers;
        asked();
        return new Promise<HeaderAnswer>((resolve) => {
          answer = resolve;
        });
      },
    });
    await within(wasAsked, 5000);
    vi.advanceTimersByTime(10_000);
    await sleep(300);
    const pulled = source.pulled();
    answer(STOP_READING);
    const record = await within(parsing, 5000);
    return { pulled, total: source.total, record, seen };
  }

  /** The header block (line ends `eol`) ending in `before`, then `after` and the body: the blank line split between two chunks. */
  function splitBlankLine(eol: string, before: string, after: string): Buffer[] {
    const body = Buffer.from(BODY);
    return [Buffer.from(`${HEADER.replace(/\r\n/g, eol)}${before}`), Buffer.concat([Buffer.from(after), body.subarray(0, 16 * 1024)]), ...chunksOf(body.subarray(16 * 1024))];
  }

  for (const [name, eol, before, after] of [
    ['LF | LF', '\n', '', '\n'],
    ['CR LF | CR LF', '\r\n', '', '\r\n'],
    ['CR LF CR | LF', '\r\n', '\r', '\n'],
    ['LF | CR LF', '\n', '', '\r\n'],
  ] as const) {
    it(`is held when the blank line is split across chunks (${name})`, async () => {
      const { pulled, total, record, seen } = await pulledUnanswered(splitBlankLine(eol, before, after));
      expect(seen?.subject).toBe('held back');
      expect(total).toBeGreaterThan(2_000_000);
      expect(pulled).toBeLessThan(512 * 1024);
      expect(record).toMatchObject({ bodyRead: false, subject: 'held back', text: '' });
    }, 20_000);
  }

  it('lets a header block longer than the parser\'s 64 KiB chunk through whole, without waiting for the guard', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // 100 KB of trace lines, one field folded onto a line of a single tab.
    const received = Array.from({ length: 800 }, (_, i) => `Received: from relay${i}.example.net by mx.example.org with ESMTP id ${'r'.repeat(60)}${i}`);
    const attachment = randomBytes(300 * 1024);
    const raw = Buffer.from(
      [
        'From: a@example.org', 'To: support@helpdesk.example', 'Subject: long trace', 'X-Folded: a', '\t', ...received,
        'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=b', '',
        '--b', 'Content-Type: text/plain', '', 'The words.',
        '--b', 'Content-Type: application/octet-stream; name=log.bin', 'Content-Transfer-Encoding: base64', '', (attachment.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n'),
        '--b--', '',
      ].join('\r\n'),
    );
    expect(raw.indexOf('\r\n\r\n')).toBeGreaterThan(96 * 1024);
    const record = await within(parseMail(chunkedSource(chunksOf(raw)).stream, { onHeaders: async () => DRAIN_ATTACHMENTS }), 5000);
    expect(record.subject).toBe('long trace');
    expect(record.text).toBe('The words.');
    expect(record.attachments.map((a) => [a.filename, a.size])).toEqual([['log.bin', 300 * 1024]]);
  }, 20_000);
});

describe('a source let go at the header block', () => {
  it(`is read to its end when at most ${MAX_DRAINED_BYTES} bytes of it are left, even if it is larger than that in all`, async () => {
    const raw = Buffer.concat([Buffer.from(`${HEADER}\r\n`), Buffer.from(`${'y'.repeat(98)}\r\n`.repeat(Math.ceil((MAX_DRAINED_BYTES + 32 * 1024) / 100)))]);
    const source = chunkedSource(chunksOf(raw));
    const record = await parseMail(source.stream, { onHeaders: async () => STOP_READING }, undefined, raw.length);
    expect(record.bodyRead).toBe(false);
    await within(new Promise((resolve) => {
      if (source.stream.readableEnded) return resolve(undefined);
      source.stream.once('end', resolve);
      source.stream.once('close', resolve);
    }), 5000);
    expect(raw.length).toBeGreaterThan(MAX_DRAINED_BYTES);
    expect(source.pulled()).toBe(raw.length);
    expect(source.stream.readableEnded).toBe(true);
  }, 20_000);
});
