/**
 * Loading the reply-address secrets. The SSM reader is replaced by a function in most tests: no SSM
 * emulator is available here (dynalite and s3rver cover DynamoDB and S3 only). The reader itself is
 * one GetParameter call; the last tests give it a few-line server that answers that one operation of
 * SSM's JSON protocol, reached through the SDK's own AWS_ENDPOINT_URL_SSM.
 */
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadReplyTokenKeys, ssmParameterReader } from '../../lib/adapters/reply-token-secrets.js';
import { loadConfig } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';
import { withJsonService } from '../helpers/json-service.js';

const base = { TICKETS_TABLE: 't', MESSAGES_TABLE: 'm', MAIL_BUCKET: 'b', MAILBOXES: 'support@helpdesk.example=support' };
const secret = 's'.repeat(32);

describe('reply-token secrets', () => {
  it('are off when nothing is configured', async () => {
    expect(await loadReplyTokenKeys(loadConfig(base).replyTokenSecrets)).toBeNull();
  });

  it('come from the environment in local runs', async () => {
    const keys = await loadReplyTokenKeys(loadConfig({ ...base, REPLY_TOKEN_SECRET: secret, REPLY_TOKEN_PREVIOUS_SECRET: `${secret}x` }).replyTokenSecrets);
    expect(keys?.current.toString()).toBe(secret);
    expect(keys?.previous?.toString()).toBe(`${secret}x`);
  });

  it('come from SSM SecureString parameters, read with decryption once', async () => {
    const read: string[] = [];
    const source = loadConfig({ ...base, REPLY_TOKEN_SECRET_PARAMETER: '/helpdesk/reply', REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER: '/helpdesk/reply-old' }).replyTokenSecrets;
    const keys = await loadReplyTokenKeys(source, async (name) => {
      read.push(name);
      return `${name}-${secret}`;
    });
    expect(read.sort()).toEqual(['/helpdesk/reply', '/helpdesk/reply-old']);
    expect(keys?.current.toString()).toBe(`/helpdesk/reply-${secret}`);
  });

  it('refuse a short secret, naming where it came from', async () => {
    expect(() => loadConfig({ ...base, REPLY_TOKEN_SECRET: 'short' })).toThrow('REPLY_TOKEN_SECRET');
    const source = loadConfig({ ...base, REPLY_TOKEN_SECRET_PARAMETER: '/helpdesk/reply' }).replyTokenSecrets;
    const currentShort = await loadReplyTokenKeys(source, async () => 'short').catch((error: unknown) => error);
    expect(currentShort).toBeInstanceOf(ConfigError);
    expect(currentShort).toMatchObject({ variable: 'REPLY_TOKEN_SECRET_PARAMETER' });
    expect(String((currentShort as Error).message)).toMatch(/^REPLY_TOKEN_SECRET_PARAMETER is invalid \(a value of 5 characters, not shown\)/);
    const both = loadConfig({ ...base, REPLY_TOKEN_SECRET_PARAMETER: '/helpdesk/reply', REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER: '/helpdesk/old' }).replyTokenSecrets;
    const previousShort = await loadReplyTokenKeys(both, async (name) => (name === '/helpdesk/old' ? 'short' : secret)).catch((error: unknown) => error);
    expect(previousShort).toBeInstanceOf(ConfigError);
    expect(String((previousShort as Error).message)).toContain('REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER');
  });

  it('refuse a parameter name that is not a path, and two sources at once', () => {
    expect(() => loadConfig({ ...base, REPLY_TOKEN_SECRET_PARAMETER: 'helpdesk-reply' })).toThrow('starting with "/"');
    expect(() => loadConfig({ ...base, REPLY_TOKEN_SECRET: secret, REPLY_TOKEN_SECRET_PARAMETER: '/p' })).toThrow('not both');
  });
});

/** Runs `action` against a GetParameter server answering `answer(name)`: what it returned, and what the server was asked. */
function withSsm<T>(answer: (name: string) => unknown, action: () => Promise<T>) {
  return withJsonService('AWS_ENDPOINT_URL_SSM', ({ body }) => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: answer(String(body.Name)) }), action);
}

describe('the SSM parameter reader', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads a SecureString parameter with decryption, and closes its client', async () => {
    const destroy = vi.spyOn(SSMClient.prototype, 'destroy');
    const { result: value, requests } = await withSsm(
      (name) => ({ Parameter: { Name: name, Type: 'SecureString', Value: `value of ${name}` } }),
      () => ssmParameterReader('/helpdesk/reply'),
    );
    expect(value).toBe('value of /helpdesk/reply');
    expect(destroy).toHaveBeenCalledTimes(1);
    expect(requests).toEqual([expect.objectContaining({ headers: expect.objectContaining({ 'x-amz-target': 'AmazonSSM.GetParameter' }), body: { Name: '/helpdesk/reply', WithDecryption: true } })]);
  });

  it('refuses a parameter without a value, naming the variable and the parameter, and closes its client', async () => {
    const destroy = vi.spyOn(SSMClient.prototype, 'destroy');
    for (const answer of [{ Parameter: { Name: '/helpdesk/reply', Value: '' } }, {}]) {
      await withSsm(
        () => answer,
        async () => {
          const failure = await ssmParameterReader('/helpdesk/reply').catch((error: unknown) => error);
          expect(failure).toBeInstanceOf(ConfigError);
          expect(String((failure as Error).message)).toContain('REPLY_TOKEN_SECRET_PARAMETER');
          expect(String((failure as Error).message)).toContain('/helpdesk/reply has none');
        },
      );
    }
    expect(destroy).toHaveBeenCalledTimes(2);
  });
});
