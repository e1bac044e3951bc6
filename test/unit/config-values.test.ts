/**
 * The configuration's values and refusals in full (lib/config.ts): every default, what each
 * variable's text becomes, where the reply-token secrets come from, and the exact words of a
 * refusal (the variable, the value, what was expected). Complements config.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, DEFAULT_MAX_MAIL_BYTES, loadConfig, replyTokenSecretSource } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';
import { DEFAULT_DENIED_EXTENSIONS, DEFAULT_DENIED_TYPES } from '../../lib/mail/attachment-policy.js';

const base = { TICKETS_TABLE: ' tickets ', MESSAGES_TABLE: 'messages', MAIL_BUCKET: 'mail', MAILBOXES: 'support@helpdesk.example=support' };
const secret = 's'.repeat(32);

function failure(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const refusal = (env: Record<string, string | undefined>) => {
  const error = failure(() => loadConfig(env));
  return { variable: error.variable, expected: error.expected, value: error.value };
};

describe('loadConfig: defaults', () => {
  it('fills every optional setting with its documented default', () => {
    const config = loadConfig(base);
    expect(config.ticketsTable).toBe('tickets');
    expect(config).toMatchObject({
      messagesTable: 'messages',
      mailBucket: 'mail',
      inboundPrefix: 'inbound/',
      attachmentsPrefix: 'attachments/',
      quarantinePrefix: 'quarantine/',
      defaultQueue: null,
      defaultMode: 'create',
      queueSlugs: ['support'],
      maxMailBytes: DEFAULT_MAX_MAIL_BYTES,
      senderPolicy: 'strict',
      senderAuthentication: 'required',
      replyTokenSecrets: { kind: 'none' },
      sweep: { afterMinutes: 60, lookbackHours: 72 },
      eventBusName: null,
    });
    expect(config.attachments).toEqual({
      maxCount: 100,
      maxBytes: 25 * 1024 * 1024,
      maxTotalBytes: 40 * 1024 * 1024,
      denyExtensions: new Set(DEFAULT_DENIED_EXTENSIONS),
      allowExtensions: null,
      denyTypes: new Set(DEFAULT_DENIED_TYPES),
    });
    expect(config.agents).toEqual({ addresses: new Set(), domains: new Set() });
    expect(DEFAULT_MAX_MAIL_BYTES).toBe(40 * 1024 * 1024);
  });

  it('takes a blank optional variable as unset', () => {
    expect(loadConfig({ ...base, SKIP_SPAM: '  ', INBOUND_PREFIX: '' }).screening.skipSpam).toBe(true);
  });
});

describe('loadConfig: values', () => {
  it('reads every setting from its text, trimmed and case-insensitive where it is a word', () => {
    const config = loadConfig({
      ...base,
      DEFAULT_QUEUE: ' general ',
      UPDATE_ONLY: ' TRUE ',
      SKIP_AUTO_REPLIES: 'False',
      SKIP_SPAM: 'false',
      DMARC_FAIL_WITHOUT_POLICY: ' Accept ',
      SENDER_POLICY: 'OPEN',
      SENDER_AUTHENTICATION: 'off',
      LOOP_HEADER: ' X-Our-Loop ',
      MAX_MAIL_BYTES: ' 1024 ',
      MAX_ATTACHMENTS: '0',
      MAX_ATTACHMENT_BYTES: '5',
      MAX_ATTACHMENTS_TOTAL_BYTES: '6',
      ATTACHMENT_DENY_EXTENSIONS: ' .EXE, ,bat ',
      ATTACHMENT_ALLOW_EXTENSIONS: 'pdf',
      ATTACHMENT_DENY_TYPES: 'Application/X-Thing',
      SWEEP_AFTER_MINUTES: '2',
      SWEEP_LOOKBACK_HOURS: '1',
      EVENT_BUS_NAME: ' helpdesk-bus ',
      POWERTOOLS_SERVICE_NAME: ' gw.prod_1 ',
    });
    expect(config).toMatchObject({
      defaultQueue: 'general',
      defaultMode: 'update-only',
      queueSlugs: ['support', 'general'],
      maxMailBytes: 1024,
      senderPolicy: 'open',
      senderAuthentication: 'off',
      sweep: { afterMinutes: 2, lookbackHours: 1 },
      eventBusName: 'helpdesk-bus',
      serviceName: 'gw.prod_1',
    });
    expect(config.screening).toEqual({ ownAddresses: new Set(['support@helpdesk.example']), loopHeader: 'x-our-loop', skipAutoReplies: false, skipSpam: false, dmarcWithoutPolicy: 'accept' });
    expect(config.attachments).toEqual({
      maxCount: 0,
      maxBytes: 5,
      maxTotalBytes: 6,
      denyExtensions: new Set(['exe', 'bat']),
      allowExtensions: new Set(['pdf']),
      denyTypes: new Set(['application/x-thing']),
    });
    expect(config.mailboxes).toEqual([{ address: 'support@helpdesk.example', queue: 'support', mode: 'update-only' }]);
  });

  it('routes by the default queue alone, with no mailbox and no own domain', () => {
    const config = loadConfig({ ...base, MAILBOXES: undefined, DEFAULT_QUEUE: 'general' });
    expect(config.mailboxes).toEqual([]);
    expect(config.queueSlugs).toEqual(['general']);
    expect(config.ownDomains).toEqual(new Set());
    expect(config.screening.ownAddresses).toEqual(new Set());
  });

  it('lists each queue once, and keeps own addresses without their +tag', () => {
    const config = loadConfig({ ...base, MAILBOXES: 'a@helpdesk.example=support, b+x@Help.example=support:update-only', DEFAULT_QUEUE: 'support' });
    expect(config.queueSlugs).toEqual(['support']);
    expect(config.screening.ownAddresses).toEqual(new Set(['a@helpdesk.example', 'b@help.example']));
    expect(config.ownDomains).toEqual(new Set(['helpdesk.example', 'help.example']));
  });

  it('takes an event bus by name or by ARN', () => {
    const arn = 'arn:aws:events:eu-west-1:123456789012:event-bus/helpdesk-bus';
    expect(loadConfig({ ...base, EVENT_BUS_NAME: arn }).eventBusName).toBe(arn);
    expect(refusal({ ...base, EVENT_BUS_NAME: 'arn:aws:events:eu-west-1:123456789012:event-bus/bad name' })).toMatchObject({ variable: 'EVENT_BUS_NAME' });
    expect(refusal({ ...base, EVENT_BUS_NAME: 'x'.repeat(257) })).toMatchObject({ variable: 'EVENT_BUS_NAME', expected: CONFIG_VARIABLES.EVENT_BUS_NAME });
  });
});

describe('loadConfig: refusals', () => {
  it('names the variable, the value and what was expected', () => {
    expect(refusal({ ...base, SKIP_SPAM: 'yes' })).toEqual({ variable: 'SKIP_SPAM', expected: CONFIG_VARIABLES.SKIP_SPAM, value: 'yes' });
    expect(refusal({ ...base, MAX_MAIL_BYTES: '1023' })).toEqual({ variable: 'MAX_MAIL_BYTES', expected: CONFIG_VARIABLES.MAX_MAIL_BYTES, value: '1023' });
    expect(refusal({ ...base, SWEEP_AFTER_MINUTES: '1' })).toEqual({ variable: 'SWEEP_AFTER_MINUTES', expected: CONFIG_VARIABLES.SWEEP_AFTER_MINUTES, value: '1' });
    expect(refusal({ ...base, SWEEP_LOOKBACK_HOURS: '0' })).toEqual({ variable: 'SWEEP_LOOKBACK_HOURS', expected: CONFIG_VARIABLES.SWEEP_LOOKBACK_HOURS, value: '0' });
    expect(refusal({ ...base, MAX_ATTACHMENT_BYTES: '99999999999999999' })).toMatchObject({ variable: 'MAX_ATTACHMENT_BYTES', expected: CONFIG_VARIABLES.MAX_ATTACHMENT_BYTES });
    expect(refusal({ ...base, MAX_ATTACHMENTS_TOTAL_BYTES: '1.5' })).toMatchObject({ variable: 'MAX_ATTACHMENTS_TOTAL_BYTES' });
    expect(refusal({ ...base, POWERTOOLS_SERVICE_NAME: 'x'.repeat(201) })).toMatchObject({ variable: 'POWERTOOLS_SERVICE_NAME' });
  });

  it('refuses a required variable that is unset or blank, saying what it is', () => {
    expect(refusal({ ...base, MAIL_BUCKET: '  ' })).toEqual({ variable: 'MAIL_BUCKET', expected: CONFIG_VARIABLES.MAIL_BUCKET, value: undefined });
  });

  it('refuses a prefix that starts with a slash, or is longer than 256 bytes', () => {
    expect(refusal({ ...base, INBOUND_PREFIX: '/inbound/' })).toEqual({
      variable: 'INBOUND_PREFIX',
      expected: `${CONFIG_VARIABLES.INBOUND_PREFIX}, at most 256 bytes`,
      value: '/inbound/',
    });
    expect(loadConfig({ ...base, INBOUND_PREFIX: `${'é'.repeat(127)}/` }).inboundPrefix).toHaveLength(128);
    expect(refusal({ ...base, INBOUND_PREFIX: `${'é'.repeat(128)}/` })).toMatchObject({ variable: 'INBOUND_PREFIX' });
  });

  it('names the prefix it overlaps', () => {
    expect(refusal({ ...base, ATTACHMENTS_PREFIX: 'inbound/files/' })).toEqual({
      variable: 'ATTACHMENTS_PREFIX',
      expected: 'a prefix that neither contains nor lies under INBOUND_PREFIX (inbound/)',
      value: 'inbound/files/',
    });
    expect(refusal({ ...base, QUARANTINE_PREFIX: 'inbound/q/' })).toEqual({
      variable: 'QUARANTINE_PREFIX',
      expected: 'a prefix that neither contains nor lies under INBOUND_PREFIX (inbound/)',
      value: 'inbound/q/',
    });
  });

  it('quotes the mailbox entry at fault', () => {
    expect(refusal({ ...base, MAILBOXES: 'a@b.example=support:create:extra' })).toEqual({
      variable: 'MAILBOXES',
      expected: `${CONFIG_VARIABLES.MAILBOXES} (entry "a@b.example=support:create:extra" is not address=queue[:mode])`,
      value: 'a@b.example=support:create:extra',
    });
    expect(refusal({ ...base, MAILBOXES: 'a@b.example=support:never' })).toMatchObject({ expected: 'a mode of create or update-only (entry "a@b.example=support:never")' });
    expect(refusal({ ...base, MAILBOXES: 'a@b.example=sup.port' })).toMatchObject({ expected: `queue slugs of letters, digits, "-" and "_" (got "sup.port"); ${CONFIG_VARIABLES.MAILBOXES}` });
    expect(refusal({ ...base, MAILBOXES: 'a@b.example=x, c@d.example=y, A@B.example=z' })).toMatchObject({ expected: 'each address once (a@b.example is listed twice)' });
    expect(refusal({ ...base, MAILBOXES: 'a@b=x' })).toMatchObject({ variable: 'MAILBOXES' });
  });

  it('quotes the default queue at fault', () => {
    expect(refusal({ ...base, DEFAULT_QUEUE: 'a b' })).toMatchObject({ expected: `queue slugs of letters, digits, "-" and "_" (got "a b"); ${CONFIG_VARIABLES.DEFAULT_QUEUE}` });
  });

  it('says that at least one mailbox or a default queue is needed', () => {
    expect(refusal({ ...base, MAILBOXES: undefined })).toEqual({ variable: 'MAILBOXES', expected: `at least one mailbox, or DEFAULT_QUEUE: ${CONFIG_VARIABLES.MAILBOXES}`, value: undefined });
  });

  it('quotes the agent entry and the list item at fault', () => {
    expect(refusal({ ...base, AGENT_ADDRESSES: 'lead@example.com, nodomain' })).toMatchObject({ expected: `${CONFIG_VARIABLES.AGENT_ADDRESSES}; "nodomain" is not one` });
    expect(refusal({ ...base, ATTACHMENT_DENY_TYPES: 'text' })).toMatchObject({ variable: 'ATTACHMENT_DENY_TYPES', expected: `${CONFIG_VARIABLES.ATTACHMENT_DENY_TYPES}; "text" is not one` });
    expect(refusal({ ...base, ATTACHMENT_ALLOW_EXTENSIONS: 'a'.repeat(17) })).toMatchObject({ variable: 'ATTACHMENT_ALLOW_EXTENSIONS' });
  });

  it('names a standard header refused as the loop header', () => {
    expect(refusal({ ...base, LOOP_HEADER: 'Message-ID' })).toMatchObject({
      expected: `a header of the helpdesk's own, not one ordinary mail carries (Message-ID is); ${CONFIG_VARIABLES.LOOP_HEADER}`,
    });
    expect(refusal({ ...base, LOOP_HEADER: 'x'.repeat(77) })).toMatchObject({ variable: 'LOOP_HEADER', expected: CONFIG_VARIABLES.LOOP_HEADER });
  });
});

describe('replyTokenSecretSource', () => {
  it('is off without any secret', () => {
    expect(replyTokenSecretSource({})).toEqual({ kind: 'none' });
  });

  it('takes secrets from the environment, with or without a previous one', () => {
    expect(replyTokenSecretSource({ REPLY_TOKEN_SECRET: secret })).toEqual({ kind: 'environment', current: secret, previous: null });
    expect(replyTokenSecretSource({ REPLY_TOKEN_SECRET: secret, REPLY_TOKEN_PREVIOUS_SECRET: `${secret}p` })).toEqual({ kind: 'environment', current: secret, previous: `${secret}p` });
  });

  it('takes SSM parameter names, with or without a previous one', () => {
    expect(replyTokenSecretSource({ REPLY_TOKEN_SECRET_PARAMETER: ' /helpdesk/reply ' })).toEqual({ kind: 'ssm', current: '/helpdesk/reply', previous: null });
    expect(replyTokenSecretSource({ REPLY_TOKEN_SECRET_PARAMETER: '/a', REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER: '/b' })).toEqual({ kind: 'ssm', current: '/a', previous: '/b' });
  });

  it('refuses a short secret, naming the variable and its length but never the value', () => {
    const error = failure(() => replyTokenSecretSource({ REPLY_TOKEN_SECRET: 'short-secret' }));
    expect(error.variable).toBe('REPLY_TOKEN_SECRET');
    expect(error.message).toBe('REPLY_TOKEN_SECRET is invalid (a value of 12 characters, not shown): expected a secret of at least 32 characters');
    expect(failure(() => replyTokenSecretSource({ REPLY_TOKEN_SECRET: secret, REPLY_TOKEN_PREVIOUS_SECRET: 'x'.repeat(31) })).variable).toBe('REPLY_TOKEN_PREVIOUS_SECRET');
  });

  it('refuses both a secret and a parameter, and a previous secret without a current one', () => {
    expect(failure(() => replyTokenSecretSource({ REPLY_TOKEN_SECRET: secret, REPLY_TOKEN_SECRET_PARAMETER: '/a' })).expected).toBe(
      'either REPLY_TOKEN_SECRET or REPLY_TOKEN_SECRET_PARAMETER, not both',
    );
    for (const env of [{ REPLY_TOKEN_PREVIOUS_SECRET: secret }, { REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER: '/b' }]) {
      expect(failure(() => replyTokenSecretSource(env))).toMatchObject({ variable: 'REPLY_TOKEN_SECRET', expected: 'the current secret too, when a previous one is given' });
    }
  });

  it('refuses a parameter name that does not start with a slash', () => {
    expect(failure(() => replyTokenSecretSource({ REPLY_TOKEN_SECRET_PARAMETER: 'helpdesk/reply' }))).toMatchObject({
      variable: 'REPLY_TOKEN_SECRET_PARAMETER',
      expected: 'an SSM parameter name starting with "/"',
    });
  });
});

describe('loadConfig: edges', () => {
  it('takes a prefix of exactly 256 bytes', () => {
    const prefix = `${'a'.repeat(255)}/`;
    expect(loadConfig({ ...base, INBOUND_PREFIX: prefix }).inboundPrefix).toBe(prefix);
  });

  it('quotes the empty queue of a mailbox entry without =', () => {
    expect(refusal({ ...base, MAILBOXES: 'support@helpdesk.example' })).toMatchObject({ expected: `queue slugs of letters, digits, "-" and "_" (got ""); ${CONFIG_VARIABLES.MAILBOXES}` });
  });

  it('drops only a leading dot of a listed extension', () => {
    expect(refusal({ ...base, ATTACHMENT_DENY_EXTENSIONS: 'tar.gz' })).toMatchObject({ variable: 'ATTACHMENT_DENY_EXTENSIONS', expected: `${CONFIG_VARIABLES.ATTACHMENT_DENY_EXTENSIONS}; "tar.gz" is not one` });
  });

  it('ignores empty agent entries', () => {
    expect(loadConfig({ ...base, AGENT_ADDRESSES: ' , lead@example.com, ,' }).agents).toEqual({ addresses: new Set(['lead@example.com']), domains: new Set() });
  });

  it('blames REPLY_TOKEN_SECRET when both a secret and a parameter are given', () => {
    expect(failure(() => replyTokenSecretSource({ REPLY_TOKEN_SECRET: secret, REPLY_TOKEN_SECRET_PARAMETER: '/a' })).variable).toBe('REPLY_TOKEN_SECRET');
  });

  it('takes an event-bus ARN of any partition, and only a whole one', () => {
    const china = 'arn:aws-cn:events:cn-north-1:123456789012:event-bus/helpdesk-bus';
    expect(loadConfig({ ...base, EVENT_BUS_NAME: china }).eventBusName).toBe(china);
    expect(refusal({ ...base, EVENT_BUS_NAME: 'xarn:aws:events:eu-west-1:123456789012:event-bus/bus' })).toMatchObject({ variable: 'EVENT_BUS_NAME' });
    expect(refusal({ ...base, EVENT_BUS_NAME: 'arn:aws:events:eu-west-1:123456789012:event-bus/bus\nx' })).toMatchObject({ variable: 'EVENT_BUS_NAME' });
  });
});
