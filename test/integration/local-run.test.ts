/**
 * The local run's command-line contract (`npm start -- [--mode …] [--tickets FILE] [--json] PATH...`),
 * run as a separate process exactly as a user or another tool runs it.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeMail } from '../helpers/mail.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

async function start(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  return run(TSX, ['lib/local/start.ts', ...args], { cwd: ROOT, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'INFO', ...env } });
}

/** What a shell set up for a real AWS account exports: none of it may reach the local run. */
const SHELL_AWS = {
  AWS_PROFILE: 'nonexistent',
  AWS_DEFAULT_PROFILE: 'nonexistent',
  AWS_REGION: 'ap-south-1',
  AWS_SESSION_TOKEN: 'a-session-token',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
};

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-run-'));
  await writeFile(
    join(dir, 'tickets.json'),
    JSON.stringify([
      { id: 5, queue: 'helpdesk', status: 'closed', title: 'Old', submitter: 'alice@example.com' },
      { id: 6, queue: 'helpdesk', status: 'duplicate', title: 'Merged', submitter: 'a@example.com', mergedInto: 5 },
    ]),
  );
  const mails = join(dir, 'mails');
  await mkdir(mails);
  await writeFile(join(mails, 'b-reply.eml'), composeMail({ messageId: '<b@x>', subject: 'Re: [helpdesk-5] Old', to: 'anyone@example.com' }));
  await writeFile(join(mails, 'a-merged.eml'), composeMail({ messageId: '<a@x>', subject: 'Re: [HELPDESK-006] Merged' }));
  await writeFile(join(mails, 'c-thread.eml'), composeMail({ messageId: '<c@x>', subject: 'Re: Old', inReplyTo: '<b@x>' }));
  await writeFile(join(mails, 'd-again.eml'), composeMail({ messageId: '<b@x>', subject: 'Re: [helpdesk-5] Old' }));
  await writeFile(join(mails, 'e-new.eml'), composeMail({ messageId: '<e@x>', subject: 'Hello' }));
  await writeFile(join(mails, 'f-unknown.eml'), composeMail({ messageId: '<f@x>', subject: '[helpdesk-77] Who?' }));
  await writeFile(join(mails, 'notes.txt'), 'not a mail: folders contribute their .eml files only');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('prints exactly one JSON object per mail on stdout, in name order, with the right outcomes', async () => {
    const { stdout, stderr } = await start(['--json', '--mode', 'update-only', '--tickets', join(dir, 'tickets.json'), join(dir, 'mails')]);
    const lines = stdout.trimEnd().split('\n');
    const results = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(results.map((r) => [String(r.file).split('/').pop(), r.messageId, r.outcome, r.reason, r.ticketId])).toEqual([
      ['a-merged.eml', 'a@x', 'followup', null, 5],
      ['b-reply.eml', 'b@x', 'followup', null, 5],
      ['c-thread.eml', 'c@x', 'followup', null, 5],
      ['d-again.eml', 'b@x', 'skipped', 'duplicate', null],
      ['e-new.eml', 'e@x', 'skipped', 'no-ticket-ref', null],
      ['f-unknown.eml', 'f@x', 'skipped', 'ticket-not-found', null],
    ]);
    expect(stderr).toContain('"level":"WARN"');
  });

  it('opens tickets in create mode, taking files in the order given', async () => {
    const mails = join(dir, 'mails');
    const { stdout } = await start(['--json', '--mode', 'create', '--tickets', join(dir, 'tickets.json'), join(mails, 'e-new.eml'), join(mails, 'f-unknown.eml')]);
    const results = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(results.map((r) => [r.outcome, r.ticketId])).toEqual([
      ['created', 7],
      ['created', 8],
    ]);
  });

  it('runs the bundled samples by default and prints a table', async () => {
    const { stdout } = await start([]);
    const samples = (await readdir(join(ROOT, 'samples'))).filter((f) => f.endsWith('.eml'));
    for (const sample of samples) expect(stdout).toContain(sample);
    expect(stdout).toMatch(/file\s+outcome\s+reason\s+ticket/);
  });

  it('ignores the shell’s AWS profile, region, endpoints and session token, and keeps the SDK’s Node notice out', async () => {
    const mails = join(dir, 'mails');
    const { stdout, stderr } = await start(['--json', '--tickets', join(dir, 'tickets.json'), join(mails, 'b-reply.eml')], SHELL_AWS);
    expect(stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { outcome: string }).outcome)).toEqual(['followup']);
    expect(stderr).not.toContain('NodeVersionSupportWarning');
  });

  it('through npm: `npm start --silent -- --json` prints only JSON; without --silent npm shows its banner (no loglevel=silent)', async () => {
    const file = join(dir, 'mails', 'e-new.eml');
    const quiet = await run('npm', ['start', '--silent', '--', '--json', '--tickets', join(dir, 'tickets.json'), file], { cwd: ROOT });
    expect(quiet.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { outcome: string }).outcome)).toEqual(['skipped']);
    const { stdout: loglevel } = await run('npm', ['config', 'get', 'loglevel'], { cwd: ROOT });
    expect(loglevel.trim()).not.toBe('silent');
  });

  it('prints its usage and options for --help, exit 0', async () => {
    const { stdout } = await start(['--help']);
    expect(stdout).toMatch(/^usage: npm start -- /);
    expect(stdout).toContain('--json');
  });

  it.each([
    [{ SENDER_POLICY: 'bogus' }, 'SENDER_POLICY="bogus" is invalid'],
    [{ MAX_MAIL_BYTES: 'abc' }, 'MAX_MAIL_BYTES="abc" is invalid'],
    [{ REPLY_TOKEN_SECRET: 'short' }, 'REPLY_TOKEN_SECRET'],
  ])('exits 2 with one line naming the variable, no stack trace, for %j', async (env, message) => {
    const failure = (await start(['--json'], env).catch((error: unknown) => error)) as { code: number; stdout: string; stderr: string };
    expect(failure.code).toBe(2);
    expect(failure.stdout).toBe('');
    const lines = failure.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('{'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(failure.stderr).not.toMatch(/^\s+at /m);
  });

  it.each([
    [['--mode', 'sometimes'], '--mode must be create or update-only'],
    [['--tickets', '/nonexistent.json'], '--tickets /nonexistent.json'],
    [['/nonexistent-folder'], 'no such file or folder'],
    [['--colour'], 'Unknown option'],
  ])('exits 2 with a usage message for %j', async (args, message) => {
    const failure = (await start(args).catch((error: unknown) => error)) as { code: number; stderr: string };
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain(message);
  });
});
