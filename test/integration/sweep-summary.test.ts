/**
 * The sweep's summary and findings (lib/sweep.ts), as its operator reads them: how much raw mail it
 * listed, how much lay in its window (both edges included), how much had no outcome, what became of
 * what it re-drove, how many unfinished claims it met and released, and whether it stopped early.
 * Also which claims it leaves alone (another bucket's; all of them in a dry run), that it releases
 * as missing only a claim whose mail is gone, and that a claim released by two sweeps at once is
 * counted once. The real pipeline and adapters against dynalite and s3rver; each test lists its own
 * prefix (so its counts are its own), and leaves no unfinished claim behind, even when it fails
 * (afterEach removes them: the claims pass reads the whole ledger). Ticket ids are fresh per run.
 */
import { randomUUID } from 'node:crypto';
import { PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { observeAwsCalls } from '../../lib/adapters/aws-clients.js';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import { S3InboundListing } from '../../lib/adapters/s3-inbound-listing.js';
import { loadConfig } from '../../lib/config.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { createMailProcessor, type MailProcessor } from '../../lib/pipeline/index.js';
import { sweep, type SweepDeps, type SweepFinding, type SweepOptions, type SweepSummary } from '../../lib/sweep.js';
import { useAwsClients } from '../helpers/aws-clients.js';
import { useGateway } from '../helpers/gateway.js';
import { freshTicketId } from '../helpers/local-aws.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({
  mode: 'update-only',
  env: { MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create' },
});

const clients = useAwsClients();
let deps: SweepDeps;
const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Two hours from now: everything stored by the test is past the 60 minutes the sweeps here wait. */
const later = () => new Date(Date.now() + 2 * HOUR);

beforeAll(() => {
  const config = loadConfig();
  const pipeline = awsPipelineDeps(config, clients, null);
  deps = { listing: new S3InboundListing(clients.s3, config.mailBucket), ledger: pipeline.ledger, processMail: createMailProcessor(pipeline), bucket: config.mailBucket, inboundPrefix: config.inboundPrefix };
});

/** A prefix under the inbound prefix that no other test lists. */
const ownPrefix = (label: string) => `inbound/${label}-${randomUUID()}/`;

/** One sweep of `prefix`: its summary and findings. */
async function sweepOf(prefix: string, options: Partial<SweepOptions> & { processMail?: MailProcessor } = {}) {
  const findings: SweepFinding[] = [];
  const { processMail, ...rest } = options;
  const summary = await sweep({ ...deps, inboundPrefix: prefix, ...(processMail ? { processMail } : {}) }, { now: later(), afterMinutes: 60, lookbackHours: 72, ...rest }, (f) => findings.push(f));
  return { summary, findings };
}

/** The claims this file left; removed after each test, so that no claims pass of another test meets one (even after a failure). */
const claimsLeft: string[] = [];

afterEach(async () => {
  for (const messageKey of claimsLeft.splice(0)) {
    await fixture.aws.db.send(new DeleteCommand({
      TableName: fixture.gateway.stack.names.messagesTable, Key: { messageKey },
      ConditionExpression: '#state = :pending', ExpressionAttributeNames: { '#state': 'state' }, ExpressionAttributeValues: { ':pending': 'pending' },
    })).catch((error: unknown) => {
      if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
    });
  }
});

/** Leaves a claim for new ticket `ticketId` (queue support) on the mail at `key`, as a crashed invocation would: its Message-Key. */
async function claimFor(label: string, key: string, ticketId: number, bucket = deps.bucket): Promise<string> {
  const messageKey = bare(newMessageId(label));
  const recordedAt = new Date().toISOString();
  await deps.ledger.claim({
    messageKey, direction: 'inbound', bucket, key, messageId: messageKey, from: 'alice@example.com',
    subject: label, receivedAt: recordedAt, recordedAt, state: 'pending', ticketId, queue: 'support',
  });
  claimsLeft.push(messageKey);
  return messageKey;
}

const nothingDone = { followup: 0, created: 0, skipped: 0, retry: 0 };

describe('the sweep’s summary', () => {
  it('counts the raw mail it listed, what lay in its window, what had no outcome, and the outcomes of what it re-drove', async () => {
    const prefix = ownPrefix('summary');
    await fixture.gateway.store(`${prefix}a.eml`, composeMail({ subject: 'Re: [support-42] lost a' }));
    await fixture.gateway.store(`${prefix}b.eml`, composeMail({ subject: 'Re: [support-42] lost b' }));
    await fixture.gateway.store(`${prefix}c.eml`, composeMail({ subject: 'Re: [support-42] recorded' }));
    await fixture.aws.s3.send(new PutObjectTaggingCommand({ Bucket: deps.bucket, Key: `${prefix}c.eml`, Tagging: { TagSet: [{ Key: RAW_MAIL_TAGS.outcome, Value: 'followup' }] } }));

    // Now, all three are younger than the window's 60 minutes.
    const early = await sweepOf(prefix, { now: new Date() });
    expect(early.summary).toEqual<SweepSummary>({ listed: 3, inWindow: 0, unrecorded: 0, pendingClaims: 0, releasedClaims: 0, outcomes: nothingDone, stoppedEarly: false });

    const { summary, findings } = await sweepOf(prefix);
    expect(summary).toEqual<SweepSummary>({ listed: 3, inWindow: 3, unrecorded: 2, pendingClaims: 0, releasedClaims: 0, outcomes: { ...nothingDone, followup: 2 }, stoppedEarly: false });
    expect(findings.map((f) => (f.kind === 'unrecorded' ? f.location.key : f.entry.key))).toEqual([`${prefix}a.eml`, `${prefix}b.eml`]);
  });

  it('takes mail last modified exactly at either edge of its window, and not a millisecond beyond', async () => {
    const prefix = ownPrefix('edges');
    await fixture.gateway.store(`${prefix}edge.eml`, composeMail({ subject: 'Re: [support-42] on the edge' }));
    const listed = [];
    for await (const mail of deps.listing.list(prefix)) listed.push(mail);
    const modified = (listed[0]?.lastModified ?? new Date(0)).getTime();
    const inWindow = async (now: number, afterMinutes: number, lookbackHours: number) =>
      (await sweepOf(prefix, { now: new Date(now), afterMinutes, lookbackHours, dryRun: true })).summary.inWindow;

    // The newest edge: exactly `afterMinutes` old.
    expect(await inWindow(modified + 60 * MINUTE, 60, 72)).toBe(1);
    expect(await inWindow(modified + 60 * MINUTE - 1, 60, 72)).toBe(0);
    // The oldest edge: exactly `lookbackHours` old.
    expect(await inWindow(modified + HOUR, 0, 1)).toBe(1);
    expect(await inWindow(modified + HOUR + 1, 0, 1)).toBe(0);
  });
});

describe('unfinished claims', () => {
  it('leaves a claim on another bucket’s mail alone: not counted, not re-driven', async () => {
    const ticketId = freshTicketId();
    const messageKey = await claimFor('sweep-other-bucket', 'inbound/elsewhere.eml', ticketId, 'another-bucket');
    const { summary, findings } = await sweepOf(ownPrefix('other-bucket'));
    expect(summary).toMatchObject({ pendingClaims: 0, releasedClaims: 0, outcomes: nothingDone });
    expect(findings).toEqual([]);
    expect(await fixture.aws.ledgerEntry(messageKey)).toMatchObject({ state: 'pending', ticketId });
  });

  it('stops before reading the tags of mail in its window when told it is out of time, recorded mail included', async () => {
    const prefix = ownPrefix('stop-tags');
    await fixture.gateway.store(`${prefix}recorded.eml`, composeMail({ subject: 'Re: [support-42] recorded' }));
    await fixture.aws.s3.send(new PutObjectTaggingCommand({ Bucket: deps.bucket, Key: `${prefix}recorded.eml`, Tagging: { TagSet: [{ Key: RAW_MAIL_TAGS.outcome, Value: 'followup' }] } }));
    const calls: string[] = [];
    const stopObserving = observeAwsCalls((call) => calls.push(call.command));
    try {
      const { summary } = await sweepOf(prefix, { shouldStop: () => true });
      expect(summary).toMatchObject({ listed: 1, inWindow: 1, unrecorded: 0, stoppedEarly: true });
    } finally {
      stopObserving();
    }
    expect(calls).not.toContain('GetObjectTaggingCommand');
  });

  it('stops before a claim when told it is out of time; the next run releases it, saying which ticket was never opened', async () => {
    const prefix = ownPrefix('stop-claim');
    const ticketId = freshTicketId();
    const messageKey = await claimFor('sweep-stop-claim', `${prefix}gone.eml`, ticketId);

    const stopped = await sweepOf(prefix, { shouldStop: () => true });
    expect(stopped.summary).toMatchObject({ pendingClaims: 0, releasedClaims: 0, outcomes: nothingDone, stoppedEarly: true });
    expect(await fixture.aws.ledgerEntry(messageKey)).toMatchObject({ state: 'pending' });

    const next = await sweepOf(prefix);
    expect(next.summary).toMatchObject({ pendingClaims: 1, releasedClaims: 1, outcomes: { ...nothingDone, skipped: 1 }, stoppedEarly: false });
    expect(await fixture.aws.ledgerEntry(messageKey)).toMatchObject({
      state: 'skipped',
      reason: 'object-missing',
      detail: `the raw mail of this claim for new ticket ${ticketId} (queue support) is gone: the ticket was never opened`,
    });
  });

  it('lists a claim in a dry run without re-driving or releasing it', async () => {
    const prefix = ownPrefix('dry-claim');
    const ticketId = freshTicketId();
    const messageKey = await claimFor('sweep-dry-claim', `${prefix}gone.eml`, ticketId);

    const dry = await sweepOf(prefix, { dryRun: true });
    expect(dry.summary).toMatchObject({ pendingClaims: 1, releasedClaims: 0, outcomes: nothingDone });
    expect(dry.findings).toEqual([expect.objectContaining({ kind: 'pending-claim', report: null, releasedAsMissing: false })]);
    expect(await fixture.aws.ledgerEntry(messageKey)).toMatchObject({ state: 'pending', ticketId });

    // A run that is not dry releases it (and leaves no claim for the other tests).
    expect((await sweepOf(prefix)).summary.releasedClaims).toBe(1);
  });

  it('reports a claim it resumed into its ticket as resumed, not released', async () => {
    const mailPrefix = ownPrefix('resumed-mail');
    const messageId = newMessageId('sweep-resumed');
    await fixture.gateway.store(`${mailPrefix}new.eml`, composeMail({ messageId, to: 'new@helpdesk.example', subject: 'new, then a crash' }));
    const [recordedAt, ticketId] = [new Date().toISOString(), freshTicketId()];
    await deps.ledger.claim({
      messageKey: bare(messageId), direction: 'inbound', bucket: deps.bucket, key: `${mailPrefix}new.eml`, messageId: bare(messageId), from: 'alice@example.com',
      subject: 'new, then a crash', receivedAt: recordedAt, recordedAt, state: 'pending', ticketId, queue: 'support',
    });

    // The mail lies outside the prefix swept: only the claims pass meets it.
    const { summary, findings } = await sweepOf(ownPrefix('resumed-swept'));
    expect(findings.find((f) => f.kind === 'pending-claim' && f.entry.messageKey === bare(messageId))).toMatchObject({
      kind: 'pending-claim', releasedAsMissing: false, report: { outcome: { kind: 'created', ticketId } },
    });
    expect(summary).toMatchObject({ releasedClaims: 0, outcomes: { created: 1 } });
  });

  it('does not release as missing a claim whose raw mail is still there but now comes to another skip', async () => {
    // A claim under a Message-Key other than the one its mail now comes to (as after a change of how
    // keys are derived): re-driving the mail records a skip under the mail's own key, and the claim
    // must not be recorded as if its mail were gone.
    const mailPrefix = ownPrefix('other-skip-mail');
    const key = `${mailPrefix}untagged.eml`;
    const mailId = newMessageId('sweep-other-skip');
    await fixture.gateway.store(key, composeMail({ messageId: mailId, subject: 'no ticket tag at all' }));
    const ticketId = freshTicketId();
    const claimKey = await claimFor('sweep-other-skip-claim', key, ticketId);
    const { summary, findings } = await sweepOf(ownPrefix('other-skip-swept'));
    expect(findings.find((f) => f.kind === 'pending-claim' && f.entry.messageKey === claimKey)).toMatchObject({
      releasedAsMissing: false, report: { outcome: { kind: 'skipped', reason: 'no-ticket-ref' } },
    });
    expect(summary).toMatchObject({ releasedClaims: 0 });
    expect(await fixture.aws.ledgerEntry(bare(mailId))).toMatchObject({ state: 'skipped', reason: 'no-ticket-ref', key });
    expect(await fixture.aws.ledgerEntry(claimKey)).toMatchObject({ state: 'pending', ticketId });
  });

  it('counts a claim released by two sweeps running at once only in the sweep that released it', async () => {
    const prefix = ownPrefix('racing-claim');
    const messageKey = await claimFor('sweep-racing-claim', `${prefix}gone.eml`, freshTicketId());
    let inner: Awaited<ReturnType<typeof sweepOf>> | undefined;
    // The outer sweep has listed the claim; before it re-drives the mail, a second sweep runs through.
    const racing: MailProcessor = async (...args) => {
      inner ??= await sweepOf(prefix);
      return deps.processMail(...args);
    };

    const outer = await sweepOf(prefix, { processMail: racing });
    expect(inner?.summary).toMatchObject({ pendingClaims: 1, releasedClaims: 1 });
    expect(outer.summary).toMatchObject({ pendingClaims: 1, releasedClaims: 0 });
    expect(outer.findings).toEqual([expect.objectContaining({ kind: 'pending-claim', releasedAsMissing: false })]);
    expect(await fixture.aws.ledgerEntry(messageKey)).toMatchObject({ state: 'skipped', reason: 'object-missing' });
  });
});
