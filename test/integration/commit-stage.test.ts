/**
 * The commit stage (lib/pipeline/commit.ts), driven through `createMailProcessor` with the real AWS
 * adapters against the embedded dynalite and s3rver. Pins what mutation testing found unpinned:
 * - a mail whose Message-ID another object holds: a duplicate only of the same content; another
 *   mail is processed as a mail of its own (under `<key>#<header-block fingerprint>`); while the
 *   holder is a `pending` claim younger than PENDING_CLAIM_WAIT_MS (15 minutes, to the
 *   millisecond) the mail is retried, with a message that says why;
 * - the same when another object records the Message-ID between this mail's plan and its commit
 *   (the lost race): the duplicate's entry, word for word (detail, fingerprint, the mail's own
 *   Message-ID, sender and subject), and a holder gone again before it could be compared (a retry
 *   that says so);
 * - a Message-ID registered for an outbound notification: the mail claiming it is read to its end
 *   (the holder has no header-block fingerprint), so a body the parser refuses makes it `malformed`,
 *   filed by its object (not `no-ticket-ref` at its header block, kept apart under `<id>#<fingerprint>`);
 * - this very object found recorded at the commit, and by then claimed anew (a replay of it): the
 *   outcome is a retry, and the raw mail keeps the tags it had (none are written for a retry);
 * - the ledger entry's subject, cut at 1,000 characters;
 * - a skip's report when no sender notice was decided: `notice: null`, not absent.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { registerOutboundMessage } from '../../lib/outbound.js';
import type { MailLocation, PendingEntry } from '../../lib/ledger-entry.js';
import { objectKeyOf, RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { PENDING_CLAIM_WAIT_MS } from '../../lib/pipeline/commit.js';
import { createMailProcessor, type MailReport } from '../../lib/pipeline/index.js';
import type { MessageLedger } from '../../lib/ports.js';
import { useGateway } from '../helpers/gateway.js';
import { skippedEntry } from '../helpers/ledger-entries.js';
import { freshTicketId } from '../helpers/local-aws.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { dyingAtTicketWrite, useStageRun } from '../helpers/stage-run.js';

const fixture = useGateway({ mode: 'update-only' });
const run = useStageRun(fixture);

/** A key under the inbound prefix no other test uses. */
const freshKey = (name: string) => `inbound/${name}-${bare(newMessageId('key')).replace('@', '-')}.eml`;

/** The ledger entries of one stored object. */
const entriesOf = (location: MailLocation) => fixture.aws.ledgerEntriesOf(location.key);

/** Expects `report` to be a follow-up of `ticketId` filed under the Message-ID with its content key appended. */
async function expectOwnFollowup(report: MailReport, messageId: string, ticketId: number): Promise<void> {
  expect(report.outcome).toMatchObject({ kind: 'followup', ticketId });
  const entries = await entriesOf(report.location);
  expect(entries).toEqual([expect.objectContaining({ state: 'applied', ticketId, messageKey: expect.stringMatching(new RegExp(`^${bare(messageId).replace(/[.]/g, '\\.')}#.+`)) })]);
}

/**
 * The real ledger, with `before` and `after` run around its first `record` only: what another
 * delivery does at that moment. The real ledger cannot be made to interleave two deliveries at one
 * chosen step; this wrapper only decides when the other delivery's own real writes happen.
 */
function interleaved(ledger: MessageLedger, around: { before?: () => Promise<unknown>; after?: () => Promise<unknown> }): MessageLedger {
  let armed = true;
  return {
    lookup: (keys) => ledger.lookup(keys),
    claim: (entry, options) => ledger.claim(entry, options),
    reclaim: (messageKey, ticketId) => ledger.reclaim(messageKey, ticketId),
    async record(entry, options) {
      if (!armed) return ledger.record(entry, options);
      armed = false;
      await around.before?.();
      const result = await ledger.record(entry, options);
      await around.after?.();
      return result;
    },
    skipped: (filter) => ledger.skipped(filter),
    removeSkipped: (entry) => ledger.removeSkipped(entry),
    pendingClaims: (before) => ledger.pendingClaims(before),
    registerOutbound: (messageId, ticketId, at) => ledger.registerOutbound(messageId, ticketId, at),
    markPublished: (entry, at) => ledger.markPublished(entry, at),
  };
}

describe('a Message-ID another object claimed for a new ticket', () => {
  const claimedAt = '2026-11-26T10:00:00.000Z';

  /** Claims `messageId` for another object (a new ticket being opened from it), at {@link claimedAt}. */
  async function claimedElsewhere(messageId: string): Promise<void> {
    const deps = run.deps();
    const claim: PendingEntry = {
      messageKey: bare(messageId), direction: 'inbound', bucket: fixture.gateway.stack.names.bucket, key: freshKey('claim-holder'),
      messageId: bare(messageId), from: 'alice@example.com', subject: 'being opened', receivedAt: claimedAt, recordedAt: claimedAt,
      state: 'pending', ticketId: freshTicketId(), queue: 'support',
    };
    expect(await deps.ledger.claim(claim)).toMatchObject({ state: 'pending', key: claim.key });
  }

  /** Processes a follow-up of `ticketId` with `messageId` when the clock says `claimedAt` + `elapsedMs`. */
  async function processAfter(elapsedMs: number, messageId: string, ticketId: number): Promise<MailReport> {
    const location = await run.store('after-claim', composeMail({ messageId, subject: `Re: [support-${ticketId}] meanwhile` }));
    const now = () => new Date(Date.parse(claimedAt) + elapsedMs);
    return createMailProcessor({ ...run.deps(), now })(location);
  }

  it('is waited for (a retry) while the claim is younger than 15 minutes, to the millisecond', async () => {
    const [messageId, ticketId] = [newMessageId('young-claim'), await run.ownTicket()];
    await claimedElsewhere(messageId);
    const report = await processAfter(15 * 60 * 1000 - 1, messageId, ticketId);
    expect(report.outcome).toEqual({
      kind: 'retry',
      error: `TransientError: another stored mail with this Message-ID is being opened as a ticket (claimed ${claimedAt}): waiting to compare contents`,
    });
    expect(await entriesOf(report.location)).toEqual([]);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'pending', recordedAt: claimedAt });
  });

  it('is no longer waited for once the claim is 15 minutes old: the mail is processed as its own', async () => {
    const [messageId, ticketId] = [newMessageId('old-claim'), await run.ownTicket()];
    await claimedElsewhere(messageId);
    expect(PENDING_CLAIM_WAIT_MS).toBe(15 * 60 * 1000);
    await expectOwnFollowup(await processAfter(15 * 60 * 1000, messageId, ticketId), messageId, ticketId);
  });
});

describe('a Message-ID another object applied before this mail was planned', () => {
  it('keeps a mail of other content apart: processed as its own follow-up, not a duplicate', async () => {
    const [messageId, ticketId] = [newMessageId('applied-other'), await run.ownTicket()];
    const processMail = createMailProcessor(run.deps());
    const first = await processMail(await run.store('applied-first', composeMail({ messageId, subject: `Re: [support-${ticketId}] two texts`, body: 'The first text.' })));
    expect(first.outcome).toMatchObject({ kind: 'followup', ticketId });

    const second = await processMail(await run.store('applied-second', composeMail({ messageId, subject: `Re: [support-${ticketId}] two texts`, body: 'Another text altogether.' })));
    await expectOwnFollowup(second, messageId, ticketId);
    expect(await fixture.aws.followups(ticketId)).toHaveLength(2);
  });
});

describe('a Message-ID another object records between this mail\'s plan and its commit', () => {
  /**
   * Plans `raw` stored as a second object, and lets the first object (holding `firstRaw`) be
   * processed in full just before the second one's ledger write: the second finds the key taken.
   */
  async function losingTheRace(name: string, firstRaw: string, secondRaw: string) {
    const deps = run.deps();
    const [firstAt, secondAt] = [await run.store(`${name}-first`, firstRaw), await run.store(`${name}-second`, secondRaw)];
    let first: MailReport | undefined;
    const ledger = interleaved(deps.ledger, { before: async () => (first = await createMailProcessor(deps)(firstAt)) });
    const second = await createMailProcessor({ ...deps, ledger })(secondAt);
    if (!first) throw new Error('the first object was not processed');
    return { first, second };
  }

  it('records the same content as a duplicate under its object, with the holder\'s fingerprint and the mail\'s own Message-ID, sender and subject', async () => {
    const [messageId, ticketId] = [newMessageId('race-same'), await run.ownTicket()];
    const raw = composeMail({ messageId, subject: `Re: [support-${ticketId}] stored twice` });
    const { first, second } = await losingTheRace('race-same', raw, raw);
    expect(first.outcome).toMatchObject({ kind: 'followup', ticketId });

    const detail = 'another stored mail with this Message-ID and the same content was recorded first';
    expect(second.outcome).toEqual({ kind: 'skipped', reason: 'duplicate', detail });
    const holder = await fixture.aws.ledgerEntry(bare(messageId));
    expect(holder).toMatchObject({ state: 'applied', key: first.location.key, fingerprint: expect.any(String) });
    const duplicate = await fixture.aws.ledgerEntry(objectKeyOf(second.location, 'duplicate'));
    expect(duplicate).toMatchObject({ state: 'skipped', reason: 'duplicate', detail, key: second.location.key, fingerprint: holder?.fingerprint, messageId: bare(messageId), from: 'alice@example.com', subject: `Re: [support-${ticketId}] stored twice` });
    expect(second.messageId).toBe(bare(messageId));
    expect(duplicate).not.toHaveProperty('fingerprintScope');
    expect(await fixture.aws.followups(ticketId)).toHaveLength(1);
  });

  it('processes other content as a mail of its own', async () => {
    const [messageId, ticketId] = [newMessageId('race-other'), await run.ownTicket()];
    const subject = `Re: [support-${ticketId}] two texts at once`;
    const { first, second } = await losingTheRace('race-other', composeMail({ messageId, subject, body: 'One text.' }), composeMail({ messageId, subject, body: 'Quite another text.' }));
    expect(first.outcome).toMatchObject({ kind: 'followup', ticketId });
    await expectOwnFollowup(second, messageId, ticketId);
    expect(await fixture.aws.followups(ticketId)).toHaveLength(2);
  });

  it('is retried when the holder is gone again before it could be compared', async () => {
    const [messageId, ticketId] = [newMessageId('race-gone'), await run.ownTicket()];
    const deps = run.deps();
    // Another object's skip holds the key at the write, and is removed right after it (as a replay
    // of that object removes its skip once its new outcome went under another key).
    const holder = skippedEntry({ messageKey: bare(messageId), messageId: bare(messageId), bucket: fixture.gateway.stack.names.bucket, key: freshKey('gone-holder'), recordedAt: new Date().toISOString() });
    const ledger = interleaved(deps.ledger, {
      before: async () => expect(await deps.ledger.record(holder)).toBe('recorded'),
      after: async () => expect(await deps.ledger.removeSkipped(holder)).toBe(true),
    });
    const location = await run.store('race-gone', composeMail({ messageId, subject: `Re: [support-${ticketId}] holder gone` }));
    const report = await createMailProcessor({ ...deps, ledger })(location);

    expect(report.outcome).toEqual({ kind: 'retry', error: `TransientError: ledger entry ${bare(messageId)} was taken and is gone` });
    expect(await entriesOf(location)).toEqual([]);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toBeUndefined();
  });
});

describe('a Message-ID registered for an outbound notification', () => {
  /** A mail with more MIME parts than the parser allows (as in poison-isolation.test.ts): read to its end, it is malformed. */
  function tooManyParts(messageId: string): string {
    const parts = Array.from({ length: 1_100 }, (_, i) => `--p\nContent-Type: text/plain\n\npart ${i}\n`).join('');
    return composeMail({ messageId, subject: 'no ticket named', contentType: 'multipart/mixed; boundary="p"', body: `${parts}--p--` });
  }

  it('reads the mail claiming it to its end (an outbound holder has no header-block fingerprint to compare at the header block): a body the parser refuses makes it malformed, filed by its object', async () => {
    // An id SES assigned to a notification the helpdesk sent: outside the helpdesk's own domains,
    // so a mail claiming it is filed under it (not by its object) and finds the registration.
    const messageId = `<0100018c${randomBytes(12).toString('hex')}-000000@email.amazonses.com>`;
    const deps = run.deps();
    const ticketId = await run.ownTicket();
    expect(await registerOutboundMessage(deps, messageId, ticketId)).toBe(bare(messageId));
    // To the update-only support@, naming no ticket: read only to its header block, it would be
    // kept apart from the notification and skipped there as no-ticket-ref, its body never parsed.
    const location = await run.store('outbound-id-malformed', tooManyParts(messageId));
    const report = await createMailProcessor(deps)(location);

    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'malformed' });
    expect(await entriesOf(location)).toEqual([expect.objectContaining({ messageKey: objectKeyOf(location, 'object'), state: 'skipped', reason: 'malformed' })]);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ direction: 'outbound', ticketId });
    expect(await fixture.aws.tags(location.key)).toEqual({ [RAW_MAIL_TAGS.outcome]: 'skipped', [RAW_MAIL_TAGS.reason]: 'malformed' });
  });
});

describe('this very object recorded by another attempt between this one\'s plan and its commit', () => {
  it('reports a retry while a replay of it holds the key, and leaves the raw mail\'s tags as they were', async () => {
    const messageId = newMessageId('same-object-claimed');
    const deps = run.deps();
    // No ticket named: in this update-only gateway a skip decided at the header block; a replay
    // under a configuration where support@ opens tickets makes it a new ticket.
    const location = await run.store('same-object-claimed', composeMail({ messageId, subject: 'raced by a replay' }));
    const tags = { [RAW_MAIL_TAGS.outcome]: 'skipped', [RAW_MAIL_TAGS.reason]: 'no-ticket-ref' };
    const replay = dyingAtTicketWrite(run.deps({ UPDATE_ONLY: 'false' }));
    // Just before this attempt's write, another attempt at this object (a second delivery of its
    // event) runs to its end: the skip and the raw mail's tags. Right after that write, a replay of
    // the object claims the key over that skip for a new ticket, and dies before writing it.
    const ledger = interleaved(deps.ledger, {
      before: async () => {
        expect((await createMailProcessor(deps)(location)).outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
        expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'skipped', reason: 'no-ticket-ref', fingerprintScope: 'headers', key: location.key });
        expect(await fixture.aws.tags(location.key)).toEqual(tags);
      },
      after: async () => {
        void createMailProcessor(replay.deps)(location, undefined, { replay: true }); // never settles
        await expect.poll(replay.reached).toBe(true);
      },
    });
    const report = await createMailProcessor({ ...deps, ledger })(location);

    expect(report).toMatchObject({ outcome: { kind: 'retry', error: 'a new ticket from this mail is still being opened' }, redelivered: true });
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'pending', key: location.key });
    expect(await fixture.aws.tags(location.key)).toEqual(tags);
  });
});

describe('the ledger entry', () => {
  it('keeps the first 1,000 characters of a longer subject', async () => {
    const ticketId = await run.ownTicket();
    const words = [`Re: [support-${ticketId}]`, ...Array.from({ length: 400 }, (_, i) => `word${i}`)];
    const subject = words.join(' ');
    // Folded (RFC 5322 2.2.3) every 20 words, so that no header line is over 998 characters.
    const folded = Array.from({ length: Math.ceil(words.length / 20) }, (_, i) => words.slice(i * 20, i * 20 + 20).join(' ')).join('\n ');
    expect(subject.length).toBeGreaterThan(2000);
    const messageId = newMessageId('long-subject');
    const report = await createMailProcessor(run.deps())(await run.store('long-subject', composeMail({ messageId, subject: folded })));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId });
    expect((await fixture.aws.ledgerEntry(bare(messageId)))?.subject).toBe(subject.slice(0, 1000));
  });
});

describe('a skip\'s report', () => {
  it('says `notice: null` when no sender notice was decided (notices off)', async () => {
    const messageId = newMessageId('no-notice');
    const location = await run.store('no-notice', composeMail({ messageId, subject: 'no ticket named' }));
    const report = await createMailProcessor(run.deps())(location);
    expect(report).toStrictEqual({ location, messageId: bare(messageId), outcome: expect.objectContaining({ kind: 'skipped', reason: 'no-ticket-ref' }), redelivered: false, notice: null });
  });
});
