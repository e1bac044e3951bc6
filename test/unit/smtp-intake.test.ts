/** The SMTP intake's pure parts: which recipients SES would accept, `--smtp [PORT]`, and the lines that reach the stack. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../lib/cli/run-command.js';
import { acceptsRecipient, DEFAULT_SMTP_PORT, reachLines, smtpArgument } from '../../lib/local/smtp-intake.js';

describe('acceptsRecipient', () => {
  const mailboxes = ['support@helpdesk.example', 'billing@helpdesk.example'];
  it.each([
    ['support@helpdesk.example', true],
    ['Support@HelpDesk.example', true],
    ['support+r.42.abc@helpdesk.example', true],
    ['billing+x@helpdesk.example', true],
    ['sales@helpdesk.example', false],
    ['support@helpdesk.example.evil', false],
    ['support@other.example', false],
  ])('%s → %s', (address, accepted) => {
    expect(acceptsRecipient(mailboxes, address)).toBe(accepted);
  });
});

describe('smtpArgument', () => {
  it('takes a number right after --smtp as its port, else the default', () => {
    expect(smtpArgument(['--smtp', '2600', '--json'])).toEqual({ port: 2600, rest: ['--json'] });
    expect(smtpArgument(['--mode', 'create', '--smtp'])).toEqual({ port: DEFAULT_SMTP_PORT, rest: ['--mode', 'create'] });
    expect(smtpArgument(['--smtp', '--json'])).toEqual({ port: DEFAULT_SMTP_PORT, rest: ['--json'] });
    expect(smtpArgument(['--smtp', '0'])).toEqual({ port: 0, rest: [] });
  });

  it('answers null without --smtp (or with one after --), and refuses a port beyond 65535', () => {
    expect(smtpArgument(['samples/'])).toEqual({ port: null, rest: ['samples/'] });
    expect(smtpArgument(['--', '--smtp'])).toEqual({ port: null, rest: ['--', '--smtp'] });
    expect(() => smtpArgument(['--smtp', '70000'])).toThrow(UsageError);
  });
});

describe('reachLines', () => {
  it('unsets the shell’s profile and session, exports the stack’s variables, quoting what the shell would split', () => {
    const lines = reachLines({ AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4566', MAILBOXES: 'a@x.example=a,b@x.example=b', DEFAULT_QUEUE: "it's here", POWERTOOLS_LOG_LEVEL: 'WARN' }).split('\n');
    expect(lines).toEqual([
      'unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL',
      'export AWS_REGION=us-east-1',
      'export AWS_ENDPOINT_URL_S3=http://127.0.0.1:4566',
      'export MAILBOXES=a@x.example=a,b@x.example=b',
      "export DEFAULT_QUEUE='it'\\''s here'",
    ]);
  });

  it('carries over the configuration the stack was started with from the shell, so replay and inspect decide alike', () => {
    const lines = reachLines({ AWS_REGION: 'us-east-1' }, { SENDER_POLICY: 'open', HOME: '/root', AWS_PROFILE: 'dev' }).split('\n');
    expect(lines).toContain('export SENDER_POLICY=open');
    expect(lines.some((line) => line.includes('HOME') || line.includes('export AWS_PROFILE'))).toBe(false);
  });
});
