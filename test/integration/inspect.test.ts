/**
 * `npm run inspect`: a dry run of one mail, check by check, against the embedded stack. Checked
 * against real stored state: the tickets and the ledger are scanned before and after, and must not
 * change — no follow-up, no skip entry, no ticket id reserved, no ledger key claimed.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../lib/adapters/aws-clients.js';
import { loadConfig } from '../../lib/config.js';
import { readOnlyPipelineContext } from '../../lib/inspect/inspect-context.js';
import { inspectMail, type Inspection } from '../../lib/inspect/inspect-mail.js';
import { inspectOnLocalGateway } from '../../lib/inspect/local-file.js';
import { ReadOnlyError } from '../../lib/inspect/read-only-ports.js';
import { startLocalGateway, type LocalGateway } from '../../lib/local/local-gateway.js';
import { parseTicketSeeds } from '../../lib/local/seed.js';
import { LocalAws } from '../helpers/local-aws.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const SAMPLES = join(ROOT, 'samples');
const sample = (name: string) => readFile(join(SAMPLES, name));

let gateway: LocalGateway;
let aws: LocalAws;

/** Everything in the tickets table (the id counter included) and the ledger. */
async function tables(): Promise<{ tickets: unknown[]; ledger: unknown[] }> {
  const scan = async (TableName: string) => {
    const { Items } = await aws.db.send(new ScanCommand({ TableName, ConsistentRead: true }));
    return (Items ?? []).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  };
  return { tickets: await scan(gateway.stack.names.ticketsTable), ledger: await scan(gateway.stack.names.messagesTable) };
}

beforeAll(async () => {
  const tickets = parseTicketSeeds(JSON.parse(await readFile(join(SAMPLES, 'tickets.json'), 'utf8')));
  gateway = await startLocalGateway({ mode: 'update-only', tickets });
  aws = new LocalAws(gateway);
  // The first reply is applied for real: the ledger then holds an entry the thread reply (02) finds.
  const first = await gateway.deliver('01-reply-with-subject-tag.eml', await sample('01-reply-with-subject-tag.eml'));
  expect(first.outcome.kind).toBe('followup');
});

afterAll(async () => {
  aws.destroy();
  await gateway.stop();
});

describe('inspect on sample mails: the checks, and nothing written', () => {
  it('explains a follow-up found by thread, a no-ticket-ref skip, a sender-not-allowed skip and an attachment, without writing', async () => {
    const before = await tables();
    const thread = await inspectOnLocalGateway(gateway, '02.eml', await sample('02-thread-reply-without-tag.eml'));
    const noRef = await inspectOnLocalGateway(gateway, '06.eml', await sample('06-new-request-without-tag.eml'));
    const stranger = await inspectOnLocalGateway(gateway, '12.eml', await sample('12-forged-update-by-stranger.eml'));
    const attachment = await inspectOnLocalGateway(gateway, '09.eml', await sample('09-reply-with-attachment.eml'));
    expect(await tables()).toEqual(before);

    // A follow-up found through the thread: the ledger entry of 01 names ticket 42.
    expect(thread.screening?.result).toBeNull();
    expect(thread.authentication).toMatchObject({ sender: 'bob@example.com', authenticated: true });
    expect(thread.authentication?.ses?.map((c) => `${c.method}=${c.result}`)).toEqual(expect.arrayContaining(['spf=pass', 'dkim=pass', 'dmarc=pass']));
    expect(thread.ledger).toEqual({ kind: 'none' });
    expect(thread.references?.found).toEqual([
      { source: 'thread', ticketId: 42, description: 'thread reply to reply-1.alice@mail.example.com (ticket 42)', chain: { kind: 'found', ticketId: 42, status: 'open', via: [] }, standing: 'allowed' },
    ]);
    expect(thread.references?.won).toBe('thread reply to reply-1.alice@mail.example.com (ticket 42)');
    expect(thread.decision).toMatchObject({ outcome: 'followup', ticketId: 42 });
    expect(thread.applied).toBe(true);
    expect(thread.body?.reply).toContain('Same here.');
    expect(thread.body?.storedIn).toBe('ledger');

    expect(noRef.references?.found).toEqual([]);
    expect(noRef.routing?.mailbox).toMatchObject({ queue: 'support', mode: 'update-only' });
    expect(noRef.decision).toMatchObject({ outcome: 'skip', reason: 'no-ticket-ref' });
    expect(noRef.applied).toBe(false);

    expect(stranger.references?.found).toEqual([expect.objectContaining({ source: 'subject-tag', ticketId: 42, standing: 'stranger' })]);
    expect(stranger.references?.won).toBeNull();
    expect(stranger.senderPolicy).toMatchObject({ policy: 'strict', sender: 'mallory@attacker.example', agent: false });
    expect(stranger.decision).toMatchObject({ outcome: 'skip', reason: 'sender-not-allowed', ticketId: 42 });

    expect(attachment.decision).toMatchObject({ outcome: 'followup', ticketId: 42 });
    expect(attachment.attachments).toEqual([expect.objectContaining({ index: 0, filename: 'error panel.png', contentType: 'image/png', verdict: 'stored' })]);
  });

  it('gives the attachment policy its verdict without storing a byte', async () => {
    const raw = [
      'From: Alice <alice@example.com>',
      'To: support@helpdesk.example',
      'Subject: Re: [support-42] Printer',
      'Message-ID: <attach-policy@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Two files.',
      '--b',
      'Content-Type: application/octet-stream; name="invoice.pdf.exe"',
      'Content-Disposition: attachment; filename="invoice.pdf.exe"',
      '',
      'MZ',
      '--b',
      'Content-Type: text/plain; name="notes.txt"',
      'Content-Disposition: attachment; filename="notes.txt"',
      '',
      'notes',
      '--b--',
      '',
    ].join('\r\n');
    const keysBefore = await aws.keys('attachments/');
    const inspection = await inspectOnLocalGateway(gateway, 'policy.eml', Buffer.from(raw));
    expect(inspection.attachments.map((a) => [a.filename, a.verdict])).toEqual([
      ['invoice.pdf.exe', 'denied-extension'],
      ['notes.txt', 'stored'],
    ]);
    expect(await aws.keys('attachments/')).toEqual(keysBefore);
  });

  it('plans a new ticket in a create mailbox without reserving its id or claiming the ledger key', async () => {
    const before = await tables();
    await gateway.store('inbound/create-06.eml', await sample('06-new-request-without-tag.eml'));
    const clients = createAwsClients(process.env);
    let inspection: Inspection;
    try {
      const ctx = readOnlyPipelineContext(loadConfig({ ...process.env, UPDATE_ONLY: 'false' }), clients, null);
      inspection = await inspectMail(ctx, { bucket: gateway.stack.names.bucket, key: 'inbound/create-06.eml' });
    } finally {
      destroyAwsClients(clients);
    }
    expect(inspection.decision).toMatchObject({ outcome: 'create', queue: 'support', ticketId: null });
    expect(inspection.ticket).toMatchObject({ submitter: 'grace@example.org', title: 'Cannot log in to the wiki' });
    expect(await tables()).toEqual(before);
  });

  it('refuses every write of the pipeline’s ports', async () => {
    const clients = createAwsClients(process.env);
    try {
      const ctx = readOnlyPipelineContext(loadConfig(process.env), clients, null);
      await expect(ctx.tickets.allocateId()).rejects.toThrow(ReadOnlyError);
      await expect(ctx.tickets.reopen(42, new Date().toISOString())).rejects.toThrow(ReadOnlyError);
      await expect(ctx.ledger.registerOutbound('x@example.com', 42, new Date().toISOString())).rejects.toThrow(ReadOnlyError);
      await expect(ctx.rawMail.putText('k', 'text')).rejects.toThrow(ReadOnlyError);
      expect((await ctx.tickets.get(42))?.id).toBe(42);
    } finally {
      destroyAwsClients(clients);
    }
  });
});

describe('npm run inspect, as a user runs it', () => {
  it('prints the checks of a sample file in order, and one JSON object with --json', async () => {
    const { stdout } = await run(TSX, ['lib/cli/inspect.ts', join(SAMPLES, '12-forged-update-by-stranger.eml')], { cwd: ROOT });
    const labels = ['1 screening', '2 authentication', '3 routing', '4 ledger', '5 references', '6 sender policy', '7 decision', '8 body', '9 attachments'];
    const positions = labels.map((label) => stdout.indexOf(`\n${label}`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(stdout).toMatch(/subject tag \[support-42\] → ticket 42 \(open\); sender stranger/);
    expect(stdout).toMatch(/7 decision +skip: sender-not-allowed/);

    const json = await run(TSX, ['lib/cli/inspect.ts', '--json', join(SAMPLES, '05-unknown-ticket.eml')], { cwd: ROOT });
    const lines = json.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect((JSON.parse(lines[0] as string) as Inspection).decision).toMatchObject({ outcome: 'skip', reason: 'ticket-not-found', ticketId: 999 });
  });

  it('inspects s3://BUCKET/KEY through the configured endpoints and tables, writing nothing', async () => {
    await gateway.store('inbound/stored-02.eml', await sample('02-thread-reply-without-tag.eml'));
    const before = await tables();
    // The operator's shell: the configuration variables and endpoints, no isolation.
    const env = { ...process.env, ...gateway.env, POWERTOOLS_LOG_LEVEL: 'SILENT' };
    const url = `s3://${gateway.stack.names.bucket}/inbound/stored-02.eml`;
    const { stdout } = await run(TSX, ['lib/cli/inspect.ts', '--json', url], { cwd: ROOT, env });
    const inspection = JSON.parse(stdout) as Inspection;
    expect(inspection.mail).toEqual({ bucket: gateway.stack.names.bucket, key: 'inbound/stored-02.eml' });
    expect(inspection.decision).toMatchObject({ outcome: 'followup', ticketId: 42 });
    expect(inspection.references?.won).toMatch(/^thread reply/);

    // The mail applied for real before: the ledger says so, and inspect reports the redelivery.
    const applied = await run(TSX, ['lib/cli/inspect.ts', `s3://${gateway.stack.names.bucket}/inbound/0001-01-reply-with-subject-tag.eml`], { cwd: ROOT, env });
    expect(applied.stdout).toMatch(/4 ledger +this object was handled before/);
    expect(applied.stdout).toMatch(/7 decision +redelivered/);
    expect(applied.stdout).toContain('the ledger recorded: followup to ticket 42');
    expect(await tables()).toEqual(before);
  });

  it('answers "why was this mail skipped?" for a stored mail the gateway skipped: the reason and detail the ledger recorded', async () => {
    // A Message-ID of its own: the other tests inspect sample 06 as a new mail, in any order.
    const raw = (await sample('06-new-request-without-tag.eml')).toString('latin1').replace(/^Message-ID: .*$/im, 'Message-ID: <why-skipped-06@example.com>');
    const skipped = await gateway.deliver('why-skipped.eml', Buffer.from(raw, 'latin1'));
    expect(skipped.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    const env = { ...process.env, ...gateway.env, POWERTOOLS_LOG_LEVEL: 'SILENT' };
    const { stdout } = await run(TSX, ['lib/cli/inspect.ts', '--json', `s3://${gateway.stack.names.bucket}/${skipped.location.key}`], { cwd: ROOT, env });
    const { decision } = JSON.parse(stdout) as Inspection;
    expect(decision).toMatchObject({ outcome: 'redelivered', reason: 'no-ticket-ref' });
    expect(decision.detail).toContain('the ledger recorded: skipped (no-ticket-ref)');
  });

  it('exits 1 naming a stored mail that is not there, and 2 for --tickets with s3://', async () => {
    const env = { ...process.env, ...gateway.env, POWERTOOLS_LOG_LEVEL: 'SILENT' };
    const missing = await run(TSX, ['lib/cli/inspect.ts', `s3://${gateway.stack.names.bucket}/inbound/nothing-here.eml`], { cwd: ROOT, env }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in missing ? missing.code : 0).toBe(1);
    const usage = await run(TSX, ['lib/cli/inspect.ts', '--tickets', 'x.json', 's3://b/k'], { cwd: ROOT, env }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in usage ? usage.code : 0).toBe(2);
    expect('stderr' in usage ? usage.stderr : '').toContain('usage: npm run inspect');
  });
});
