/**
 * Replay (lib/replay.ts) and the ledger scan it stands on, run in this process against the embedded
 * stack: which skipped mail a filter selects, in what order, what a dry run writes (nothing), and
 * when a replayed mail's old skip entry goes. replay.test.ts and replay-keeps.test.ts run the same
 * through `npm run replay` in a child process (its output, its exit codes); here each rule is pinned
 * where mutation testing can see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../../lib/adapters/aws-clients.js';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import { loadConfig } from '../../lib/config.js';
import type { SkippedEntry } from '../../lib/ledger-entry.js';
import { createMailProcessor, type MailProcessor } from '../../lib/pipeline/index.js';
import type { MessageLedger, SkippedFilter } from '../../lib/ports.js';
import { replaySkipped, type ReplayResult } from '../../lib/replay.js';
import { useGateway } from '../helpers/gateway.js';
import { skippedEntry } from '../helpers/ledger-entries.js';
import { composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'update-only', env: { MAX_MAIL_BYTES: '20000' } });

let ledger: MessageLedger;
let processMail: MailProcessor;
/** The pipeline with the size limit raised, as after an operator changed MAX_MAIL_BYTES. */
let processMailRaised: MailProcessor;

let clients: AwsClients;

beforeAll(() => {
  clients = createAwsClients();
  const pipeline = awsPipelineDeps(loadConfig(), clients, null);
  ledger = pipeline.ledger;
  processMail = createMailProcessor(pipeline);
  processMailRaised = createMailProcessor(awsPipelineDeps(loadConfig({ ...process.env, MAX_MAIL_BYTES: String(10 * 1024 * 1024) }), clients, null));
});

afterAll(() => {
  destroyAwsClients(clients);
});

async function replay(filter: SkippedFilter, options: { dryRun?: boolean; processMail?: MailProcessor } = {}): Promise<ReplayResult[]> {
  const results: ReplayResult[] = [];
  const deps = { ledger, processMail: options.processMail ?? processMail };
  for await (const result of replaySkipped(deps, filter, { dryRun: options.dryRun ?? false })) results.push(result);
  return results;
}

/** Delivers a mail and returns its (one) ledger entry. */
async function skippedMail(name: string, subject: string, body?: string): Promise<Record<string, unknown>> {
  const messageId = newMessageId(name);
  const report = await fixture.gateway.deliver(`${name}.eml`, composeMail({ messageId, subject, ...(body ? { body } : {}) }));
  expect(report.outcome.kind).toBe('skipped');
  const entries = await fixture.aws.ledgerEntriesOf(report.location.key);
  expect(entries).toHaveLength(1);
  return entries[0] as Record<string, unknown>;
}

const keysOf = (results: readonly ReplayResult[]) => results.map((r) => r.entry.key);

describe('replaying skipped mail', () => {
  it('selects by ticket, by reason and by time (from the instant given on), oldest first, and writes nothing in a dry run', async () => {
    const first = await skippedMail('inproc-ticket-301', 'Re: [support-301] first');
    const second = await skippedMail('inproc-ticket-301-b', 'Re: [support-301] second');
    const noTag = await skippedMail('inproc-notag', 'no tag at all');
    // A ticket that a real replay would now apply the first two to: a dry run must not.
    await fixture.aws.putTicket({ id: 301, status: 'open', submitter: 'alice@example.com' });
    const before = await fixture.aws.ledger();

    const byTicket = await replay({ ticketId: 301 }, { dryRun: true });
    expect(keysOf(byTicket)).toEqual([first.key, second.key]);
    expect(byTicket.map((r) => r.report)).toEqual([null, null]);
    expect(byTicket[0]?.entry).toMatchObject({ state: 'skipped', reason: 'ticket-not-found', ticketId: 301, messageKey: first.messageKey, recordedAt: first.recordedAt });

    const byReason = keysOf(await replay({ reason: 'no-ticket-ref' }, { dryRun: true }));
    expect(byReason).toContain(noTag.key);
    expect(byReason).not.toContain(first.key);

    const all = await replay({}, { dryRun: true });
    expect(keysOf(all)).toEqual(expect.arrayContaining([first.key, second.key, noTag.key]));
    const times = all.map((r) => r.entry.recordedAt);
    expect(times).toEqual([...times].sort());
    // Only inbound skipped entries: no applied entry, no outbound Message-ID.
    expect(all.every((r) => r.entry.state === 'skipped' && r.entry.direction === 'inbound')).toBe(true);

    const since = keysOf(await replay({ since: new Date(String(second.recordedAt)) }, { dryRun: true }));
    expect(since).toContain(second.key);
    expect(since).not.toContain(first.key);
    expect(await replay({ since: new Date('2999-01-01') }, { dryRun: true })).toEqual([]);

    expect(await fixture.aws.ledger()).toEqual(before);
    expect(await fixture.aws.followups(301)).toEqual([]);
  });

  it('goes oldest first, and keeps entries recorded at the same instant in the order the ledger listed them', async () => {
    // Skips of ticket 7001 recorded at these seconds: four at :03, two at :05.
    const seconds = [5, 3, 3, 7, 1, 5, 2, 3, 6, 3];
    for (const [i, second] of seconds.entries()) {
      const messageKey = `replay-order-${i}@test.example`;
      await ledger.record(skippedEntry({
        messageKey, messageId: messageKey, key: `inbound/replay-order-${i}.eml`, reason: 'ticket-not-found', ticketId: 7001,
        detail: 'ticket 7001 does not exist', recordedAt: `2026-03-01T10:00:0${second}.000Z`,
      }));
    }
    const listed: SkippedEntry[] = [];
    for await (const entry of ledger.skipped({ ticketId: 7001 })) listed.push(entry);
    const listedTimes = listed.map((e) => e.recordedAt);
    // The ledger's own order is not already the replay's (else this test could not tell).
    expect(listedTimes).not.toEqual([...listedTimes].sort());

    const expected = [...listed].sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt)).map((e) => e.messageKey);
    expect((await replay({ ticketId: 7001 }, { dryRun: true })).map((r) => r.entry.messageKey)).toEqual(expected);
  });

  it('applies mail once its ticket exists, rewriting the skip entry under the same key into the follow-up', async () => {
    const entry = await skippedMail('inproc-ticket-302', 'Re: [support-302] waiting');
    await fixture.aws.putTicket({ id: 302, status: 'open', submitter: 'alice@example.com' });

    const results = await replay({ ticketId: 302 });
    expect(results).toHaveLength(1);
    expect(results[0]?.report?.outcome).toMatchObject({ kind: 'followup', ticketId: 302 });
    expect(await fixture.aws.ledgerEntriesOf(String(entry.key))).toEqual([
      expect.objectContaining({ messageKey: entry.messageKey, state: 'applied', ticketId: 302 }),
    ]);
    expect(await fixture.aws.followups(302)).toHaveLength(1);
    expect(await replay({ ticketId: 302 })).toEqual([]);
  });

  it('removes the old skip entry when the replayed outcome went under another key (a too-large mail now read)', async () => {
    const entry = await skippedMail('inproc-big', '[support-42] big', 'y'.repeat(30_000));
    expect(entry).toMatchObject({ reason: 'too-large' });

    const [result] = (await replay({ reason: 'too-large' }, { processMail: processMailRaised })).filter((r) => r.entry.key === entry.key);
    expect(result?.report?.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entries = await fixture.aws.ledgerEntriesOf(String(entry.key));
    expect(entries).toEqual([expect.objectContaining({ state: 'applied' })]);
    expect(entries[0]?.messageKey).not.toBe(entry.messageKey);
  });

  it('keeps the skip entry as it was when the mail comes to the same skip, or must be retried', async () => {
    const entry = await skippedMail('inproc-same', 'still no tag');
    const [same] = (await replay({ reason: 'no-ticket-ref' })).filter((r) => r.entry.key === entry.key);
    expect(same?.report?.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(await fixture.aws.ledgerEntriesOf(String(entry.key))).toEqual([entry]);

    const big = await skippedMail('inproc-big-retry', '[support-42] big again', 'y'.repeat(30_000));
    // A pipeline whose S3 read fails as a throttled S3 would: the replay must be retried. (A stand-in
    // for processMail rather than a mocked AWS client: the outcome, not the call, is what is tested.)
    const retrying: MailProcessor = async (location) => ({ location, messageId: null, outcome: { kind: 'retry', error: 'GetObject raw mail failed: SlowDown' }, redelivered: false });
    const [retried] = (await replay({ reason: 'too-large' }, { processMail: retrying })).filter((r) => r.entry.key === big.key);
    expect(retried?.report?.outcome.kind).toBe('retry');
    expect(await fixture.aws.ledgerEntriesOf(String(big.key))).toEqual([big]);
  });
});

describe('removing a replayed skip entry', () => {
  it('removes the entry only while it is still the skip that was listed', async () => {
    const entry = await skippedMail('inproc-remove', 'no tag, to remove');
    const [listed] = (await replay({ reason: 'no-ticket-ref' }, { dryRun: true })).filter((r) => r.entry.key === entry.key);
    const skipped = listed?.entry as SkippedEntry;

    expect(await ledger.removeSkipped({ ...skipped, recordedAt: '2000-01-01T00:00:00.000Z' })).toBe(false);
    expect(await fixture.aws.ledgerEntry(skipped.messageKey)).toEqual(entry);

    expect(await ledger.removeSkipped(skipped)).toBe(true);
    expect(await fixture.aws.ledgerEntry(skipped.messageKey)).toBeUndefined();
    expect(await ledger.removeSkipped(skipped)).toBe(false);
  });

  it('does not remove an entry that is no longer a skip', async () => {
    const entry = await skippedMail('inproc-applied-later', 'Re: [support-303] later');
    const [listed] = await replay({ ticketId: 303 }, { dryRun: true });
    await fixture.aws.putTicket({ id: 303, status: 'open', submitter: 'alice@example.com' });
    await replay({ ticketId: 303 });
    const applied = await fixture.aws.ledgerEntry(String(entry.messageKey));
    expect(applied).toMatchObject({ state: 'applied' });
    // Same key, and (written within the same millisecond or not) no longer `skipped`.
    expect(await ledger.removeSkipped({ ...(listed?.entry as SkippedEntry), recordedAt: String(applied?.recordedAt) })).toBe(false);
    expect(await fixture.aws.ledgerEntry(String(entry.messageKey))).toEqual(applied);
  });
});
