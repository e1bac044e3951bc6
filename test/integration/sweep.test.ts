/**
 * The sweep: raw mail left without an outcome (its delivery lost) and claims for new tickets left
 * unfinished are found and re-driven, so no mail stays without a record. The real pipeline and
 * adapters against dynalite and s3rver; the sweep's clock is set ahead instead of waiting.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectTaggingCommand } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/adapters/aws-clients.js';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import { S3InboundListing } from '../../lib/adapters/s3-inbound-listing.js';
import { loadConfig } from '../../lib/config.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { createMailProcessor } from '../../lib/pipeline/index.js';
import { sweep, type SweepDeps, type SweepFinding } from '../../lib/sweep.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const fixture = useGateway({
  mode: 'update-only',
  env: { MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create' },
});

let deps: SweepDeps;
const HOUR = 3_600_000;
/** Two hours from now: everything stored by the test is past the default 60 minutes. */
const later = () => new Date(Date.now() + 2 * HOUR);

beforeAll(() => {
  const config = loadConfig();
  const clients = createAwsClients();
  const pipeline = awsPipelineDeps(config, clients, null);
  deps = { listing: new S3InboundListing(clients.s3, config.mailBucket), ledger: pipeline.ledger, processMail: createMailProcessor(pipeline), bucket: config.mailBucket, inboundPrefix: config.inboundPrefix };
});

async function sweepAt(now: Date, extra: { dryRun?: boolean; shouldStop?: () => boolean } = {}) {
  const findings: SweepFinding[] = [];
  const summary = await sweep(deps, { now, afterMinutes: 60, lookbackHours: 72, ...extra }, (f) => findings.push(f));
  return { summary, findings };
}

const keyOf = (f: SweepFinding) => (f.kind === 'unrecorded' ? f.location.key : f.entry.key);

describe('the sweep', () => {
  it('re-drives raw mail whose delivery was lost, and leaves mail with an outcome alone', async () => {
    const lostId = newMessageId('sweep-lost');
    await fixture.gateway.store('inbound/sweep-lost.eml', composeMail({ messageId: lostId, subject: 'Re: [support-42] never announced' }));
    const done = await fixture.gateway.deliver('sweep-done.eml', composeMail({ subject: 'Re: [support-42] delivered' }));

    const { findings, summary } = await sweepAt(later());
    const keys = findings.map(keyOf);
    expect(keys).toContain('inbound/sweep-lost.eml');
    expect(keys).not.toContain(done.location.key);
    expect(findings.find((f) => keyOf(f) === 'inbound/sweep-lost.eml')?.report?.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    expect(await fixture.aws.ledgerEntry(bare(lostId))).toMatchObject({ state: 'applied', ticketId: 42 });
    expect(await fixture.aws.tags('inbound/sweep-lost.eml')).toMatchObject({ [RAW_MAIL_TAGS.outcome]: 'followup' });
    expect(summary.unrecorded).toBe(findings.filter((f) => f.kind === 'unrecorded').length);

    // A second sweep finds nothing more to do.
    expect((await sweepAt(later())).findings).toEqual([]);
  });

  it('only tags a mail whose outcome was recorded but whose tag was lost, writing nothing twice', async () => {
    const id = newMessageId('sweep-untagged');
    const report = await fixture.gateway.deliver('sweep-untagged.eml', composeMail({ messageId: id, subject: 'Re: [support-42] tag lost' }));
    await fixture.aws.s3.send(new PutObjectTaggingCommand({ Bucket: fixture.gateway.stack.names.bucket, Key: report.location.key, Tagging: { TagSet: [] } }));
    const before = await fixture.aws.ledgerEntry(bare(id));

    const { findings } = await sweepAt(later());
    expect(findings.find((f) => keyOf(f) === report.location.key)?.report).toMatchObject({ redelivered: true, outcome: { kind: 'followup', ticketId: 42 } });
    expect(await fixture.aws.ledgerEntry(bare(id))).toEqual(before);
    expect(await fixture.aws.tags(report.location.key)).toMatchObject({ [RAW_MAIL_TAGS.outcome]: 'followup' });
  });

  it('resumes a claim for a new ticket with the id it reserved', async () => {
    const id = newMessageId('sweep-claim');
    await fixture.gateway.store('inbound/sweep-claim.eml', composeMail({ messageId: id, to: 'new@helpdesk.example', subject: 'new, then a crash' }));
    const recordedAt = new Date().toISOString();
    await deps.ledger.claim({
      messageKey: bare(id), direction: 'inbound', bucket: deps.bucket, key: 'inbound/sweep-claim.eml', messageId: bare(id), from: 'alice@example.com',
      subject: 'new, then a crash', receivedAt: recordedAt, recordedAt, state: 'pending', ticketId: 4242, queue: 'support',
    });

    const { findings } = await sweepAt(later());
    expect(findings.find((f) => keyOf(f) === 'inbound/sweep-claim.eml')?.report?.outcome).toMatchObject({ kind: 'created', ticketId: 4242 });
    expect(await fixture.aws.ticket(4242)).toMatchObject({ title: 'new, then a crash', sourceMessageKey: bare(id) });
    expect(await fixture.aws.ledgerEntry(bare(id))).toMatchObject({ state: 'applied', outcome: 'created', ticketId: 4242 });
  });

  it('releases a claim whose raw mail is gone as object-missing, so its Message-ID is not blocked for good', async () => {
    const id = newMessageId('sweep-gone');
    const recordedAt = new Date().toISOString();
    await deps.ledger.claim({
      messageKey: bare(id), direction: 'inbound', bucket: deps.bucket, key: 'inbound/sweep-gone.eml', messageId: bare(id), from: 'alice@example.com',
      subject: 'gone', receivedAt: recordedAt, recordedAt, state: 'pending', ticketId: 4343, queue: 'support',
    });
    const { findings, summary } = await sweepAt(later());
    expect(findings.find((f) => keyOf(f) === 'inbound/sweep-gone.eml')).toMatchObject({ kind: 'pending-claim', releasedAsMissing: true });
    expect(summary.releasedClaims).toBe(1);
    expect(await fixture.aws.ledgerEntry(bare(id))).toMatchObject({ state: 'skipped', reason: 'object-missing', messageId: bare(id), from: 'alice@example.com' });
    expect(await fixture.aws.ticket(4343)).toBeUndefined();
  });

  it('leaves mail younger than its window or older than its lookback, and writes nothing in a dry run', async () => {
    await fixture.gateway.store('inbound/sweep-window.eml', composeMail({ subject: 'Re: [support-42] window' }));
    expect((await sweepAt(new Date())).findings.map(keyOf)).not.toContain('inbound/sweep-window.eml');
    expect((await sweepAt(new Date(Date.now() + 100 * HOUR))).findings.map(keyOf)).not.toContain('inbound/sweep-window.eml');
    const dry = await sweepAt(later(), { dryRun: true });
    expect(dry.findings.find((f) => keyOf(f) === 'inbound/sweep-window.eml')).toMatchObject({ kind: 'unrecorded', report: null });
    expect(await fixture.aws.tags('inbound/sweep-window.eml')).toEqual({});
    // A run that is not dry then handles it (and leaves nothing for the other tests to find).
    await sweepAt(later());
    expect(await fixture.aws.tags('inbound/sweep-window.eml')).toMatchObject({ [RAW_MAIL_TAGS.outcome]: 'followup' });
  });

  it('stops when told it is out of time, and the next run goes on', async () => {
    await fixture.gateway.store('inbound/sweep-stop.eml', composeMail({ subject: 'Re: [support-42] out of time' }));
    const stopped = await sweepAt(later(), { shouldStop: () => true });
    expect(stopped.summary.stoppedEarly).toBe(true);
    expect(await fixture.aws.tags('inbound/sweep-stop.eml')).toEqual({});
    await sweepAt(later());
    expect(await fixture.aws.tags('inbound/sweep-stop.eml')).toMatchObject({ [RAW_MAIL_TAGS.outcome]: 'followup' });
  });

  it('runs as `npm run sweep`, printing what it found and what became of it', async () => {
    await fixture.gateway.store('inbound/sweep-cli.eml', composeMail({ subject: 'Re: [support-42] via the command' }));
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['lib/cli/sweep.ts', '--after', '0'], {
      cwd: ROOT,
      env: { ...process.env, ...fixture.gateway.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
    });
    expect(stdout).toContain(`s3://${deps.bucket}/inbound/sweep-cli.eml`);
    expect(stdout).toMatch(/had no outcome → followup on ticket 42/);
    expect(stdout).toMatch(/1 without an outcome; 0 unfinished claims \(0 released\); 1 applied, 0 skipped, 0 to retry/);
    const { Items = [] } = await fixture.aws.db.send(new ScanCommand({ TableName: fixture.gateway.stack.names.messagesTable, ConsistentRead: true }));
    expect(Items.filter((e) => e.key === 'inbound/sweep-cli.eml')).toHaveLength(1);
  });
});
