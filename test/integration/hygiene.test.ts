/**
 * Mail hygiene and security through the real handler against dynalite and s3rver: automatic
 * replies, bounces, loops, SES verdicts, who may write into a ticket, signed reply addresses, and
 * the attachment policy. Fixtures: test/fixtures/hygiene/, one file per case.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../lib/adapters/aws-clients.js';
import { DynamoMessageLedger } from '../../lib/adapters/dynamodb-message-ledger.js';
import { DynamoTicketStore } from '../../lib/adapters/dynamodb-ticket-store.js';
import { registerOutboundMessage } from '../../lib/outbound.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { mintReplyAddress, replyTokenMac } from '../../lib/screening/reply-token.js';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/hygiene');
const SECRET = 'test-secret-of-at-least-thirty-two-characters';
const keys = { current: Buffer.from(SECRET), previous: null };

const fixture = useGateway({
  mode: 'update-only',
  env: {
    REPLY_TOKEN_SECRET: SECRET,
    AGENT_ADDRESSES: 'lead@example.com,@staff.example.com',
    MAX_ATTACHMENTS: '3',
    MAX_ATTACHMENT_BYTES: '50000',
    MAX_ATTACHMENTS_TOTAL_BYTES: '80000',
  },
});

async function deliverFixture(name: string) {
  return fixture.gateway.deliver(name, await readFile(join(FIXTURES, name)));
}

beforeAll(async () => {
  // The helpdesk registered the notification it sent for ticket 42 (bounces and replies name it).
  const clients = createAwsClients();
  const { dynamo } = clients;
  const names = fixture.gateway.stack.names;
  await registerOutboundMessage(
    { tickets: new DynamoTicketStore(dynamo, names.ticketsTable), ledger: new DynamoMessageLedger(dynamo, names.messagesTable) },
    '<notification-42-1.5f2c9e1b7a@helpdesk.example>',
    42,
  );
  destroyAwsClients(clients);
});

describe('screening', () => {
  it.each([
    ['outlook-out-of-office.eml', 'auto-reply'],
    ['gmail-vacation-responder.eml', 'auto-reply'],
    ['german-abwesenheitsnotiz.eml', 'auto-reply'],
    ['loop-from-own-address.eml', 'loop'],
    ['loop-header.eml', 'loop'],
    ['ses-spam-verdict-fail.eml', 'spam'],
    ['dmarc-fail.eml', 'dmarc-fail'],
    ['forged-update-by-stranger.eml', 'sender-not-allowed'],
  ])('skips %s as %s, keeps it tagged and records it', async (file, reason) => {
    const report = await deliverFixture(file);
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason });
    expect(await fixture.aws.tags(report.location.key)).toMatchObject({ [RAW_MAIL_TAGS.reason]: reason });
    // Filed by its object when its Message-ID is in our own domain (loop-from-own-address.eml).
    const entry = (await fixture.aws.ledger()).find((e) => e.key === report.location.key);
    expect(entry).toMatchObject({ state: 'skipped', reason });
  });

  it('records a bounce with its failed recipient, the bounced Message-ID and its ticket', async () => {
    const report = await deliverFixture('postfix-bounce-of-notification.eml');
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'bounce', ticketId: 42 });
    expect(await fixture.aws.ledgerEntry(String(report.messageId))).toMatchObject({
      reason: 'bounce',
      ticketId: 42,
      bounce: { failedRecipients: ['gone@example.net'], originalMessageId: 'notification-42-1.5f2c9e1b7a@helpdesk.example', ticketId: 42 },
    });
  });

  it.each([
    ['qmail-failure-notice.eml', ['gone@example.net'], 'notification-42-1.5f2c9e1b7a@helpdesk.example', 42],
    ['exim-failed-recipients.eml', ['gone@example.org'], 'notification-42-2@helpdesk.example', null],
  ])('recognises the plain-text bounce %s, with what it says', async (file, failedRecipients, originalMessageId, ticketId) => {
    const report = await deliverFixture(file);
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'bounce' });
    expect((await fixture.aws.ledgerEntry(String(report.messageId)))?.bounce).toEqual({ failedRecipients, originalMessageId, ticketId });
  });

  it('moves mail with a virus to the quarantine prefix, and a redelivery stays one skip', async () => {
    const event = await fixture.gateway.store('inbound/virus.eml', await readFile(join(FIXTURES, 'ses-virus-verdict-fail.eml')));
    const first = await fixture.gateway.handler(structuredClone(event));
    expect('mails' in first && first.mails[0]?.outcome).toMatchObject({ kind: 'skipped', reason: 'virus' });
    expect(await fixture.aws.keys('inbound/virus.eml')).toEqual([]);
    expect(await fixture.aws.keys('quarantine/inbound/virus.eml')).toEqual(['quarantine/inbound/virus.eml']);

    const again = await fixture.gateway.handler(structuredClone(event));
    expect('mails' in again && again.mails[0]).toMatchObject({ redelivered: true, outcome: { kind: 'skipped', reason: 'virus' } });
    const entries = (await fixture.aws.ledger()).filter((e) => e.key === 'inbound/virus.eml');
    expect(entries).toEqual([expect.objectContaining({ reason: 'virus', quarantineKey: 'quarantine/inbound/virus.eml' })]);
  });

  it('acts on the verdicts of an SES receipt: virus, spam, and DMARC under a reject policy', async () => {
    const verdicts = [
      [{ virusVerdict: { status: 'FAIL' } }, 'virus'],
      [{ spamVerdict: { status: 'FAIL' } }, 'spam'],
      [{ dmarcVerdict: { status: 'FAIL' }, dmarcPolicy: 'reject' }, 'dmarc-fail'],
      // Not screened under a none policy, but then nothing authenticates the participant's From.
      [{ dmarcVerdict: { status: 'FAIL' }, dmarcPolicy: 'none' }, 'sender-unverified'],
      [{ dmarcVerdict: { status: 'PASS' } }, 'followup'],
    ] as const;
    for (const [n, [receipt, expected]] of verdicts.entries()) {
      const messageId = newMessageId(`receipt-${n}`);
      await fixture.gateway.store(`inbound/ses-${n}`, composeMail({ messageId, subject: '[support-42] via SES' }));
      await fixture.gateway.handler({ Records: [{ eventSource: 'aws:ses', ses: { mail: { messageId: `ses-${n}` }, receipt: { recipients: ['support@helpdesk.example'], ...receipt } } }] });
      const entries = (await fixture.aws.ledger()).filter((e) => e.key === `inbound/ses-${n}`);
      expect(entries, JSON.stringify(receipt)).toEqual([expected === 'followup' ? expect.objectContaining({ outcome: 'followup' }) : expect.objectContaining({ reason: expected })]);
    }
  });
});

describe('who may write into a ticket', () => {
  it('accepts the submitter, a CC and an agent by subject tag', async () => {
    for (const from of ['alice@example.com', 'Bob <BOB@example.com>', 'lead@example.com', 'someone@staff.example.com']) {
      const report = await fixture.gateway.deliver('participant.eml', composeMail({ from, subject: 'Re: [support-42] ok' }));
      expect(report.outcome, from).toMatchObject({ kind: 'followup', ticketId: 42 });
    }
  });

  it('accepts a participant replying in the thread of a notification, and refuses a stranger (a Message-ID authorizes nobody)', async () => {
    const inReplyTo = '<notification-42-1.5f2c9e1b7a@helpdesk.example>';
    const participant = await fixture.gateway.deliver('thread.eml', composeMail({ subject: 'Re: Printer', inReplyTo }));
    expect(participant.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const stranger = await fixture.gateway.deliver('thread-stranger.eml', composeMail({ from: 'new.person@example.org', subject: 'Re: Printer', inReplyTo }));
    expect(stranger.outcome).toMatchObject({ kind: 'skipped', reason: 'sender-not-allowed', ticketId: 42 });
  });

  it('records the ticket a refused sender named, for a replay after adding them', async () => {
    const report = await fixture.gateway.deliver('stranger.eml', composeMail({ from: 'stranger@example.org', subject: 'Re: [support-7] x' }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'sender-not-allowed', ticketId: 7 });
  });
});

describe('signed reply addresses', () => {
  it('apply mail sent to a valid reply address, from anyone, ahead of any subject tag', async () => {
    const to = mintReplyAddress('support@helpdesk.example', 42, keys);
    const report = await fixture.gateway.deliver('token.eml', composeMail({ from: 'forwarded.colleague@example.org', to, subject: 'Re: [billing-7] quoted' }));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
  });

  it('skip mail to a reply address whose signature does not match as bad-reply-token, when nothing else names a ticket', async () => {
    const to = `support+43.${replyTokenMac(keys.current, 42)}@helpdesk.example`;
    const report = await fixture.gateway.deliver('bad-token.eml', composeMail({ from: 'carol@example.com', to, subject: 'Re: hi' }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'bad-reply-token', ticketId: 43 });
  });

  it('let a valid reference of a participant outrank a bad or retired reply token', async () => {
    const retired = replyTokenMac(Buffer.from('a-retired-secret-of-at-least-thirty-two-characters'), 43);
    const report = await fixture.gateway.deliver('retired-token.eml', composeMail({ from: 'carol@example.com', to: `support+43.${retired}@helpdesk.example`, subject: 'Re: [support-43] hi' }));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 43 });
  });

  it('mints addresses from the command line', async () => {
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { stdout } = await promisify(execFile)(join(import.meta.dirname, '../../node_modules/.bin/tsx'), ['lib/cli/reply-address.ts', '--ticket', '42', '--mailbox', 'support@helpdesk.example'], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...process.env, REPLY_TOKEN_SECRET: SECRET },
    });
    expect(stdout.trim()).toBe(mintReplyAddress('support@helpdesk.example', 42, keys));
  });
});

describe('attachment policy', () => {
  it('stores allowed attachments and records refused ones on the follow-up, still applying the mail', async () => {
    const ok = randomBytes(30_000);
    const raw = await composeMime({
      from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'Re: [support-42] files', messageId: newMessageId('attachments'), text: 'see attached',
      attachments: [
        { filename: 'invoice.pdf.exe', content: randomBytes(100) },
        { filename: '../photo.png', content: ok },
        { filename: 'big.bin', content: randomBytes(60_000) },
        { filename: 'page.html', content: '<script>alert(1)</script>', contentType: 'text/html' },
        { filename: 'fifth.txt', content: 'one too many' },
      ],
    });
    const report = await fixture.gateway.deliver('attachments.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entry = await fixture.aws.ledgerEntry(String(report.messageId));
    const attachments = entry?.attachments as { filename: string; refused: string | null; key: string | null }[];
    expect(attachments.map((a) => [a.filename, a.refused, a.key !== null])).toEqual([
      ['invoice.pdf.exe', 'denied-extension', false],
      ['photo.png', null, true],
      ['big.bin', 'too-large', false],
      ['page.html', 'too-many', false],
      ['fifth.txt', 'too-many', false],
    ]);
    const stored = attachments[1]?.key as string;
    expect((await fixture.aws.objectBytes(stored)).equals(ok)).toBe(true);
    const head = await fixture.aws.objectHead(stored);
    expect(head.ContentType).toBe('application/octet-stream');
    expect(head.ContentDisposition).toBe("attachment; filename*=UTF-8''photo.png");
    await head.Body?.transformToByteArray();
    // The refused big attachment left nothing behind.
    expect(await fixture.aws.keys(stored.replace(/\d+$/, '2'))).toEqual([]);
  });

  it('refuses attachments past the total size of a mail', async () => {
    const raw = await composeMime({
      from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'Re: [support-42] total', messageId: newMessageId('total'), text: 't',
      attachments: [
        { filename: 'a.bin', content: randomBytes(45_000) },
        { filename: 'b.bin', content: randomBytes(45_000) },
      ],
    });
    const report = await fixture.gateway.deliver('total.eml', raw);
    const attachments = (await fixture.aws.ledgerEntry(String(report.messageId)))?.attachments as { refused: string | null }[];
    expect(attachments.map((a) => a.refused)).toEqual([null, 'total-too-large']);
  });
});

describe('hostile input', () => {
  it('handles a 100 KB subject and 100 KB headers in a mail through the handler', async () => {
    const messageId = newMessageId('hostile');
    const raw = composeMail({
      messageId,
      from: 'alice@example.com',
      subject: `${'[support-'.repeat(10_000)} [support-42]`,
      headers: [`Received: ${'from x by y for '.repeat(7_000)}`, `References: ${'<a@b> '.repeat(17_000)}`, `X-Autoreply-Not: ${'x'.repeat(100_000)}`],
    });
    const report = await fixture.gateway.deliver('hostile.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    expect(report.messageId).toBe(bare(messageId));
  });
});

describe('verdicts SES did not write', () => {
  // SES prepends its headers: only the topmost X-SES-* and Authentication-Results are its own. One
  // a sender wrote further down changes nothing, whichever way it points.
  it.each([
    ['forged-spam-pass-below-ses-fail.eml', { kind: 'skipped', reason: 'spam' }],
    ['forged-virus-pass-below-ses-fail.eml', { kind: 'skipped', reason: 'virus' }],
    ['forged-spam-fail-below-ses-pass.eml', { kind: 'followup', ticketId: 42 }],
    ['forged-authentication-results-below-ses.eml', { kind: 'skipped', reason: 'sender-unverified' }],
  ])('decides %s by the topmost header: %o', async (file, outcome) => {
    const report = await deliverFixture(file);
    expect(report.outcome).toMatchObject(outcome);
  });
});
