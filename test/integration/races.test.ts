/**
 * Concurrent deliveries race on the ledger's conditional writes, and exactly one wins: through the
 * real handler against dynalite and s3rver (the same event delivered at once, one Message-ID
 * stored as several objects at once), and the ledger adapter's conditions themselves, pinned
 * write by write so that a condition that no longer compares the object fails here whatever the
 * interleaving of the concurrent tests.
 */
import { describe, expect, it } from 'vitest';
import { DynamoMessageLedger } from '../../lib/adapters/dynamodb-message-ledger.js';
import type { PendingEntry } from '../../lib/ledger-entry.js';
import type { IngestResult } from '../../lib/ingest-handler.js';
import type { MailReport } from '../../lib/pipeline/index.js';
import { useGateway } from '../helpers/gateway.js';
import { appliedEntry, skippedEntry } from '../helpers/ledger-entries.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'create' });

/** Runs the handler on `event`; a mail that must be retried comes back as its report too. */
async function invoke(event: unknown): Promise<MailReport> {
  const result = await fixture.gateway.handler(structuredClone(event)).catch((error: { mails?: MailReport[] }) => ({ mails: error.mails ?? [] }) as IngestResult);
  const report = 'mails' in result ? result.mails[0] : undefined;
  if (!report) throw new Error('the handler reported no mail');
  return report;
}

const ticketOf = (report: MailReport) => (report.outcome.kind === 'created' || report.outcome.kind === 'followup' ? report.outcome.ticketId : null);

describe('concurrent deliveries of a new ticket\'s mail', () => {
  it('opens one ticket when the same event is delivered three times at once, and every delivery names it', async () => {
    const messageId = newMessageId('new-race');
    const event = await fixture.gateway.store('inbound/new-race.eml', composeMail({ messageId, subject: 'opened once' }));
    const reports = await Promise.all([1, 2, 3].map(() => invoke(event)));

    expect(reports.map((r) => r.outcome.kind)).toEqual(['created', 'created', 'created']);
    const ids = new Set(reports.map(ticketOf));
    expect(ids.size).toBe(1);
    expect(reports.filter((r) => !r.redelivered)).toHaveLength(1);
    const opened = await fixture.aws.ticketsOpenedBy(bare(messageId));
    expect(opened.map((t) => t.id)).toEqual([...ids]);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied', outcome: 'created', ticketId: [...ids][0] });
  });

  it('opens one ticket when one mail is stored as three objects at once: the others end as duplicates', async () => {
    const messageId = newMessageId('stored-thrice');
    const raw = composeMail({ messageId, subject: 'stored three times' });
    const events = await Promise.all([1, 2, 3].map((n) => fixture.gateway.store(`inbound/stored-thrice-${n}.eml`, raw)));
    const first = await Promise.all(events.map(invoke));

    // A copy that finds the winner's claim still pending waits for it (retry); its next delivery
    // finds the winner's content and is a duplicate. Nothing is lost, and one ticket is opened.
    const final = await Promise.all(first.map((report, i) => (report.outcome.kind === 'retry' ? invoke(events[i]) : report)));
    const created = final.filter((r) => r.outcome.kind === 'created');
    expect(created).toHaveLength(1);
    expect(final.filter((r) => r.outcome.kind === 'skipped' && r.outcome.reason === 'duplicate')).toHaveLength(2);
    const opened = await fixture.aws.ticketsOpenedBy(bare(messageId));
    expect(opened.map((t) => t.id)).toEqual([ticketOf(created[0] as MailReport)]);
    const entries = (await fixture.aws.ledger()).filter((e) => e.messageId === bare(messageId));
    expect(entries.filter((e) => e.state === 'applied')).toHaveLength(1);
    expect(entries.filter((e) => e.state === 'pending')).toHaveLength(0);
  });
});

describe('concurrent stored copies of a follow-up', () => {
  it('adds one follow-up when two stored copies of one Message-ID are delivered at once: the other is a duplicate', async () => {
    const messageId = newMessageId('followup-race');
    const raw = composeMail({ messageId, subject: 'Re: [support-42] sent twice' });
    const events = await Promise.all([1, 2].map((n) => fixture.gateway.store(`inbound/followup-race-${n}.eml`, raw)));
    const reports = await Promise.all(events.map(invoke));
    expect(reports.map((r) => r.outcome.kind).sort()).toEqual(['followup', 'skipped']);
    expect(reports.find((r) => r.outcome.kind === 'skipped')?.outcome).toMatchObject({ reason: 'duplicate' });
    expect((await fixture.aws.followups(42)).filter((f) => f.messageId === bare(messageId))).toHaveLength(1);
  });
});

describe('the ledger\'s same-object condition', () => {
  const ledger = () => new DynamoMessageLedger(fixture.aws.db, fixture.gateway.stack.names.messagesTable);
  const objects = (name: string) => ({
    a: { bucket: fixture.gateway.stack.names.bucket, key: `inbound/${name}-a.eml` },
    b: { bucket: fixture.gateway.stack.names.bucket, key: `inbound/${name}-b.eml` },
  });

  it('lets a second object neither replace a final entry nor another object\'s pending claim', async () => {
    const messageKey = bare(newMessageId('condition'));
    const { a, b } = objects('condition');
    const at = new Date().toISOString();
    const claim: PendingEntry = { messageKey, direction: 'inbound', ...a, messageId: messageKey, from: null, subject: 'condition', receivedAt: at, recordedAt: at, state: 'pending', ticketId: 9100, queue: 'support' };
    expect(await ledger().claim(claim)).toMatchObject({ state: 'pending', key: a.key });
    // Another object claims the same key: it gets the holder's claim, not its own.
    expect(await ledger().claim({ ...claim, ...b, ticketId: 9101 })).toMatchObject({ state: 'pending', key: a.key, ticketId: 9100 });
    // Another object's final entry may not replace the pending claim …
    expect(await ledger().record(appliedEntry({ messageKey, ...b, ticketId: 9101 }))).toBe('taken-by-other');
    expect(await fixture.aws.ledgerEntry(messageKey)).toMatchObject({ state: 'pending', key: a.key, ticketId: 9100 });
    // … the claiming object's may, once; then it is recorded, for it and for everyone else.
    expect(await ledger().record(appliedEntry({ messageKey, ...a, ticketId: 9100 }))).toBe('recorded');
    expect(await ledger().record(appliedEntry({ messageKey, ...a, ticketId: 9100 }))).toBe('already-recorded');
    expect(await ledger().record(appliedEntry({ messageKey, ...b, ticketId: 9101 }))).toBe('taken-by-other');
    expect(await fixture.aws.ledgerEntry(messageKey)).toMatchObject({ state: 'applied', key: a.key, ticketId: 9100 });
  });

  it('lets a replay replace only its own object\'s skip', async () => {
    const messageKey = bare(newMessageId('replay-condition'));
    const { a, b } = objects('replay-condition');
    expect(await ledger().record(skippedEntry({ messageKey, ...a, reason: 'ticket-not-found' }))).toBe('recorded');
    expect(await ledger().record(appliedEntry({ messageKey, ...b }), { replacingSkip: true })).toBe('taken-by-other');
    expect(await fixture.aws.ledgerEntry(messageKey)).toMatchObject({ state: 'skipped', key: a.key });
    expect(await ledger().record(appliedEntry({ messageKey, ...a }), { replacingSkip: true })).toBe('recorded');
    expect(await fixture.aws.ledgerEntry(messageKey)).toMatchObject({ state: 'applied', key: a.key });
  });
});
