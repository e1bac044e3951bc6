/**
 * The exact text each configuration variable takes: whole numbers, mailbox and agent addresses,
 * SSM parameter names, the service name, file extensions and MIME types, and the defaults. The
 * checks are built when lib/config.ts is imported, so each test imports it anew (as
 * test/unit/config-fresh-import.test.ts explains) and judges the checks as the code is now.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type * as ConfigModule from '../../lib/config.js';
import { BASE_ENV as base, configRefusal as refusal, importConfigAnew } from '../helpers/fresh-config.js';

let config: typeof ConfigModule;

beforeEach(async () => {
  config = await importConfigAnew();
});

const refused = (env: Record<string, string>) => refusal(() => config.loadConfig({ ...base, ...env }));

describe('defaults', () => {
  it('skips raw mail over 40 MiB (41,943,040 bytes, what SES accepts) unless MAX_MAIL_BYTES says otherwise', () => {
    expect(config.DEFAULT_MAX_MAIL_BYTES).toBe(41_943_040);
    expect(config.loadConfig(base).maxMailBytes).toBe(41_943_040);
    expect(config.loadConfig({ ...base, MAX_MAIL_BYTES: '1024' }).maxMailBytes).toBe(1024);
  });

  it('has no agents when AGENT_ADDRESSES is unset or blank', () => {
    const none = { addresses: new Set(), domains: new Set() };
    expect(config.loadConfig(base).agents).toEqual(none);
    expect(config.loadConfig({ ...base, AGENT_ADDRESSES: ' ' }).agents).toEqual(none);
    expect(config.loadConfig({ ...base, AGENT_ADDRESSES: ' , ' }).agents).toEqual(none);
  });

  it('accepts either sender-authentication mode, in any case', () => {
    expect(config.loadConfig({ ...base, SENDER_AUTHENTICATION: 'off' }).senderAuthentication).toBe('off');
    expect(config.loadConfig({ ...base, SENDER_AUTHENTICATION: ' Required ' }).senderAuthentication).toBe('required');
    expect(refused({ SENDER_AUTHENTICATION: 'none' })).toEqual({ variable: 'SENDER_AUTHENTICATION', expected: config.CONFIG_VARIABLES.SENDER_AUTHENTICATION });
  });
});

describe('whole numbers', () => {
  it.each(['1e3', '+50', '0x10', '-0', '12.0'])('refuses %s: only decimal digits make a count', (text) => {
    expect(refused({ MAX_ATTACHMENTS: text })).toEqual({ variable: 'MAX_ATTACHMENTS', expected: config.CONFIG_VARIABLES.MAX_ATTACHMENTS });
  });

  it('reads plain digits, leading zeros and surrounding spaces included', () => {
    expect(config.loadConfig({ ...base, MAX_ATTACHMENTS: ' 050 ' }).attachments.maxCount).toBe(50);
    expect(config.loadConfig({ ...base, SWEEP_LOOKBACK_HOURS: '1' }).sweep.lookbackHours).toBe(1);
  });
});

describe('mailbox and agent addresses', () => {
  it('refuses a mailbox address with text before or after it', () => {
    for (const entry of ['help desk@helpdesk.example=support', 'support@helpdesk.example x=support', 'support@helpdesk.example\tx=support']) {
      expect(refused({ MAILBOXES: entry })).toEqual({ variable: 'MAILBOXES', expected: `${config.CONFIG_VARIABLES.MAILBOXES} (entry "${entry}" is not address=queue[:mode])` });
    }
  });

  it('refuses an agent entry with text before or after the address, quoting it', () => {
    for (const entry of ['lead smith@example.com', 'lead@example.com x', 'team @staff.example.com']) {
      expect(refused({ AGENT_ADDRESSES: entry })).toEqual({ variable: 'AGENT_ADDRESSES', expected: `${config.CONFIG_VARIABLES.AGENT_ADDRESSES}; "${entry}" is not one` });
    }
  });

  it('counts as its own only the mailbox domains that are valid domain names', () => {
    const loaded = config.loadConfig({ ...base, MAILBOXES: 'support@Helpdesk.example=support,odd@xn--example-.com=support' });
    expect(loaded.ownDomains).toEqual(new Set(['helpdesk.example']));
    expect(loaded.screening.ownAddresses).toEqual(new Set(['support@helpdesk.example', 'odd@xn--example-.com']));
  });
});

describe('SSM parameter names of the reply-token secrets', () => {
  it('takes a path of letters, digits and "_.-/" starting with "/", up to 1,011 characters', () => {
    expect(config.replyTokenSecretSource({ REPLY_TOKEN_SECRET_PARAMETER: '/helpdesk/prod/reply-token_secret.v2' })).toEqual({
      kind: 'ssm',
      current: '/helpdesk/prod/reply-token_secret.v2',
      previous: null,
    });
    const longest = `/${'a'.repeat(1010)}`;
    expect(config.replyTokenSecretSource({ REPLY_TOKEN_SECRET_PARAMETER: longest, REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER: '/p' })).toEqual({ kind: 'ssm', current: longest, previous: '/p' });
  });

  it.each(['helpdesk/secret', 'x/helpdesk/secret', '/helpdesk secret', '/helpdesk/secret!', '/', `/${'a'.repeat(1011)}`])('refuses %s', (name) => {
    expect(refusal(() => config.replyTokenSecretSource({ REPLY_TOKEN_SECRET_PARAMETER: name }))).toEqual({
      variable: 'REPLY_TOKEN_SECRET_PARAMETER',
      expected: 'an SSM parameter name starting with "/"',
    });
  });
});

describe('service name', () => {
  it('takes 1-200 letters, digits, "-", "_" and "."', () => {
    expect(config.loadConfig({ ...base, POWERTOOLS_SERVICE_NAME: 'helpdesk-mail_gateway.prod' }).serviceName).toBe('helpdesk-mail_gateway.prod');
    expect(config.loadConfig({ ...base, POWERTOOLS_SERVICE_NAME: 'x'.repeat(200) }).serviceName).toBe('x'.repeat(200));
    expect(config.loadConfig({ ...base, POWERTOOLS_SERVICE_NAME: 'g' }).serviceName).toBe('g');
    for (const name of ['x'.repeat(201), 'mail gateway', 'mail:gateway']) {
      expect(refused({ POWERTOOLS_SERVICE_NAME: name })).toEqual({ variable: 'POWERTOOLS_SERVICE_NAME', expected: config.CONFIG_VARIABLES.POWERTOOLS_SERVICE_NAME });
    }
  });
});

describe('attachment extensions and MIME types', () => {
  it('takes extensions of 1-16 letters and digits, lower-cased, a leading "." dropped', () => {
    const loaded = config.loadConfig({ ...base, ATTACHMENT_DENY_EXTENSIONS: 'EXE, .js,7z', ATTACHMENT_ALLOW_EXTENSIONS: `pdf,${'a'.repeat(16)}` });
    expect(loaded.attachments.denyExtensions).toEqual(new Set(['exe', 'js', '7z']));
    expect(loaded.attachments.allowExtensions).toEqual(new Set(['pdf', 'a'.repeat(16)]));
  });

  it.each(['tar.gz', 'a'.repeat(17), 'p df', 'x-y'])('refuses the extension %s', (extension) => {
    expect(refused({ ATTACHMENT_DENY_EXTENSIONS: `exe,${extension}` })).toEqual({
      variable: 'ATTACHMENT_DENY_EXTENSIONS',
      expected: `${config.CONFIG_VARIABLES.ATTACHMENT_DENY_EXTENSIONS}; "${extension}" is not one`,
    });
  });

  it.each(['text/html/x', 'text/plain;charset=utf-8', 'x text/plain', 'text/plain x'])('refuses the MIME type %s', (type) => {
    expect(refused({ ATTACHMENT_DENY_TYPES: `application/x-msdownload,${type}` })).toEqual({
      variable: 'ATTACHMENT_DENY_TYPES',
      expected: `${config.CONFIG_VARIABLES.ATTACHMENT_DENY_TYPES}; "${type}" is not one`,
    });
  });
});
