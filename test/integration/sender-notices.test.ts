/**
 * Sender notices (SENDER_NOTICES), through the real handler against dynalite, s3rver and a real
 * local SES v2 server (aws-ses-v2-local), which keeps every mail it was given: what a sender of a
 * skipped mail is told, that machines and strangers are told nothing, that no sender is told twice
 * a day, and that a redelivery or a crash never sends a second notice (but for the one documented
 * case, a crash between the send and the mark).
 *
 * Crashes are simulated with a notice port that never answers: the attempt hangs at that step, as
 * a process killed there would stop, and the same event is then delivered again to the real
 * handler. (A port wrapper, not a mock of SES: the send itself still goes to the local server.)
 */
import { randomBytes } from 'node:crypto';
import type { S3Event } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/adapters/aws-clients.js';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import { loadConfig } from '../../lib/config.js';
import type { IngestResult } from '../../lib/ingest-handler.js';
import { mailsFromS3Notification } from '../../lib/intake.js';
import type { SentMail } from '../../lib/local/ses-server.js';
import { createMailProcessor, type MailReport, type PipelineDeps } from '../../lib/pipeline/index.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const MAILBOXES = 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create';
const fixture = useGateway({ mode: 'update-only', env: { SENDER_NOTICES: 'true', MAILBOXES } });

/**
 * A sender address at a domain no other test (nor another run of the same test) uses: notices are
 * limited per sender domain (10 an hour), and a shared domain would throttle a later test's notice.
 */
const newSender = (label: string) => `${label}@${label}-${randomBytes(4).toString('hex')}.example`;

/** The notices the local SES v2 server received for `address`. */
async function noticesTo(address: string): Promise<SentMail[]> {
  return (await fixture.gateway.stack.ses.sent()).filter((mail) => mail.destination.to.includes(address));
}

const header = (mail: SentMail, name: string) => mail.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** Runs the real handler on an S3 event (again): the mail's report, also when it asks for a retry. */
async function handle(event: S3Event): Promise<MailReport> {
  const result = await fixture.gateway.handler(event).catch((error: { mails?: MailReport[] }) => ({ mails: error.mails ?? [] }) as IngestResult);
  const report = 'mails' in result ? result.mails[0] : undefined;
  if (!report) throw new Error('no report');
  return report;
}

/** A processor over the gateway's stack with other settings or wrapped notice ports. */
function processorWith(env: Record<string, string>, wrap: (notices: NonNullable<PipelineDeps['notices']>) => PipelineDeps['notices'] = (n) => n, now?: () => Date) {
  const config = loadConfig({ ...process.env, ...env });
  const deps = awsPipelineDeps(config, createAwsClients(), null);
  if (!deps.notices) throw new Error('notices are off');
  return createMailProcessor({ ...deps, notices: wrap(deps.notices), ...(now ? { now } : {}) });
}

/** Stores a mail as SES would (under a unique key): its S3 event, and the mail as the handler would take it from it. */
async function storeMail(name: string, raw: string) {
  const event = await fixture.gateway.store(`inbound/${name}-${randomBytes(4).toString('hex')}.eml`, raw);
  const [mail] = mailsFromS3Notification(event, { inboundPrefix: 'inbound/', mailBucket: fixture.gateway.stack.names.bucket }).mails;
  if (!mail) throw new Error('no mail in the event');
  return { event, mail };
}

/** Stores a mail and runs `processor` on it (instead of the handler). */
async function processWith(processor: ReturnType<typeof processorWith>, name: string, raw: string) {
  const { event, mail } = await storeMail(name, raw);
  return { event, report: await processor(mail.location, mail.envelope) };
}

const never = () => new Promise<never>(() => undefined);

describe('sender notices', () => {
  it('tells the sender of a new request to an update-only mailbox, once, from the mailbox, pointing at the create mailbox', async () => {
    const sender = newSender('newcomer');
    const messageId = newMessageId('new-request');
    const report = await fixture.gateway.deliver(
      'new-request.eml',
      composeMail({ from: `Nina <${sender}>`, messageId, references: '<older@customer.example>', subject: 'My printer\r\n is on fire', body: 'SECRET BODY TEXT' }),
    );
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report.notice).toEqual({ kind: 'sent', reason: 'no-ticket-ref', to: sender });

    const [notice, ...more] = await noticesTo(sender);
    expect(more).toEqual([]);
    expect(notice?.from).toBe('support@helpdesk.example');
    expect(notice?.subject).toContain('My printer is on fire');
    expect(notice?.body.text).toContain('new@helpdesk.example');
    expect(notice?.body.text).not.toContain('SECRET BODY TEXT');
    expect(notice && header(notice, 'Auto-Submitted')).toBe('auto-replied');
    expect(notice && header(notice, 'X-Helpdesk-Loop')).toBe('support@helpdesk.example');
    expect(notice && header(notice, 'In-Reply-To')).toBe(messageId);
    expect(notice && header(notice, 'References')).toBe(`<older@customer.example> ${messageId}`);

    const entry = await fixture.aws.ledgerEntry(bare(messageId));
    expect(entry).toMatchObject({ state: 'skipped', notice: { reason: 'no-ticket-ref', to: sender, from: 'support@helpdesk.example' }, noticeDone: { result: 'sent' } });
  });

  it('tells the same sender nothing more for the same reason within 24 hours (suppressed and counted), but tells of another reason', async () => {
    const sender = newSender('repeat');
    await fixture.gateway.deliver('first.eml', composeMail({ from: sender, subject: 'first' }));
    const messageId = newMessageId('second');
    const second = await fixture.gateway.deliver('second.eml', composeMail({ from: sender, messageId, subject: 'second' }));
    expect(second.notice).toEqual({ kind: 'suppressed', reason: 'no-ticket-ref', why: 'recently-noticed' });
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ noticeDone: { result: 'recently-noticed' } });
    const other = await fixture.gateway.deliver('gone.eml', composeMail({ from: sender, subject: 'Re: [support-999] gone' }));
    expect(other.notice).toMatchObject({ kind: 'sent', reason: 'ticket-not-found' });
    expect((await noticesTo(sender)).map((m) => m.subject)).toEqual([expect.stringContaining('first'), expect.stringContaining('gone')]);
  });

  it.each([
    ['an auto-reply', { headers: ['Auto-Submitted: auto-replied'], subject: 'Out of office' }, 'auto-reply'],
    ['a bounce', { from: 'MAILER-DAEMON@customer.example', subject: 'Undelivered Mail Returned to Sender', contentType: 'multipart/report; report-type=delivery-status; boundary="b"' }, 'bounce'],
    ['a loop', { headers: ['X-Helpdesk-Loop: support@helpdesk.example'] }, 'loop'],
  ] as const)('sends nothing for %s', async (_, fields, reason) => {
    const sender = 'from' in fields ? fields.from : newSender('machine');
    const report = await fixture.gateway.deliver(`${reason}.eml`, composeMail({ from: sender, ...fields }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason });
    expect(report.notice ?? null).toBeNull();
    expect(await noticesTo(sender.toLowerCase())).toEqual([]);
  });

  it('sends nothing for an auto-reply even where SKIP_AUTO_REPLIES=false lets it through to no-ticket-ref', async () => {
    const sender = newSender('vacation');
    const processor = processorWith({ SKIP_AUTO_REPLIES: 'false' });
    const { report } = await processWith(processor, 'vacation', composeMail({ from: sender, subject: 'Out of office', headers: ['Auto-Submitted: auto-replied'] }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report.notice).toEqual({ kind: 'suppressed', reason: 'no-ticket-ref', why: 'auto-reply' });
    expect(await noticesTo(sender)).toEqual([]);
  });

  it('sends nothing to a spoofed sender: SES did not authenticate the From', async () => {
    const sender = newSender('spoofed');
    const domain = sender.split('@')[1];
    const results = `Authentication-Results: amazonses.com; spf=fail (spfCheck: 192.0.2.9 is not allowed) client-ip=192.0.2.9; envelope-from=x@attacker.example; helo=x; dkim=none; dmarc=none header.from=${domain};`;
    const report = await fixture.gateway.deliver('spoofed.eml', composeMail({ from: sender, headers: [results] }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(report.notice).toEqual({ kind: 'suppressed', reason: 'no-ticket-ref', why: 'unauthenticated' });
    expect(await noticesTo(sender)).toEqual([]);
  });

  it('sends no second notice for a redelivery', async () => {
    const sender = newSender('redelivered');
    const event = await fixture.gateway.store(`inbound/redelivered-${randomBytes(4).toString('hex')}`, composeMail({ from: sender }));
    const first = await handle(event);
    expect(first.notice).toMatchObject({ kind: 'sent' });
    const again = await handle(event);
    expect(again).toMatchObject({ redelivered: true, notice: null });
    expect(await noticesTo(sender)).toHaveLength(1);
  });

  it('sends the notice once when an attempt dies between the ledger commit and the send, and the mail is delivered again', async () => {
    const sender = newSender('crash-before-send');
    let reachedSend = false;
    const dying = processorWith({}, (notices) => ({ ...notices, throttle: { ...notices.throttle, claimSender: () => ((reachedSend = true), never()) } }));
    const { event, mail } = await storeMail('crash-before-send', composeMail({ from: sender }));
    void dying(mail.location, mail.envelope); // never settles: the attempt "dies" before the send
    await expect.poll(() => reachedSend).toBe(true);
    expect(await noticesTo(sender)).toEqual([]);
    const again = await handle(event);
    expect(again).toMatchObject({ redelivered: true, notice: { kind: 'sent', to: sender } });
    await handle(event);
    expect(await noticesTo(sender)).toHaveLength(1);
  });

  it('sends at most one duplicate when an attempt dies between the send and the mark', async () => {
    const sender = newSender('crash-after-send');
    let sent = false;
    const dying = processorWith({}, (notices) => ({ ...notices, marker: { markNoticed: () => ((sent = true), never()) } }));
    const { event: stored, mail } = await storeMail('crash-after-send', composeMail({ from: sender }));
    void dying(mail.location, mail.envelope);
    await expect.poll(() => sent).toBe(true);
    await handle(stored);
    await handle(stored);
    expect(await noticesTo(sender)).toHaveLength(2);
  });

  it('stops at SENDER_NOTICES_PER_HOUR in one clock hour, and counts the rest as suppressed', async () => {
    const hour = new Date('2099-03-04T05:06:07Z');
    const processor = processorWith({ SENDER_NOTICES_PER_HOUR: '1' }, undefined, () => hour);
    const [a, b] = [newSender('hourly-a'), newSender('hourly-b')];
    expect((await processWith(processor, 'hourly-a', composeMail({ from: a }))).report.notice).toMatchObject({ kind: 'sent' });
    expect((await processWith(processor, 'hourly-b', composeMail({ from: b }))).report.notice).toEqual({ kind: 'suppressed', reason: 'no-ticket-ref', why: 'hourly-limit' });
    expect(await noticesTo(b)).toEqual([]);
  });

  it('points at the first create-mode mailbox of the configuration, past the update-only ones listed before it', async () => {
    const sender = newSender('pointed');
    const MIXED = 'support@helpdesk.example=support:update-only,help@helpdesk.example=support:update-only,new@helpdesk.example=support:create,open@helpdesk.example=support:create';
    const processor = processorWith({ MAILBOXES: MIXED });
    const { report } = await processWith(processor, 'pointed', composeMail({ from: sender, subject: 'Where do I write?' }));
    expect(report.notice).toEqual({ kind: 'sent', reason: 'no-ticket-ref', to: sender });
    const [notice] = await noticesTo(sender);
    expect(notice?.body.text).toContain('To open a new request, please write to new@helpdesk.example.');
    expect(notice?.body.text).not.toMatch(/write to (support|help|open)@/);
  });

  it('leaves out the line pointing at a create mailbox when every mailbox is update-only', async () => {
    const sender = newSender('nowhere');
    const processor = processorWith({ MAILBOXES: 'support@helpdesk.example=support:update-only,help@helpdesk.example=support:update-only' });
    const { report } = await processWith(processor, 'nowhere', composeMail({ from: sender, subject: 'Where do I write?' }));
    expect(report.notice).toEqual({ kind: 'sent', reason: 'no-ticket-ref', to: sender });
    const [notice] = await noticesTo(sender);
    expect(notice?.body.text).toContain('takes only replies to existing tickets');
    expect(notice?.body.text).not.toContain('To open a new request');
  });

  it('tells the sender of a mail too large to read, from its header block alone', async () => {
    const sender = newSender('large');
    const processor = processorWith({ MAX_MAIL_BYTES: '4096' });
    const { report } = await processWith(processor, 'large', composeMail({ from: sender, subject: 'Scans', body: 'x'.repeat(10_000) }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'too-large' });
    expect(report.notice).toEqual({ kind: 'sent', reason: 'too-large', to: sender });
    const [notice] = await noticesTo(sender);
    expect(notice?.body.text).toContain('4 KB');
  });
});
