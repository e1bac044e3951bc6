/**
 * The failure stage (lib/pipeline/failure.ts), driven through `createMailProcessor` with the real
 * AWS adapters against the embedded dynalite and s3rver. Pins what mutation testing found unpinned:
 * - when recording the skip of a failed mail is itself refused by the ledger (an `object-missing`
 *   skip, or a `malformed` one refused for a reason other than UnstorableError), the mail is not
 *   lost and the processor does not throw: its outcome is a `retry` carrying the ledger's error
 *   text (not the mail's own failure), `redelivered: false` (nothing was recorded, so the next
 *   delivery must do the work), and no ledger entry of the object is left; the next delivery then
 *   records the skip;
 * - a mail planned as a follow-up of an existing ticket whose body the parser then refuses is a
 *   `malformed` skip filed under its object key (`objectKeyOf(location, 'object')`), never under
 *   its Message-ID: only a claim for a new ticket is replaced in place by the skip; a follow-up holds
 *   no claim, and an unreadable mail must not hold a Message-ID a readable copy may need.
 *
 * The ledger's refusal is made by a wrapper of the `MessageLedger` port (the real DynamoDB ledger
 * underneath), whose `record` rejects once: no local server can be made to refuse exactly the write
 * of that one skip, so this wraps the port, not an AWS client.
 */
import { describe, expect, it } from 'vitest';
import type { MailLocation } from '../../lib/ledger-entry.js';
import { objectKeyOf, RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { createMailProcessor } from '../../lib/pipeline/index.js';
import type { MessageLedger } from '../../lib/ports.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { useStageRun } from '../helpers/stage-run.js';

const fixture = useGateway({ mode: 'update-only' });
const run = useStageRun(fixture);

/** The ledger entries of one stored object. */
const entriesOf = (location: MailLocation) => fixture.aws.ledgerEntriesOf(location.key);

/**
 * The real ledger, whose first `record` rejects with `refusal` without writing anything; later
 * calls, and every other call, go to the real ledger. `refused` tells whether the refusal happened.
 */
function refusingFirstRecord(ledger: MessageLedger, refusal: Error): { ledger: MessageLedger; refused: () => boolean } {
  let refused = false;
  return {
    refused: () => refused,
    ledger: {
      lookup: (keys) => ledger.lookup(keys),
      claim: (entry, options) => ledger.claim(entry, options),
      reclaim: (messageKey, ticketId) => ledger.reclaim(messageKey, ticketId),
      async record(entry, options) {
        if (refused) return ledger.record(entry, options);
        refused = true;
        throw refusal;
      },
      skipped: (filter) => ledger.skipped(filter),
      removeSkipped: (entry) => ledger.removeSkipped(entry),
      pendingClaims: (before) => ledger.pendingClaims(before),
      registerOutbound: (messageId, ticketId, at) => ledger.registerOutbound(messageId, ticketId, at),
      markPublished: (entry, at) => ledger.markPublished(entry, at),
    },
  };
}

/** A mail with more MIME parts than the parser allows (as in commit-stage.test.ts): its header block parses, its body is refused. */
function tooManyParts(messageId: string, subject: string): string {
  const parts = Array.from({ length: 1_100 }, (_, i) => `--p\nContent-Type: text/plain\n\npart ${i}\n`).join('');
  return composeMail({ messageId, subject, contentType: 'multipart/mixed; boundary="p"', body: `${parts}--p--` });
}

describe('a failed mail whose skip the ledger refuses to record', () => {
  it('object missing: a retry with the ledger\'s error, not redelivered, nothing recorded; the next delivery records the skip', async () => {
    const location: MailLocation = { bucket: fixture.gateway.stack.names.bucket, key: `inbound/never-stored-${bare(newMessageId('gone')).replace('@', '-')}.eml` };
    const refusal = new Error('the ledger refused the write');
    const { ledger, refused } = refusingFirstRecord(run.deps().ledger, refusal);
    const processMail = createMailProcessor({ ...run.deps(), ledger });

    const report = await processMail(location);
    expect(refused()).toBe(true);
    expect(report).toStrictEqual({ location, messageId: null, outcome: { kind: 'retry', error: 'Error: the ledger refused the write' }, redelivered: false, error: refusal });
    expect(await entriesOf(location)).toEqual([]);

    const again = await processMail(location);
    expect(again).toMatchObject({ outcome: { kind: 'skipped', reason: 'object-missing' }, redelivered: false });
    expect(await entriesOf(location)).toEqual([expect.objectContaining({ messageKey: objectKeyOf(location, 'object'), state: 'skipped', reason: 'object-missing' })]);
  });

  it('malformed follow-up, refused for a reason other than an unstorable record: a retry with the ledger\'s error and the mail\'s Message-ID, not redelivered, nothing recorded, the raw mail untagged', async () => {
    const [messageId, ticketId] = [newMessageId('malformed-refused'), await run.ownTicket()];
    const location = await run.store('malformed-refused', tooManyParts(messageId, `Re: [support-${ticketId}] all my parts`));
    const refusal = new Error('throughput exceeded');
    const { ledger, refused } = refusingFirstRecord(run.deps().ledger, refusal);

    const report = await createMailProcessor({ ...run.deps(), ledger })(location);
    expect(refused()).toBe(true);
    expect(report).toStrictEqual({ location, messageId: bare(messageId), outcome: { kind: 'retry', error: 'Error: throughput exceeded' }, redelivered: false, error: refusal });
    expect(await entriesOf(location)).toEqual([]);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toBeUndefined();
    expect(await fixture.aws.tags(location.key)).toEqual({});
    expect(await fixture.aws.followups(ticketId)).toHaveLength(0);
  });
});

describe('a mail planned as a follow-up whose body the parser refuses', () => {
  it('is a malformed skip filed under its object key, with its headers, never under its Message-ID', async () => {
    const [messageId, ticketId] = [newMessageId('followup-malformed'), await run.ownTicket()];
    const subject = `Re: [support-${ticketId}] all my parts`;
    const location = await run.store('followup-malformed', tooManyParts(messageId, subject));

    const report = await createMailProcessor(run.deps())(location);
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'malformed' });
    expect(report.messageId).toBe(bare(messageId));
    expect(await entriesOf(location)).toEqual([
      expect.objectContaining({ messageKey: objectKeyOf(location, 'object'), state: 'skipped', reason: 'malformed', messageId: bare(messageId), from: 'alice@example.com', subject }),
    ]);
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toBeUndefined();
    expect(await fixture.aws.followups(ticketId)).toHaveLength(0);
    expect(await fixture.aws.tags(location.key)).toEqual({ [RAW_MAIL_TAGS.outcome]: 'skipped', [RAW_MAIL_TAGS.reason]: 'malformed' });
  });
});
