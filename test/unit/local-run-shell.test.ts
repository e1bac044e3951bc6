/**
 * The local run's answers that do not need a run: which shell AWS variables it ignores, its table's
 * retry rows, its exit code, and how every command ends (lib/cli/run-command.ts).
 */
import { devNull } from 'node:os';
import { describe, expect, it } from 'vitest';
import { asksForHelp, failureOutput, refuseNpmDryRun, refuseNpmSwallowedOptions, UsageError } from '../../lib/cli/run-command.js';
import { ConfigError, GatewayError } from '../../lib/errors.js';
import { reasonCell, runExitCode, runTable } from '../../lib/local/run-table.js';
import { isolateFromShellAws, LOCAL_AWS_ENV } from '../../lib/local/shell-isolation.js';
import type { MailReport } from '../../lib/pipeline/index.js';

const location = { bucket: 'b', key: 'inbound/k' };
const followup: MailReport = { location, messageId: 'a@x', outcome: { kind: 'followup', ticketId: 42, followupId: 'f1', reopened: false }, redelivered: false };
const skipped: MailReport = { location, messageId: 'b@x', outcome: { kind: 'skipped', reason: 'duplicate', detail: 'seen' }, redelivered: false };
const retry: MailReport = {
  location,
  messageId: null,
  outcome: { kind: 'retry', error: 'CredentialsProviderError: Could not load credentials from any providers\n    at provider (index.js:1:1)' },
  redelivered: false,
};

describe('isolateFromShellAws', () => {
  it('removes the shell’s profile, region, endpoints, session token and keys, and sets the local ones', () => {
    const env: NodeJS.ProcessEnv = {
      PATH: '/bin',
      AWS_PROFILE: 'dev',
      AWS_DEFAULT_PROFILE: 'dev',
      AWS_REGION: 'ap-south-1',
      AWS_DEFAULT_REGION: 'ap-south-1',
      AWS_ENDPOINT_URL: 'http://elsewhere',
      AWS_ENDPOINT_URL_S3: 'http://elsewhere',
      AWS_SESSION_TOKEN: 'token',
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_MAX_ATTEMPTS: '7',
    };
    const removed = isolateFromShellAws(env);
    expect(removed).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_DEFAULT_PROFILE', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_PROFILE', 'AWS_REGION', 'AWS_SESSION_TOKEN']);
    expect(env).toEqual({ PATH: '/bin', AWS_MAX_ATTEMPTS: '7', ...LOCAL_AWS_ENV });
    expect(env.AWS_CONFIG_FILE).toBe(devNull);
  });

  it('has run for this test file too (vitest setup): the tests ignore the shell as the local run does', () => {
    expect(process.env.AWS_PROFILE).toBeUndefined();
    expect(process.env.AWS_SESSION_TOKEN).toBeUndefined();
    expect(process.env.AWS_REGION).toBe(LOCAL_AWS_ENV.AWS_REGION);
  });
});

describe('the local run’s table and exit code', () => {
  it('shows the first line of a retry’s error as its reason', () => {
    expect(reasonCell(retry)).toBe('CredentialsProviderError: Could not load credentials from any providers');
    expect(reasonCell(skipped)).toBe('duplicate');
    expect(reasonCell(followup)).toBe('');
    const long: MailReport = { ...retry, outcome: { kind: 'retry', error: 'x'.repeat(500) } };
    expect(reasonCell(long)).toHaveLength(120);
    const lines = runTable([
      { file: '/tmp/a.eml', report: followup, reply: '\nThanks, it works now.\nSecond line.' },
      { file: '/tmp/b.eml', report: retry },
    ]).split('\n');
    expect(lines[0]).toMatch(/^file\s+outcome\s+reason\s+ticket\s+notice\s+reply$/);
    expect(lines[2]).toMatch(/^a\.eml\s+followup\s+42\s+Thanks, it works now\.$/);
    expect(lines[3]).toBe('b.eml  retry     CredentialsProviderError: Could not load credentials from any providers');
  });

  it('exits 1 when any mail needs a retry, else 0', () => {
    expect(runExitCode([followup, skipped])).toBe(0);
    expect(runExitCode([followup, retry, skipped])).toBe(1);
    expect(runExitCode([])).toBe(0);
  });
});

describe('how every command ends (run-command.ts)', () => {
  const help = { usage: 'usage: npm run thing -- [--dry-run]', description: 'Does a thing.' };

  it('finds --help and -h, but not after --', () => {
    expect(asksForHelp(['--help'])).toBe(true);
    expect(asksForHelp(['--json', '-h'])).toBe(true);
    expect(asksForHelp(['--', '--help'])).toBe(false);
    expect(asksForHelp(['--json'])).toBe(false);
  });

  it('prints a usage error with the usage, exit 2', () => {
    expect(failureOutput(new UsageError('--ticket x: expected a ticket id'), help)).toEqual({ text: `--ticket x: expected a ticket id\n${help.usage}\n`, code: 2 });
    const parseArgsError = Object.assign(new TypeError("Unknown option '--colour'"), { code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' });
    expect(failureOutput(parseArgsError, help).code).toBe(2);
  });

  it('prints a configuration error as its one line naming the variable, exit 2, no stack trace', () => {
    const { text, code } = failureOutput(new ConfigError('SENDER_POLICY', '"strict" or "open"', 'bogus'), help);
    expect(code).toBe(2);
    expect(text).toBe('SENDER_POLICY="bogus" is invalid: expected "strict" or "open"\n');
    const deployment = Object.assign(new Error('stage "x" is too long'), { name: 'DeploymentConfigError' });
    expect(failureOutput(deployment, help)).toEqual({ text: 'stage "x" is too long\n', code: 2 });
  });

  it('prints other failures as their message, exit 1; a programming error with its stack', () => {
    expect(failureOutput(new GatewayError('s3://b/k does not exist'), help)).toEqual({ text: 's3://b/k does not exist\n', code: 1 });
    const aws = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(failureOutput(aws, help)).toEqual({ text: 'CredentialsProviderError: Could not load credentials from any providers\n', code: 1 });
    const bug = new TypeError('x is not a function');
    expect(failureOutput(bug, help).text).toContain('at ');
  });

  it('refuses to write when npm swallowed --dry-run (npm_config_dry_run)', () => {
    expect(() => refuseNpmDryRun(false, 'replay', { npm_config_dry_run: 'true' })).toThrow(/npm run replay -- --dry-run/);
    expect(() => refuseNpmDryRun(true, 'replay', { npm_config_dry_run: 'true' })).not.toThrow();
    expect(() => refuseNpmDryRun(false, 'replay', {})).not.toThrow();
  });

  it('refuses a command option npm took for itself before the -- (npm start --json FILE)', () => {
    expect(() => refuseNpmSwallowedOptions(['json', 'mode'], 'start', { npm_config_json: 'true' })).toThrow(/npm took --json .*npm start -- --json/);
    expect(() => refuseNpmSwallowedOptions(['json', 'mode'], 'inspect', { npm_config_mode: 'true' })).toThrow(/npm run inspect -- --mode/);
    expect(() => refuseNpmSwallowedOptions(['json', 'mode'], 'start', { npm_config_loglevel: 'silent' })).not.toThrow();
  });
});
