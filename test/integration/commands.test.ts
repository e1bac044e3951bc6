/**
 * Every command answers alike (lib/cli/run-command.ts): `--help` on stdout with exit 0, a usage
 * error with exit 2, a configuration error as one line naming the variable with exit 2 and no stack
 * trace. Each runs as a separate process, as a user runs it; none of these reaches AWS.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function command(file: string, args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Ran> {
  try {
    const { stdout, stderr } = await run(TSX, [file, ...args], { cwd: ROOT, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

const COMMANDS = [
  ['replay', 'lib/cli/replay.ts'],
  ['sweep', 'lib/cli/sweep.ts'],
  ['reply-address', 'lib/cli/reply-address.ts'],
  ['register-outbound', 'lib/cli/register-outbound.ts'],
  ['import-tickets', 'lib/cli/import-tickets.ts'],
  ['smoke', 'lib/cli/smoke.ts'],
  ['inspect', 'lib/cli/inspect.ts'],
  ['generate', 'lib/cli/generate.ts'],
] as const;

/** A configuration the gateway takes, but for the variable under test. */
const GATEWAY_ENV = { TICKETS_TABLE: 't', MESSAGES_TABLE: 'm', MAIL_BUCKET: 'b', MAILBOXES: 'support@helpdesk.example=support' };

function oneLine(ran: Ran): string {
  const lines = ran.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines).toHaveLength(1);
  expect(ran.stderr).not.toMatch(/^\s+at /m);
  return lines[0] as string;
}

describe.each(COMMANDS)('npm run %s', (name, file) => {
  it('prints its usage and what it does for --help, exit 0', async () => {
    const ran = await command(file, ['--help']);
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(new RegExp(`^usage: npm run ${name}`));
    expect(ran.stdout.split('\n').length).toBeGreaterThan(3);
  });

  it('exits 2 with the usage for an unknown option', async () => {
    const ran = await command(file, ['--no-such-option']);
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain("Unknown option '--no-such-option'");
    expect(ran.stderr).toContain(`usage: npm run ${name}`);
  });
});

describe('configuration errors of the commands', () => {
  it.each([
    ['lib/cli/replay.ts', { SENDER_POLICY: 'bogus' }, 'SENDER_POLICY="bogus" is invalid'],
    ['lib/cli/sweep.ts', { MAX_MAIL_BYTES: 'abc' }, 'MAX_MAIL_BYTES="abc" is invalid'],
    ['lib/cli/replay.ts', { REPLY_TOKEN_SECRET_PARAMETER: 'no-slash' }, 'REPLY_TOKEN_SECRET_PARAMETER="no-slash" is invalid'],
  ])('%s with %j: one line naming the variable, exit 2', async (file, env, message) => {
    const ran = await command(file, [], { ...GATEWAY_ENV, ...env });
    expect(ran.code).toBe(2);
    expect(oneLine(ran)).toContain(message);
  });
});

describe('the secret of signed reply addresses: one validation for the gateway and reply-address', () => {
  it('refuses a short secret in both, with the same message, never showing it', async () => {
    const gateway = (() => {
      try {
        loadConfig({ ...GATEWAY_ENV, REPLY_TOKEN_SECRET: 'short' });
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    })();
    const ran = await command('lib/cli/reply-address.ts', ['--ticket', '42', '--mailbox', 'support@helpdesk.example'], { REPLY_TOKEN_SECRET: 'short' });
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(oneLine(ran)).toBe(gateway);
    expect(gateway).toMatch(/^REPLY_TOKEN_SECRET is invalid .*at least 32 characters/);
    expect(gateway).not.toContain('short');
  });

  it('mints an address from a secret the gateway takes', async () => {
    const ran = await command('lib/cli/reply-address.ts', ['--ticket', '42', '--mailbox', 'support@helpdesk.example'], { REPLY_TOKEN_SECRET: 'x'.repeat(32) });
    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^support\+42\.[0-9a-f]+@helpdesk\.example\n$/);
  });
});

describe('npm swallowing --dry-run (`npm run replay --dry-run`, without the --)', () => {
  it.each([
    ['replay', 'lib/cli/replay.ts', []],
    ['sweep', 'lib/cli/sweep.ts', []],
    ['import-tickets', 'lib/cli/import-tickets.ts', ['samples/tickets.json']],
  ])('%s refuses to write, exit 2, naming the command to type', async (name, file, args) => {
    const ran = await command(file, args, { ...GATEWAY_ENV, npm_config_dry_run: 'true' });
    expect(ran.code).toBe(2);
    expect(ran.stderr).toContain(`npm run ${name} -- --dry-run`);
  });
});
