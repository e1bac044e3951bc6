/**
 * The functions' configuration checked at package time (infra/plugin/function-config.cjs) by the
 * function's own cold-start check (lib/config.ts), over the environment the framework resolved.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFunctionConfig, deployTimeValue, parametersOf, resolvedEnvironment } from '../../infra/plugin/function-config.cjs';
import { loadConfig } from '../../lib/config.js';

const SERVICE_FILE = readFileSync(join(resolve(import.meta.dirname, '../..'), 'serverless.yml'), 'utf8');

/** The provider environment of serverless.yml as the framework resolves it with the default parameters. */
const PROVIDER = {
  TICKETS_TABLE: { Ref: 'TicketsTable' },
  MESSAGES_TABLE: { Ref: 'MessagesTable' },
  MAIL_BUCKET: { Ref: 'MailBucket' },
  INBOUND_PREFIX: 'inbound/',
  MAILBOXES: 'support@helpdesk.example.com=support:update-only',
  DEFAULT_QUEUE: '',
  UPDATE_ONLY: 'true',
  SENDER_POLICY: 'strict',
  REPLY_TOKEN_SECRET_PARAMETER: '',
  EVENT_BUS_NAME: { 'Fn::If': ['CreateEventBus', { Ref: 'EventBus' }, ''] },
};

function refusal(environment: Record<string, unknown>): string {
  try {
    checkFunctionConfig({ provider: { environment: { ...PROVIDER, ...environment } }, functions: { ingestMail: {}, sweep: {} } }, SERVICE_FILE);
  } catch (error) {
    // By name: vitest loads names.cjs once for this file and once for function-config.cjs's require.
    expect((error as Error).name).toBe('DeploymentConfigError');
    return (error as Error).message;
  }
  return 'accepted';
}

describe('the functions’ configuration at package time', () => {
  it('accepts the defaults, with deploy-time values standing in as valid names', () => {
    expect(refusal({})).toBe('accepted');
    const env = resolvedEnvironment(PROVIDER, { SWEEP_AFTER_MINUTES: 90 });
    expect(env.TICKETS_TABLE).toBe(deployTimeValue('TICKETS_TABLE'));
    expect(env.MESSAGES_TABLE).not.toBe(env.TICKETS_TABLE);
    expect(env.SWEEP_AFTER_MINUTES).toBe('90');
    expect(loadConfig(env).sweep.afterMinutes).toBe(90);
  });

  it.each([
    [{ SENDER_POLICY: 'bogus' }, 'SENDER_POLICY="bogus" is invalid', 'senderPolicy'],
    [{ MAILBOXES: 'support@helpdesk.example.com=support:sometimes' }, 'MAILBOXES=', 'mailboxes'],
    [{ REPLY_TOKEN_SECRET_PARAMETER: 'helpdesk/reply' }, 'REPLY_TOKEN_SECRET_PARAMETER="helpdesk/reply" is invalid', 'replyTokenSecretParameter'],
    [{ AGENT_ADDRESSES: 'not an address' }, 'AGENT_ADDRESSES=', 'agentAddresses'],
  ])('refuses %j with the function’s own message, naming the parameter', (environment, message, parameter) => {
    const text = refusal(environment);
    expect(text).toContain('The function ingestMail would refuse its configuration');
    expect(text).toContain(message);
    expect(text).toContain(`the parameter ${parameter}`);
  });

  it('reads which parameter sets which variable from the service file', () => {
    expect(parametersOf(SERVICE_FILE)).toMatchObject({ MAILBOXES: 'mailboxes', SENDER_POLICY: 'senderPolicy', DEFAULT_QUEUE: 'defaultQueue' });
  });
});
