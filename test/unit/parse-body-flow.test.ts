/**
 * How the raw bytes flow into a parse around the answer to the header block (`rawMeter`,
 * `bodyFlow`): how much of the body passes before the answer (the first 64 KiB batch the parser
 * gathers, or one batch past a longer header block's blank line, and no more), that the body flows
 * once the answer came, also when the answer is a rejection, and what becomes of a source whose
 * read stopped with exactly as much left as is still drained.
 */
import { Readable, Transform } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DRAIN_ATTACHMENTS, MAX_DRAINED_BYTES, parseMail, STOP_READING } from '../../lib/mail/parse.js';
import { pulledSource } from '../helpers/pulled-source.js';

/** The bytes mailparser gathers before it parses any (mailsplit's ChunkedPassthrough). */
const PARSER_BATCH = 64 * 1024;
const CHUNK = 1024;

const BASE_HEADER = 'From: a@example.org\r\nTo: support@helpdesk.example\r\nSubject: metered\r\nMessage-ID: <meter@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n';

/** A header block of exactly `length` bytes, its blank line included: the base fields, then filler fields. */
function headerBlockOf(length: number): string {
  const rest = length - BASE_HEADER.length - 2;
  let lines = Math.floor(rest / 100);
  let last = rest - lines * 100;
  if (last > 0 && last < 13) {
    lines -= 1;
    last += 100;
  }
  const filler = Array.from({ length: lines }, (_, i) => `X-Filler: ${String(i).padStart(5, '0')}${'f'.repeat(83)}\r\n`).join('');
  const header = `${BASE_HEADER}${filler}${last > 0 ? `X-Fill: ${'g'.repeat(last - 10)}\r\n` : ''}\r\n`;
  if (header.length !== length) throw new Error(`header block of ${header.length} bytes, not ${length}`);
  return header;
}

/** `bytes` of body text: lines without a blank one between them, or paragraphs (a blank line every 64 bytes). */
function bodyOf(bytes: number, paragraphs = false): string {
  const line = paragraphs ? `${'p'.repeat(60)}\r\n\r\n` : `${'y'.repeat(62)}\r\n`;
  return line.repeat(Math.ceil(bytes / line.length));
}

/**
 * How many bytes the source handed out by the time a read stopped at the header block: the answer
 * (STOP_READING) comes once the bytes that may flow before it have flowed, and the source (its
 * size not given) is then closed.
 */
async function pulledBeforeStop(raw: Buffer): Promise<number> {
  const source = pulledSource(raw, { chunk: CHUNK });
  const record = await parseMail(source.stream, {
    async onHeaders() {
      // Time for whatever may flow before the answer to flow (the bounds below hold whenever it comes).
      await new Promise((resolve) => setTimeout(resolve, 100));
      return STOP_READING;
    },
  });
  expect(record).toMatchObject({ bodyRead: false, subject: 'metered' });
  expect(source.destroyed()).toBe(true);
  return source.pulled();
}

/**
 * What the streams between the source and the meter hold besides what the meter let through: the
 * chunk it holds back, its write buffer (a Transform's default), and the source's own buffer (a
 * chunk), with a chunk to spare.
 */
const BUFFERED = new Transform().writableHighWaterMark + 3 * CHUNK;

describe('the body bytes that pass before the header block is answered', () => {
  it('are the rest of the parser\'s first 64 KiB batch, for a header block that ends exactly where that batch does', async () => {
    const raw = Buffer.from(headerBlockOf(PARSER_BATCH) + bodyOf(512 * 1024));
    const pulled = await pulledBeforeStop(raw);
    expect(pulled).toBeGreaterThanOrEqual(PARSER_BATCH);
    expect(pulled).toBeLessThanOrEqual(PARSER_BATCH + BUFFERED);
  });

  it('are the rest of the first batch, whatever blank lines the body holds past it', async () => {
    const raw = Buffer.from(headerBlockOf(300) + bodyOf(512 * 1024, true));
    const pulled = await pulledBeforeStop(raw);
    expect(pulled).toBeGreaterThanOrEqual(PARSER_BATCH);
    expect(pulled).toBeLessThanOrEqual(PARSER_BATCH + BUFFERED);
  });

  it('are one batch past the blank line of a header block longer than a batch', async () => {
    const headerBytes = 70_000;
    const raw = Buffer.from(headerBlockOf(headerBytes) + bodyOf(512 * 1024));
    const pulled = await pulledBeforeStop(raw);
    expect(pulled).toBeGreaterThanOrEqual(headerBytes + PARSER_BATCH);
    expect(pulled).toBeLessThanOrEqual(headerBytes + PARSER_BATCH + BUFFERED);
  });

  it('are held back past that limit, and flow once answered: a mail that comes in one chunk with a header block longer than a batch is parsed whole', async () => {
    const header = headerBlockOf(70_000);
    const body = `First words.\r\n${bodyOf(128 * 1024)}Last words.\r\n`;
    const record = await parseMail(Readable.from([Buffer.from(header + body)]), { onHeaders: async () => DRAIN_ATTACHMENTS }, undefined, header.length + body.length);
    expect(record.subject).toBe('metered');
    expect(record.messageId).toBe('meter@example.org');
    expect(record.text).toBe(body.replaceAll('\r\n', '\n'));
    expect(record.rawSize).toBe(header.length + body.length);
  }, 20_000);
});

describe('the answer to the header block', () => {
  it('lets the body flow when it is a rejection: a mail longer than the parser\'s first batch is rejected with it, not held', async () => {
    const raw = Buffer.from(headerBlockOf(300) + bodyOf(256 * 1024));
    const parsed = parseMail(pulledSource(raw).stream, { onHeaders: async () => Promise.reject(new Error('DynamoDB is down')) });
    await expect(parsed).rejects.toThrow('DynamoDB is down');
  }, 20_000);
});

describe('a source let go with exactly as much left as is drained', () => {
  /** A mail whose first 64 KiB come at once and whose other `left` bytes come late: the read stops with exactly `left` unread. */
  function lateRest(left: number) {
    const raw = Buffer.from(headerBlockOf(300) + bodyOf(PARSER_BATCH + left).slice(0, PARSER_BATCH + left - 300));
    expect(raw.length).toBe(PARSER_BATCH + left);
    return { raw, source: pulledSource(raw, { pauseAt: PARSER_BATCH }) };
  }

  it(`is read to its end, unparsed, when ${MAX_DRAINED_BYTES} bytes are left`, async () => {
    const { raw, source } = lateRest(MAX_DRAINED_BYTES);
    const record = await parseMail(source.stream, { onHeaders: async () => STOP_READING }, undefined, raw.length);
    expect(record).toMatchObject({ bodyRead: false, subject: 'metered', rawSize: PARSER_BATCH });
    expect(source.destroyed()).toBe(false);
    const ended = new Promise((resolve, reject) => {
      source.stream.once('end', resolve);
      source.stream.once('close', () => reject(new Error('closed before its end')));
    });
    source.release();
    await ended;
    expect(source.pulled()).toBe(raw.length);
  }, 20_000);

  it(`is closed when ${MAX_DRAINED_BYTES + 1} bytes are left`, async () => {
    const { raw, source } = lateRest(MAX_DRAINED_BYTES + 1);
    const record = await parseMail(source.stream, { onHeaders: async () => STOP_READING }, undefined, raw.length);
    expect(record).toMatchObject({ bodyRead: false, subject: 'metered', rawSize: PARSER_BATCH });
    expect(source.destroyed()).toBe(true);
    expect(source.pulled()).toBe(PARSER_BATCH);
  }, 20_000);
});
