/**
 * Issue 17: a skip the header block decides stops the S3 read there, and is fingerprinted over its
 * header block, so that a second copy is still a duplicate and not a second skip. Through the real
 * handler against dynalite and s3rver; a byte-counting proxy in front of s3rver measures what the
 * gateway read of each GetObject (a real server behind it: nothing is mocked).
 */
import { randomBytes } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { objectKeyOf } from '../../lib/ledger-outcomes.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

/** GetObject response bytes the proxy passed to the gateway, per object key (with backpressure: what the gateway read, and the sockets' buffers). */
const getBytes = new Map<string, number>();
const servers: Server[] = [];

async function countingProxy(upstream: string): Promise<string> {
  const target = new URL(upstream);
  const server = createServer((req, res) => {
    const forward = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (req.method === 'GET') {
        const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).split('/').slice(2).join('/');
        answer.on('data', (chunk: Buffer) => getBytes.set(key, (getBytes.get(key) ?? 0) + chunk.length));
      }
      answer.pipe(res);
      res.on('close', () => answer.destroy());
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterAll(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

const fixture = useGateway({
  mode: 'update-only',
  env: async (stack) => ({ AWS_ENDPOINT_URL_S3: await countingProxy(stack.env.AWS_ENDPOINT_URL_S3 as string), MAX_MAIL_BYTES: '12000000' }),
});

/** A new question with an 8 MiB attachment, to the update-only mailbox: no ticket reference. */
const bigQuestion = (messageId: string, subject = 'The export fails') =>
  composeMime({
    from: 'alice@example.com',
    to: 'support@helpdesk.example',
    subject,
    messageId,
    date: 'Tue, 01 Dec 2026 09:00:00 +0100',
    text: 'Hello, the nightly export fails; the log is attached.\n',
    attachments: [{ filename: 'export.log.gz', content: randomBytes(8 * 1024 * 1024) }],
  });

describe('a skip decided at the header block', () => {
  it('stops reading the raw mail there, and records and tags the skip as before', async () => {
    const messageId = newMessageId('header-skip');
    const raw = await bigQuestion(messageId);
    const report = await fixture.gateway.deliver('header-skip.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    expect(entry).toMatchObject({ state: 'skipped', reason: 'no-ticket-ref', key: report.location.key, fingerprintScope: 'headers' });
    expect(entry?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(await fixture.aws.tags(report.location.key)).toEqual({ [RAW_MAIL_TAGS.outcome]: 'skipped', [RAW_MAIL_TAGS.reason]: 'no-ticket-ref' });
    // Kept whole, for a replay.
    expect((await fixture.aws.objectBytes(report.location.key)).length).toBeGreaterThan(raw.length);
    // Of the 11 MB object, the gateway took the header block and what the parser and the sockets
    // buffer: well under half. (The whole object goes through when the mail is read: next test.)
    const read = getBytes.get(report.location.key) ?? 0;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(raw.length / 2);
  });

  it('reads a follow-up of the same size to the end (the proxy counts what it says)', async () => {
    const raw = await composeMime({
      from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'Re: [support-42] the log', messageId: newMessageId('full-read'),
      text: 'Here it is.\n', attachments: [{ filename: 'export.log.gz', content: randomBytes(8 * 1024 * 1024) }],
    });
    const report = await fixture.gateway.deliver('full-read.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    expect(getBytes.get(report.location.key) ?? 0).toBeGreaterThanOrEqual(raw.length);
  });

  it('takes a second copy of the skipped mail for a duplicate, not for a second skip, without reading it either', async () => {
    const messageId = newMessageId('header-skip-twice');
    const raw = await bigQuestion(messageId);
    const first = await fixture.gateway.deliver('twice-1.eml', raw);
    const second = await fixture.gateway.deliver('twice-2.eml', raw);
    expect(first.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(second.outcome).toMatchObject({ kind: 'skipped', reason: 'duplicate' });
    expect(await fixture.aws.ledgerEntry(objectKeyOf(second.location, 'duplicate'))).toMatchObject({ reason: 'duplicate', fingerprintScope: 'headers' });
    expect(getBytes.get(second.location.key) ?? 0).toBeLessThan(raw.length / 2);
    const entries = (await fixture.aws.ledger()).filter((e) => e.messageId === bare(messageId));
    expect(entries.map((e) => e.reason).sort()).toEqual(['duplicate', 'no-ticket-ref']);
  });

  it('keeps a mail with the same Message-ID but another header block apart: its own skip, not a duplicate', async () => {
    const messageId = newMessageId('header-skip-other');
    await fixture.gateway.deliver('other-1.eml', composeMail({ messageId, subject: 'A question' }));
    const other = await fixture.gateway.deliver('other-2.eml', composeMail({ messageId, subject: 'Another question' }));
    expect(other.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    const entries = (await fixture.aws.ledger()).filter((e) => e.messageId === bare(messageId));
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.reason === 'no-ticket-ref' && e.fingerprintScope === 'headers')).toBe(true);
  });

  it('still reads a bounce to the end for its report', async () => {
    const raw = await composeMime({
      from: 'MAILER-DAEMON@mx.example.org', to: 'support@helpdesk.example', subject: 'Undelivered Mail Returned to Sender', messageId: newMessageId('bounce-read'),
      text: 'This is the mail system.\n',
      attachments: [
        { contentType: 'message/delivery-status', content: Buffer.from('Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; gone@example.com\nAction: failed\nStatus: 5.1.1\n') },
        { filename: 'filler.bin', content: randomBytes(256 * 1024) },
      ],
    });
    const report = await fixture.gateway.deliver('bounce-read.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'bounce' });
    expect(getBytes.get(report.location.key) ?? 0).toBeGreaterThanOrEqual(raw.length);
    expect((report.outcome as { detail: string }).detail).toContain('gone@example.com');
  });
});
