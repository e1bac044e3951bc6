/**
 * The facts a sender notice is decided on (lib/pipeline/notice.ts), run in this process through
 * createMailProcessor over the real AWS adapters against the embedded stack (dynalite, s3rver, the
 * local SES v2 server): a Return-Path that is the empty path and one that only ends in `<>`, the
 * strict screening whatever SKIP_SPAM says, the mailbox a Bcc'd mail reached as SES names it (its
 * receipt, also where its Received names no recipient), no intent recorded without notice ports,
 * and a mail too large to read — its header block read from its first HEADER_BLOCK_BYTES and no
 * further, a header block that cannot be read, and an object without one.
 *
 * Where S3 cannot produce the situation, the raw-mail port is wrapped, never faked: the bytes come
 * from s3rver, and only the second read of the object (the header block's) fails, or stops
 * delivering bytes after the first HEADER_BLOCK_BYTES, as a stalled connection would.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Envelope } from '../../lib/envelope.js';
import type { MailLocation } from '../../lib/ledger-entry.js';
import type { SentMail } from '../../lib/local/ses-server.js';
import { HEADER_BLOCK_BYTES } from '../../lib/pipeline/notice.js';
import { createMailProcessor, type MailReport, type PipelineDeps } from '../../lib/pipeline/index.js';
import type { RawMailStore } from '../../lib/ports.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { useStageRun } from '../helpers/stage-run.js';

const MAILBOXES = 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create';
// The most notices an hour in all, so that no run (`--repeats`) reaches the limit of all notices.
const fixture = useGateway({ mode: 'update-only', env: { SENDER_NOTICES: 'true', SENDER_NOTICES_PER_HOUR: '100000', MAILBOXES } });
const run = useStageRun(fixture);

/**
 * A sender address at a domain no other test (nor another run of the same test, `--repeats`) uses:
 * notices are limited per sender domain (MAX_NOTICES_PER_DOMAIN_PER_HOUR, 10 an hour), and a
 * shared domain would throttle a later test's notice.
 */
const newSender = (label: string) => `${label}@${label}-${randomBytes(4).toString('hex')}.example`;

/** The notices the local SES v2 server received for `address`. */
async function noticesTo(address: string): Promise<SentMail[]> {
  return (await fixture.gateway.stack.ses.sent()).filter((mail) => mail.destination.to.includes(address));
}

async function processWith(deps: PipelineDeps, name: string, raw: string, envelope?: Envelope): Promise<{ location: MailLocation; report: MailReport }> {
  const location = await run.store(name, raw);
  return { location, report: await createMailProcessor(deps)(location, envelope) };
}

/**
 * The raw-mail port with its second `open` (the header block's read; the first is the size check)
 * answered by `second` from the real one's answer.
 */
function withHeaderBlockRead(real: RawMailStore, second: (opened: Awaited<ReturnType<RawMailStore['open']>>) => Awaited<ReturnType<RawMailStore['open']>>): RawMailStore {
  let opens = 0;
  return {
    open: async (location) => {
      opens += 1;
      const opened = await real.open(location);
      return opens === 2 ? second(opened) : opened;
    },
    hash: (location) => real.hash(location),
    quarantine: (location, key) => real.quarantine(location, key),
    markOutcome: (location, tags) => real.markOutcome(location, tags),
    putAttachment: (key, content, meta) => real.putAttachment(key, content, meta),
    putText: (key, text, mediaType) => real.putText(key, text, mediaType),
  };
}

/** The first `chunks` × `size` bytes of `body`, in chunks of `size`; then no more bytes and no end. */
async function* stallingAfter(body: Readable, size: number, chunks: number): AsyncGenerator<Buffer> {
  let held = Buffer.alloc(0);
  let given = 0;
  for await (const piece of body as AsyncIterable<Buffer>) {
    held = Buffer.concat([held, piece]);
    while (held.length >= size && given < chunks) {
      yield held.subarray(0, size);
      held = held.subarray(size);
      given += 1;
    }
    if (given === chunks) break;
  }
  await new Promise<never>(() => undefined);
}

/**
 * A mail whose From stands at the end of a header block of about 200 KB (more than one read of a
 * stream, less than HEADER_BLOCK_BYTES), and whose body makes it 600 KB.
 */
function mailWithLongHeaderBlock(sender: string): string {
  const filler = Array.from({ length: 220 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(900)}`);
  return [...filler, composeMail({ from: sender, subject: 'Scans', body: 'x'.repeat(400_000) })].join('\n');
}

describe('the empty envelope sender', () => {
  it.each([
    ['the empty path', '<>', { kind: 'suppressed', reason: 'no-ticket-ref', why: 'null-sender' }],
    ['an address', '<bounces@customer.example>', { kind: 'sent', reason: 'no-ticket-ref' }],
    ['a malformed value that only ends in <>', '<@"])]<>', { kind: 'sent', reason: 'no-ticket-ref' }],
  ] as const)('tells the sender of a mail whose Return-Path is %s accordingly', async (_, returnPath, notice) => {
    const sender = newSender('return-path');
    const { report } = await processWith(run.deps(), 'return-path', composeMail({ from: sender, headers: [`Return-Path: ${returnPath}`] }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report.notice).toEqual(notice.kind === 'sent' ? { ...notice, to: sender } : notice);
    expect(await noticesTo(sender)).toHaveLength(notice.kind === 'sent' ? 1 : 0);
  });
});

describe('the screening of a notice', () => {
  it('tells no sender of spam, even where SKIP_SPAM=false lets the mail through to no-ticket-ref', async () => {
    const sender = newSender('spam');
    const { report } = await processWith(run.deps({ SKIP_SPAM: 'false' }), 'spam', composeMail({ from: sender, headers: ['X-SES-Spam-Verdict: FAIL'] }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report.notice).toEqual({ kind: 'suppressed', reason: 'no-ticket-ref', why: 'spam' });
    expect(await noticesTo(sender)).toEqual([]);
  });
});

describe('the mailbox a notice comes from', () => {
  it('is the one SES received the mail for, also when the mail names others only (a Bcc)', async () => {
    const sender = newSender('bcc');
    const messageId = newMessageId('bcc');
    // What SES writes for a mail it received for support@ (RCPT TO), whose To names only another
    // address: its Received (topmost) and its receipt both name support@. Written here, as the
    // simulated receipt would otherwise name the first To (ses-receipt.ts, `recipientOf`).
    const domain = sender.slice(sender.indexOf('@') + 1);
    const received = `Received: from mail.${domain} (mail.${domain} [192.0.2.7]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id bcc${randomBytes(4).toString('hex')} for support@helpdesk.example; Thu, 26 Nov 2026 08:12:00 +0000`;
    const raw = `${received}\n${composeMail({ from: sender, messageId, to: 'friend@elsewhere.example' })}`;
    const { report } = await processWith(run.deps(), 'bcc', raw, { recipients: ['support@helpdesk.example'] });
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report.notice).toEqual({ kind: 'sent', reason: 'no-ticket-ref', to: sender });
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ notice: { to: sender, from: 'support@helpdesk.example' } });
    expect((await noticesTo(sender)).map((mail) => mail.from)).toEqual(['support@helpdesk.example']);
  });

  it('is the one SES\'s receipt names when its Received names none (a mail for several recipients)', async () => {
    const sender = newSender('several');
    const messageId = newMessageId('several');
    // SES's Received for a mail with several RCPT TOs carries no `for` clause: only the receipt
    // names the mailbox, and the To (another address) must not stand in for it.
    const domain = sender.slice(sender.indexOf('@') + 1);
    const received = `Received: from mail.${domain} (mail.${domain} [192.0.2.8]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id sev${randomBytes(4).toString('hex')}; Thu, 26 Nov 2026 08:12:00 +0000`;
    const raw = `${received}\n${composeMail({ from: sender, messageId, to: 'friend@elsewhere.example' })}`;
    const { report } = await processWith(run.deps(), 'several', raw, { recipients: ['support@helpdesk.example', 'someone@elsewhere.example'] });
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report.notice).toEqual({ kind: 'sent', reason: 'no-ticket-ref', to: sender });
    expect((await noticesTo(sender)).map((mail) => mail.from)).toEqual(['support@helpdesk.example']);
  });
});

describe('without notice ports', () => {
  it('records no notice intent and reports none, although SENDER_NOTICES is on', async () => {
    const sender = newSender('no-ports');
    const messageId = newMessageId('no-ports');
    const deps = run.deps();
    expect(deps.config.notices.enabled).toBe(true);
    const { report } = await processWith({ ...deps, notices: null }, 'no-ports', composeMail({ from: sender, messageId }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report.notice).toBeNull();
    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    expect(entry).toMatchObject({ state: 'skipped', reason: 'no-ticket-ref' });
    expect(entry).not.toHaveProperty('notice');
    expect(await noticesTo(sender)).toEqual([]);
  });
});

describe('a mail too large to read', () => {
  const large = { MAX_MAIL_BYTES: '100000' };

  it('is told from a header block longer than one read of the stream', async () => {
    const sender = newSender('long-head');
    const { report } = await processWith(run.deps(large), 'long-head', mailWithLongHeaderBlock(sender));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'too-large' });
    expect(report.notice).toEqual({ kind: 'sent', reason: 'too-large', to: sender });
  });

  it(`reads the header block from the first ${HEADER_BLOCK_BYTES} bytes and waits for none beyond them`, async () => {
    const sender = newSender('stalled');
    const deps = run.deps(large);
    const rawMail = withHeaderBlockRead(deps.rawMail, ({ body, size }) => ({ body: Readable.from(stallingAfter(body, 64 * 1024, HEADER_BLOCK_BYTES / (64 * 1024))), size }));
    const { report } = await processWith({ ...deps, rawMail }, 'stalled', mailWithLongHeaderBlock(sender));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'too-large' });
    expect(report.notice).toEqual({ kind: 'sent', reason: 'too-large', to: sender });
  });

  it('sends no notice when its header block cannot be read, and says why; the skip is recorded all the same', async () => {
    const sender = newSender('unreadable');
    const deps = run.deps(large);
    const rawMail = withHeaderBlockRead(deps.rawMail, ({ body }) => {
      body.destroy();
      throw new Error('GetObject raw mail failed: SlowDown');
    });
    const { location, report } = await processWith({ ...deps, rawMail }, 'unreadable', composeMail({ from: sender, body: 'x'.repeat(200_000) }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'too-large' });
    expect(report.notice).toEqual({ kind: 'suppressed', reason: 'too-large', why: 'failed', detail: 'reading the header block: Error: GetObject raw mail failed: SlowDown' });
    expect(await fixture.aws.ledgerEntriesOf(location.key)).toEqual([expect.objectContaining({ state: 'skipped', reason: 'too-large' })]);
    expect(await noticesTo(sender)).toEqual([]);
  });

  it('without a header block tells no one (no-from), whatever SES\'s receipt says: a mail without headers is not screened', async () => {
    const envelope: Envelope = { recipients: ['support@helpdesk.example'], verdicts: { spam: 'FAIL', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' } };
    const { report } = await processWith(run.deps(large), 'headerless', 'x'.repeat(200_000), envelope);
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'too-large' });
    expect(report.notice).toEqual({ kind: 'suppressed', reason: 'too-large', why: 'no-from' });
  });
});
