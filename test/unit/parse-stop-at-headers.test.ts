/**
 * `STOP_READING` (issue 17): when the header block decides a mail's outcome, the parse and the
 * source stop there. Fed by a counting source (a network stream's shape: chunks pulled on demand),
 * so that what was read is measured, not assumed.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DRAIN_ATTACHMENTS, MAX_DRAINED_BYTES, parseMail, STOP_READING, type HeaderAnswer } from '../../lib/mail/parse.js';
import type { MailHeaders } from '../../lib/mail/record.js';
import { composeMime } from '../helpers/compose.js';
import { pulledSource } from '../helpers/pulled-source.js';

const bigMail = (attachmentBytes: number, extra: { html?: string } = {}) =>
  composeMime({
    from: 'bob@example.org',
    to: 'support@helpdesk.example',
    subject: 'A new question',
    messageId: '<stop-1@example.org>',
    text: 'Hello, the export fails.\n',
    ...extra,
    attachments: [{ filename: 'export.log.gz', content: randomBytes(attachmentBytes) }],
  });

/** Parses with an `onHeaders` that answers `answer` after `delayMs` (the plan's DynamoDB round trip). */
async function parseAnswering(source: Readable, answer: HeaderAnswer, delayMs = 5, sourceBytes?: number) {
  let seen: MailHeaders | undefined;
  const hooks = {
    async onHeaders(headers: MailHeaders) {
      seen = headers;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return answer;
    },
  };
  const record = await parseMail(source, hooks, undefined, sourceBytes);
  return { record, seen };
}

describe('a read stopped at the header block', () => {
  it('reads a small part of a 4 MiB mail, destroys the source, and gives the header block without a body', async () => {
    const raw = await bigMail(3 * 1024 * 1024);
    const source = pulledSource(raw);
    const { record, seen } = await parseAnswering(source.stream, STOP_READING);
    expect(record.bodyRead).toBe(false);
    expect(record.subject).toBe('A new question');
    expect(record.messageId).toBe('stop-1@example.org');
    expect(record.from?.address).toBe('bob@example.org');
    expect(record).toMatchObject({ text: '', html: null, attachments: [], attachedMessages: [], smime: [], tnef: [] });
    expect(seen?.subject).toBe('A new question');
    expect(source.destroyed()).toBe(true);
    // The body waits for the answer past the 64 KiB the parser gathers before it parses: what was
    // pulled is that and the streams' buffers (16 KiB each), not the 4 MiB.
    expect(source.pulled()).toBeLessThan(256 * 1024);
  });

  it('reads a source of known size with little left to its end, unparsed (its connection is kept), and closes a larger one', async () => {
    const small = await bigMail(1024 * 1024);
    const drained = pulledSource(small);
    const { record } = await parseAnswering(drained.stream, STOP_READING, 5, small.length);
    expect(record).toMatchObject({ bodyRead: false, text: '', attachments: [] });
    if (!drained.stream.readableEnded) await new Promise((resolve) => drained.stream.once('end', resolve));
    expect(drained.pulled()).toBe(small.length);

    const large = await bigMail(MAX_DRAINED_BYTES + 1024 * 1024);
    const closed = pulledSource(large);
    await parseAnswering(closed.stream, STOP_READING, 5, large.length);
    expect(closed.destroyed()).toBe(true);
    expect(closed.pulled()).toBeLessThan(256 * 1024);
  });

  it('without the stop, the same mail is read to the end (the counting source counts what it says)', async () => {
    const raw = await bigMail(3 * 1024 * 1024);
    const source = pulledSource(raw);
    const { record } = await parseAnswering(source.stream, DRAIN_ATTACHMENTS);
    expect(record.bodyRead).toBe(true);
    expect(source.pulled()).toBe(raw.length);
    expect(record.attachments).toHaveLength(1);
  });

  it('stops while an HTML body part is being read (the part fails instead of waiting for bytes that never come)', async () => {
    const html = `<html><body>${'<p>quoted history of the thread</p>'.repeat(60_000)}</body></html>`;
    const raw = await bigMail(1024 * 1024, { html });
    const source = pulledSource(raw);
    const { record } = await parseAnswering(source.stream, STOP_READING, 50);
    expect(record.bodyRead).toBe(false);
    expect(source.destroyed()).toBe(true);
    expect(source.pulled()).toBeLessThan(raw.length);
  });

  it('gives the header block when the answer comes after the whole mail was parsed (a small mail)', async () => {
    const raw = Buffer.from('From: a@example.org\r\nTo: support@helpdesk.example\r\nSubject: hi\r\nMessage-ID: <small@example.org>\r\n\r\nA short body.\r\n');
    const { record } = await parseAnswering(Readable.from([raw]), STOP_READING, 30);
    expect(record).toMatchObject({ bodyRead: false, text: '', subject: 'hi', messageId: 'small@example.org' });
  });

  it('gives the header block, not malformed, when the body after it is broken: the header block decided', async () => {
    const lines = ['From: a@example.org', 'To: support@helpdesk.example', 'Subject: broken below', 'Message-ID: <broken@example.org>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', ''];
    // Over the parser's 1,000-part cap: the parse fails, whether before or after the answer.
    const body = Array.from({ length: 1200 }, () => '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n').join('') + '--b--\r\n';
    for (const delayMs of [0, 40]) {
      const { record } = await parseAnswering(Readable.from([Buffer.from(`${lines.join('\r\n')}\r\n${body}`)]), STOP_READING, delayMs);
      expect(record).toMatchObject({ bodyRead: false, subject: 'broken below' });
    }
  });

  it('passes on an error of the plan (onHeaders rejects) as before', async () => {
    const raw = await bigMail(512 * 1024);
    const failing = parseMail(pulledSource(raw).stream, { onHeaders: async () => Promise.reject(new Error('DynamoDB is down')) });
    await expect(failing).rejects.toThrow('DynamoDB is down');
  });

  it('leaves no unhandled rejection behind across many stopped reads', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const raw = await bigMail(256 * 1024);
      for (let i = 0; i < 20; i++) await parseAnswering(pulledSource(raw).stream, STOP_READING, i % 3);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
