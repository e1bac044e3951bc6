import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';
import { routeMail } from '../../lib/mailbox.js';
import { SERVICE_NAME } from '../../lib/telemetry.js';

const base = {
  TICKETS_TABLE: 'tickets',
  MESSAGES_TABLE: 'messages',
  MAIL_BUCKET: 'mail',
  MAILBOXES: 'Support@Helpdesk.example=support:update-only, new@helpdesk.example=support:create, billing@helpdesk.example=billing',
};

function failure(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads a valid environment into a typed, frozen object', () => {
    const config = loadConfig({ ...base, UPDATE_ONLY: 'true', DEFAULT_QUEUE: 'support' });
    expect(config.mailboxes).toEqual([
      { address: 'support@helpdesk.example', queue: 'support', mode: 'update-only' },
      { address: 'new@helpdesk.example', queue: 'support', mode: 'create' },
      { address: 'billing@helpdesk.example', queue: 'billing', mode: 'update-only' },
    ]);
    expect(config.defaultMode).toBe('update-only');
    expect(config.queueSlugs).toEqual(['support', 'billing']);
    expect(config.inboundPrefix).toBe('inbound/');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('takes the metrics service name from POWERTOOLS_SERVICE_NAME, as Powertools does', () => {
    expect(loadConfig(base).serviceName).toBe(SERVICE_NAME);
    expect(loadConfig({ ...base, POWERTOOLS_SERVICE_NAME: 'helpdesk-mail-gateway-prod' }).serviceName).toBe('helpdesk-mail-gateway-prod');
  });

  it('reads the hygiene settings, safe by default', () => {
    const defaults = loadConfig(base);
    expect(defaults.senderPolicy).toBe('strict');
    expect(defaults.screening).toMatchObject({ skipAutoReplies: true, skipSpam: true, dmarcWithoutPolicy: 'skip', loopHeader: 'x-helpdesk-loop' });
    expect(defaults.screening.ownAddresses).toEqual(new Set(['support@helpdesk.example', 'new@helpdesk.example', 'billing@helpdesk.example']));
    expect(defaults.attachments.denyExtensions.has('exe')).toBe(true);
    const agents = loadConfig({ ...base, AGENT_ADDRESSES: 'Lead@Example.com, @Staff.Example.com' }).agents;
    expect(agents).toEqual({ addresses: new Set(['lead@example.com']), domains: new Set(['staff.example.com']) });
    expect(defaults.senderAuthentication).toBe('required');
    expect(defaults.ownDomains).toEqual(new Set(['helpdesk.example']));
  });

  it('keeps agents in the canonical form senders are compared in: IDN domains as A-labels', () => {
    const agents = loadConfig({ ...base, AGENT_ADDRESSES: 'jo@Bücher.example,@STÄFF.example' }).agents;
    expect(agents).toEqual({ addresses: new Set(['jo@xn--bcher-kva.example']), domains: new Set(['xn--stff-moa.example']) });
  });

  it('defaults UPDATE_ONLY to false, as django-helpdesk does', () => {
    expect(loadConfig(base).mailboxes[2]?.mode).toBe('create');
  });

  it.each([
    [{ TICKETS_TABLE: undefined }, 'TICKETS_TABLE', 'is not set'],
    [{ MESSAGES_TABLE: ' ' }, 'MESSAGES_TABLE', 'is not set'],
    [{ MAIL_BUCKET: undefined }, 'MAIL_BUCKET', 'is not set'],
    [{ MESSAGES_TABLE: 'tickets' }, 'MESSAGES_TABLE', '"tickets" is invalid: expected a table other than TICKETS_TABLE'],
    [{ UPDATE_ONLY: 'yes' }, 'UPDATE_ONLY', '"true" or "false"'],
    [{ MAILBOXES: 'support@helpdesk.example' }, 'MAILBOXES', 'address=queue[:mode]'],
    [{ MAILBOXES: 'not-an-address=support' }, 'MAILBOXES', 'address=queue[:mode]'],
    [{ MAILBOXES: 'a@b.example=support:sometimes' }, 'MAILBOXES', 'create or update-only'],
    [{ MAILBOXES: 'a@b.example=sup port' }, 'MAILBOXES', 'queue slugs'],
    [{ MAILBOXES: 'a@b.example=x,A@b.example=y' }, 'MAILBOXES', 'listed twice'],
    [{ MAILBOXES: '', DEFAULT_QUEUE: undefined }, 'MAILBOXES', 'at least one mailbox'],
    [{ DEFAULT_QUEUE: 'bad slug!' }, 'DEFAULT_QUEUE', 'queue slugs'],
    [{ INBOUND_PREFIX: 'inbound' }, 'INBOUND_PREFIX', 'ending in "/"'],
    [{ POWERTOOLS_SERVICE_NAME: 'two words' }, 'POWERTOOLS_SERVICE_NAME', 'service name'],
    [{ MAX_MAIL_BYTES: '40MB' }, 'MAX_MAIL_BYTES', 'whole number of bytes'],
    [{ MAX_MAIL_BYTES: '10' }, 'MAX_MAIL_BYTES', 'from 1024 up'],
    [{ SENDER_POLICY: 'lax' }, 'SENDER_POLICY', '"strict" or "open"'],
    [{ SENDER_AUTHENTICATION: 'sometimes' }, 'SENDER_AUTHENTICATION', '"required" or "off"'],
    [{ AGENT_ADDRESSES: 'lead@xn--example-.com' }, 'AGENT_ADDRESSES', 'not a valid address or domain'],
    [{ DMARC_FAIL_WITHOUT_POLICY: 'maybe' }, 'DMARC_FAIL_WITHOUT_POLICY', '"skip" or "accept"'],
    [{ SKIP_SPAM: 'no' }, 'SKIP_SPAM', '"true" or "false"'],
    [{ AGENT_ADDRESSES: 'lead@example.com,staff.example.com' }, 'AGENT_ADDRESSES', '"staff.example.com" is not one'],
    [{ LOOP_HEADER: 'X Loop' }, 'LOOP_HEADER', 'loop'],
    [{ ATTACHMENT_DENY_EXTENSIONS: 'exe,.b a t' }, 'ATTACHMENT_DENY_EXTENSIONS', 'is not one'],
    [{ MAX_ATTACHMENTS: '-1' }, 'MAX_ATTACHMENTS', 'whole number'],
    [{ MAX_ATTACHMENTS: '201' }, 'MAX_ATTACHMENTS', 'up to 200'],
    [{ QUARANTINE_PREFIX: 'quarantine' }, 'QUARANTINE_PREFIX', 'ending in "/"'],
    [{ ATTACHMENTS_PREFIX: `${'a'.repeat(300)}/` }, 'ATTACHMENTS_PREFIX', 'at most 256 bytes'],
    [{ ATTACHMENTS_PREFIX: 'inbound/attachments/' }, 'ATTACHMENTS_PREFIX', 'lies under INBOUND_PREFIX'],
    [{ QUARANTINE_PREFIX: 'inbound/quarantine/' }, 'QUARANTINE_PREFIX', 'lies under INBOUND_PREFIX'],
    [{ INBOUND_PREFIX: 'mail/', ATTACHMENTS_PREFIX: 'mail/files/' }, 'ATTACHMENTS_PREFIX', 'lies under INBOUND_PREFIX'],
    [{ INBOUND_PREFIX: 'mail/in/', QUARANTINE_PREFIX: 'mail/' }, 'QUARANTINE_PREFIX', 'contains nor lies under INBOUND_PREFIX'],
    [{ ATTACHMENTS_PREFIX: 'store/', QUARANTINE_PREFIX: 'store/' }, 'ATTACHMENTS_PREFIX', 'QUARANTINE_PREFIX'],
    [{ LOOP_HEADER: 'Subject' }, 'LOOP_HEADER', 'not one ordinary mail carries'],
    [{ LOOP_HEADER: 'from' }, 'LOOP_HEADER', 'not one ordinary mail carries'],
    [{ LOOP_HEADER: 'X-Loop' }, 'LOOP_HEADER', 'not one ordinary mail carries'],
    [{ LOOP_HEADER: 'Precedence' }, 'LOOP_HEADER', 'not one ordinary mail carries'],
  ])('rejects %o naming %s', (overrides, variable, expected) => {
    const error = failure({ ...base, ...overrides });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).toContain(expected);
  });
});

describe('routeMail', () => {
  const config = loadConfig({ ...base, DEFAULT_QUEUE: 'support', UPDATE_ONLY: 'true' });

  it('takes the first recipient that is a configured mailbox, case-insensitively', () => {
    expect(routeMail(['someone@else.example', 'BILLING@helpdesk.example', 'new@helpdesk.example'], config)?.queue).toBe('billing');
  });

  it('falls back to the default queue with the default mode, or to nothing without one', () => {
    expect(routeMail(['x@y.example'], config)).toEqual({ address: null, queue: 'support', mode: 'update-only' });
    expect(routeMail(['x@y.example'], loadConfig(base))).toBeNull();
  });
});
