/**
 * Exactly once across crashes: the pipeline is interrupted right after each of its AWS calls in
 * turn (the call is applied, its response is lost, the attempt dies), then the same event is
 * delivered again. Every time, the mail must end applied exactly once with a complete ledger entry.
 *
 * The interruption comes from a proxy in front of the real DynamoDB and S3 servers (a lost
 * response is what a crash after a write looks like from the outside); the handler is unchanged.
 *
 * And without a second delivery: the handler runs in a process of its own that is killed (SIGKILL)
 * right after each of its AWS calls in turn, the event is never delivered again, and the sweep alone
 * must bring every mail to exactly one final outcome.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../lib/adapters/aws-clients.js';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import { S3InboundListing } from '../../lib/adapters/s3-inbound-listing.js';
import { loadConfig } from '../../lib/config.js';
import type { IngestResult } from '../../lib/ingest-handler.js';
import { createMailProcessor } from '../../lib/pipeline/index.js';
import { sweep } from '../../lib/sweep.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import type { MailReport } from '../../lib/pipeline/index.js';
import { composeMime } from '../helpers/compose.js';
import { NO_FAULTS, type FaultPlan } from '../helpers/fault-proxy.js';
import { SEED_TICKETS, useGatewayBehindFaultProxies } from '../helpers/gateway.js';
import { bare, newMessageId } from '../helpers/mail.js';

const CLOSED_TICKETS = Array.from({ length: 40 }, (_, i) => ({
  id: 100 + i, queue: 'support', status: 'closed' as const, title: `closed ${i}`, submitter: 'carol@example.com', cc: [],
}));

const fixture = useGatewayBehindFaultProxies({ tickets: [...SEED_TICKETS, ...CLOSED_TICKETS], maxAttempts: 1 });
const usePlan = (plan: FaultPlan) => fixture.usePlan(plan);
const droppedResponses = () => fixture.stats().faults['drop-response'] ?? 0;

/** Counts the AWS calls of one attempt. */
function counting(): FaultPlan & { count: number } {
  const plan = { count: 0, decide: () => { plan.count += 1; return 'none' as const; } };
  return plan;
}

/** Lets AWS call `n` be applied, then loses its response: the attempt dies right after it. */
function crashAfterCall(n: number): FaultPlan {
  let count = 0;
  return { decide: () => (++count === n ? 'drop-response' : 'none') };
}

async function invoke(event: unknown): Promise<MailReport> {
  const result = await fixture.gateway.handler(event).catch((error: { mails?: MailReport[] }) => ({ mails: error.mails ?? [] }) as IngestResult);
  const report = 'mails' in result ? result.mails[0] : undefined;
  if (!report) throw new Error('no report');
  return report;
}

async function storeMail(name: string, fields: { subject: string; to: string; cc?: string; html?: string }) {
  const messageId = newMessageId(name);
  const attachment = randomBytes(5_000);
  const raw = await composeMime({ from: 'carol@example.com', ...fields, messageId, text: `body of ${name}`, attachments: [{ filename: 'log.bin', content: attachment }] });
  const event = await fixture.gateway.store(`inbound/${name}.eml`, raw);
  return { event, messageId, attachment, key: `inbound/${name}.eml` };
}

/** The ledger entry of a mail is complete: applied, body and attachment stored, raw mail tagged. */
async function expectComplete(mail: Awaited<ReturnType<typeof storeMail>>, ticketId: number, why: string) {
  const entry = await fixture.aws.ledgerEntry(bare(mail.messageId));
  expect(entry, why).toMatchObject({ state: 'applied', ticketId, key: mail.key });
  expect(String(entry?.body), why).toContain('body of');
  const [attachment] = entry?.attachments as { key: string }[];
  expect((await fixture.aws.objectBytes(attachment?.key ?? '')).equals(mail.attachment), why).toBe(true);
  expect((await fixture.aws.tags(mail.key))[RAW_MAIL_TAGS.ticket], why).toBe(String(ticketId));
}

describe('a crash after any AWS call, then redelivery', () => {
  it('adds exactly one follow-up to a closed ticket, reopening it', async () => {
    const probe = await storeMail('probe-followup', { subject: 'Re: [support-139] probe', to: 'support@helpdesk.example', cc: 'pat@example.org', html: '<p>probe</p>' });
    const calls = counting();
    usePlan(calls);
    expect((await invoke(probe.event)).outcome.kind).toBe('followup');
    expect(calls.count).toBeGreaterThanOrEqual(6);

    const droppedBefore = droppedResponses();
    for (let n = 1; n <= calls.count; n++) {
      const why = `crash after call ${n} of ${calls.count}`;
      const ticketId = 100 + n;
      const mail = await storeMail(`crash-followup-${n}`, { subject: `Re: [support-${ticketId}] crash`, to: 'support@helpdesk.example', cc: 'pat@example.org', html: '<p>body of <b>html</b></p>' });
      usePlan(crashAfterCall(n));
      expect((await invoke(mail.event)).outcome.kind, why).toBe('retry');
      usePlan(NO_FAULTS);
      expect((await invoke(mail.event)).outcome, why).toMatchObject({ kind: 'followup', ticketId });
      expect(await fixture.aws.followups(ticketId), why).toHaveLength(1);
      expect((await fixture.aws.ticket(ticketId))?.status, why).toBe('reopened');
      // The Cc joined the ticket once, however often the CC write was repeated.
      expect(((await fixture.aws.ticket(ticketId))?.cc as string[]).filter((a) => a === 'pat@example.org'), why).toHaveLength(1);
      expect((await fixture.aws.ledgerEntry(bare(mail.messageId)))?.htmlKey, why).toMatch(/body\.html$/);
      await expectComplete(mail, ticketId, why);
      // A third delivery changes nothing.
      expect(await invoke(mail.event), why).toMatchObject({ redelivered: true, outcome: { kind: 'followup', ticketId } });
      expect(await fixture.aws.followups(ticketId), why).toHaveLength(1);
    }
    expect(droppedResponses() - droppedBefore).toBe(calls.count);
  });

  it('opens exactly one ticket', async () => {
    const probe = await storeMail('probe-create', { subject: 'probe', to: 'new@helpdesk.example' });
    const calls = counting();
    usePlan(calls);
    expect((await invoke(probe.event)).outcome.kind).toBe('created');
    expect(calls.count).toBeGreaterThanOrEqual(7);

    const droppedBefore = droppedResponses();
    for (let n = 1; n <= calls.count; n++) {
      const why = `crash after call ${n} of ${calls.count}`;
      const mail = await storeMail(`crash-create-${n}`, { subject: `new request ${n}`, to: 'new@helpdesk.example' });
      usePlan(crashAfterCall(n));
      expect((await invoke(mail.event)).outcome.kind, why).toBe('retry');
      usePlan(NO_FAULTS);
      const report = await invoke(mail.event);
      expect(report.outcome.kind, why).toBe('created');
      const ticketId = report.outcome.kind === 'created' ? report.outcome.ticketId : -1;
      const { Items = [] } = await fixture.aws.db.send(
        new ScanCommand({ TableName: fixture.gateway.stack.names.ticketsTable, FilterExpression: 'sourceMessageKey = :k', ExpressionAttributeValues: { ':k': bare(mail.messageId) } }),
      );
      expect(Items.map((t) => t.id), why).toEqual([ticketId]);
      await expectComplete(mail, ticketId, why);
    }
    expect(droppedResponses() - droppedBefore).toBe(calls.count);
  });
});

const ROOT = resolve(import.meta.dirname, '../..');

/** Lets AWS call `n` be applied, then kills the process that made it before it hears back. */
function killAfterCall(n: number, kill: () => void): FaultPlan {
  let count = 0;
  return {
    decide: () => (++count === n ? 'drop-response' : 'none'),
    applied: () => kill(),
  };
}

/** Runs the handler on `event` in a child process, killed right after its AWS call `n`. */
async function runKilledAfter(n: number, event: unknown): Promise<NodeJS.Signals | null> {
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'test/helpers/handle-in-child.ts'), JSON.stringify(event)], {
    cwd: ROOT,
    env: { ...process.env, ...fixture.gateway.env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  usePlan(killAfterCall(n, () => child.kill('SIGKILL')));
  try {
    return await new Promise((resolvePromise) => child.once('exit', (_code, signal) => resolvePromise(signal)));
  } finally {
    usePlan(NO_FAULTS);
  }
}

describe('a process killed between writes, and only the sweep after it', () => {
  it('brings every mail to exactly one final outcome, with one follow-up or one ticket each', async () => {
    const probes = {
      followup: await storeMail('kill-probe-followup', { subject: 'Re: [support-138] probe', to: 'support@helpdesk.example' }),
      created: await storeMail('kill-probe-create', { subject: 'probe', to: 'new@helpdesk.example' }),
    };
    const counts: Record<string, number> = {};
    for (const [kind, probe] of Object.entries(probes)) {
      const calls = counting();
      usePlan(calls);
      expect((await invoke(probe.event)).outcome.kind).toBe(kind);
      usePlan(NO_FAULTS);
      counts[kind] = calls.count;
    }

    const killed: { mail: Awaited<ReturnType<typeof storeMail>>; kind: string; ticketId: number | null; why: string }[] = [];
    for (const kind of ['followup', 'created'] as const) {
      for (let n = 1; n <= (counts[kind] ?? 0); n++) {
        const ticketId = kind === 'followup' ? 120 + n : null;
        const mail = await storeMail(`kill-${kind}-${n}`, ticketId === null ? { subject: `new request, killed after call ${n}`, to: 'new@helpdesk.example' } : { subject: `Re: [support-${ticketId}] killed`, to: 'support@helpdesk.example' });
        const why = `${kind}: killed after call ${n} of ${counts[kind]}`;
        expect(await runKilledAfter(n, mail.event), why).toBe('SIGKILL');
        killed.push({ mail, kind, ticketId, why });
      }
    }

    const config = loadConfig();
    const clients = createAwsClients();
    const pipeline = awsPipelineDeps(config, clients, null);
    const summary = await sweep(
      { listing: new S3InboundListing(clients.s3, config.mailBucket), ledger: pipeline.ledger, processMail: createMailProcessor(pipeline), bucket: config.mailBucket, inboundPrefix: config.inboundPrefix },
      { now: new Date(Date.now() + 2 * 3_600_000), afterMinutes: 60, lookbackHours: 72 },
    );
    destroyAwsClients(clients);
    expect(summary.outcomes.retry).toBe(0);

    const ledger = (await fixture.aws.db.send(new ScanCommand({ TableName: fixture.gateway.stack.names.messagesTable, ConsistentRead: true }))).Items ?? [];
    const { Items: tickets = [] } = await fixture.aws.db.send(new ScanCommand({ TableName: fixture.gateway.stack.names.ticketsTable, ConsistentRead: true }));
    for (const { mail, kind, ticketId, why } of killed) {
      const entries = ledger.filter((e) => e.key === mail.key);
      expect(entries, `${why}: exactly one ledger entry`).toHaveLength(1);
      expect(entries[0], why).toMatchObject({ state: 'applied', outcome: kind });
      expect((await fixture.aws.tags(mail.key))[RAW_MAIL_TAGS.outcome], why).toBe(kind);
      if (ticketId !== null) {
        expect(await fixture.aws.followups(ticketId), why).toHaveLength(1);
        await expectComplete(mail, ticketId, why);
      } else {
        const opened = tickets.filter((t) => t.sourceMessageKey === bare(mail.messageId));
        expect(opened, `${why}: exactly one ticket`).toHaveLength(1);
        await expectComplete(mail, Number(opened[0]?.id), why);
      }
    }
  }, 180_000);
});
