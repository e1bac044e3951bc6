/**
 * A Message-ID reused by mails of other content (a monitoring system or a broken mailer that sends
 * every alert under one Message-ID, with the same header block: From, To, Subject, and a Date it
 * repeats or leaves out). The Message-ID is the sender's text: it may make a stored copy of the
 * same mail a duplicate, never a mail of other content. Pinned, through `createMailProcessor` with
 * the real AWS adapters against the embedded dynalite and s3rver:
 * - the first such mail is filed under the Message-ID, the second under `<Message-ID>#<header-block
 *   fingerprint>`, and every further one under its own stored object (the header-block key leaves
 *   the body out, so it cannot tell the third mail from the second): each is applied once;
 * - a redelivery of any of them is a redelivery, not one more follow-up;
 * - a second stored copy of one of them is a duplicate, at whichever key it meets its original;
 * - the same for new tickets, where the key is claimed before the ticket is opened.
 * Found by a review: the third mail was recorded as a duplicate of the second and never applied.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { MailLocation } from '../../lib/ledger-entry.js';
import { objectKeyOf } from '../../lib/ledger-outcomes.js';
import { createMailProcessor, type MailProcessor } from '../../lib/pipeline/index.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { useStageRun } from '../helpers/stage-run.js';

const fixture = useGateway({
  mode: 'update-only',
  env: { MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create' },
});

const run = useStageRun(fixture);
let processMail: MailProcessor;

beforeAll(() => {
  processMail = createMailProcessor(run.deps());
});

/** The ledger key each stored object was filed under (its one ledger entry). */
async function keysOf(locations: readonly MailLocation[]): Promise<string[]> {
  const keys: string[] = [];
  for (const location of locations) {
    const entries = await fixture.aws.ledgerEntriesOf(location.key);
    expect(entries).toHaveLength(1);
    keys.push(String(entries[0]?.messageKey));
  }
  return keys;
}

/** The three keys the mails of one reused Message-ID are filed under, in order (see the header). */
function expectKeyedApart(keys: readonly string[], messageId: string, third: MailLocation): void {
  const [first, second, last] = keys;
  expect(first).toBe(bare(messageId));
  expect(second).toMatch(new RegExp(`^${bare(messageId).replace(/[.]/g, '\\.')}#[0-9a-f]+$`));
  expect(last).toBe(objectKeyOf(third, 'object'));
}

describe('follow-ups that reuse one Message-ID and one header block', () => {
  const alert = (messageId: string, ticketId: number, body: string) =>
    composeMail({ messageId, subject: `Re: [support-${ticketId}] disk alert`, body });

  it('are each added once, the third and fourth filed under their own objects', async () => {
    const [messageId, ticketId] = [newMessageId('alert'), await run.ownTicket()];
    const bodies = ['Disk 1 failed.', 'Disk 2 failed.', 'Disk 3 failed.', 'Disk 4 failed.'];
    const locations: MailLocation[] = [];
    for (const body of bodies) {
      const location = await run.store('reused', alert(messageId, ticketId, body));
      locations.push(location);
      expect((await processMail(location)).outcome).toMatchObject({ kind: 'followup', ticketId });
    }
    const followups = await fixture.aws.followups(ticketId);
    expect(followups.map((followup) => String(followup.body).trim()).sort()).toEqual(bodies);
    const keys = await keysOf(locations);
    expectKeyedApart(keys, messageId, locations[2] as MailLocation);
    expect(keys[3]).toBe(objectKeyOf(locations[3] as MailLocation, 'object'));
  });

  it('are redeliveries when delivered again, at every key, and add nothing', async () => {
    const [messageId, ticketId] = [newMessageId('alert-again'), await run.ownTicket()];
    const locations = [await run.store('reused', alert(messageId, ticketId, 'Fan 1 failed.')), await run.store('reused', alert(messageId, ticketId, 'Fan 2 failed.')), await run.store('reused', alert(messageId, ticketId, 'Fan 3 failed.'))];
    for (const location of locations) await processMail(location);
    for (const location of locations) {
      const again = await processMail(location);
      expect(again).toMatchObject({ redelivered: true, outcome: { kind: 'followup', ticketId } });
    }
    expect(await fixture.aws.followups(ticketId)).toHaveLength(3);
  });

  it('are duplicates when stored twice: a copy of the second meets it at the header-block key', async () => {
    const [messageId, ticketId] = [newMessageId('alert-copy'), await run.ownTicket()];
    await processMail(await run.store('reused', alert(messageId, ticketId, 'Power supply 1 failed.')));
    const second = await run.store('reused', alert(messageId, ticketId, 'Power supply 2 failed.'));
    await processMail(second);
    const copy = await processMail(await run.store('reused', alert(messageId, ticketId, 'Power supply 2 failed.')));
    expect(copy.outcome).toMatchObject({ kind: 'skipped', reason: 'duplicate' });
    expect(await fixture.aws.followups(ticketId)).toHaveLength(2);
  });
});

describe('new tickets that reuse one Message-ID and one header block', () => {
  const request = (messageId: string, body: string) => composeMail({ messageId, to: 'new@helpdesk.example', subject: 'Printer jammed', body });

  it('are each opened once, under three keys', async () => {
    const messageId = newMessageId('request');
    const locations: MailLocation[] = [];
    const ticketIds: number[] = [];
    for (const body of ['Printer 1 jammed.', 'Printer 2 jammed.', 'Printer 3 jammed.']) {
      const location = await run.store('reused', request(messageId, body));
      locations.push(location);
      const { outcome } = await processMail(location);
      expect(outcome.kind).toBe('created');
      if (outcome.kind === 'created') ticketIds.push(outcome.ticketId);
    }
    expect(new Set(ticketIds).size).toBe(3);
    expectKeyedApart(await keysOf(locations), messageId, locations[2] as MailLocation);
    const again = await processMail(locations[2] as MailLocation);
    expect(again).toMatchObject({ redelivered: true, outcome: { kind: 'created', ticketId: ticketIds[2] } });
  });
});
