/**
 * Loading the reply-address secrets. The SSM reader is replaced by a function in most tests: no SSM
 * emulator is available here (dynalite and s3rver cover DynamoDB and S3 only). The reader itself is
 * one GetParameter call; the last tests give it a few-line server that answers that one operation of
 * SSM's JSON protocol, reached through the SDK's own AWS_ENDPOINT_URL_SSM.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SSMClient } from '@aws-sdk/client-ssm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadReplyTokenKeys, ssmParameterReader } from '../../lib/adapters/reply-token-secrets.js';
import { loadConfig } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';

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
    await expect(loadReplyTokenKeys(source, async () => 'short')).rejects.toThrow(ConfigError);
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

/** Runs `body` with AWS_ENDPOINT_URL_SSM at a server answering GetParameter with `answer`, and returns what it was asked. */
async function withSsm(answer: (name: string) => unknown, body: () => Promise<void>): Promise<{ headers: IncomingHttpHeaders; request: Record<string, unknown> }[]> {
  const asked: { headers: IncomingHttpHeaders; request: Record<string, unknown> }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      let request: Record<string, unknown> = {};
      try {
        request = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Not JSON: answered all the same, and the test sees what it was asked.
      }
      asked.push({ headers: req.headers, request });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer(String(request.Name))));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const previous = process.env.AWS_ENDPOINT_URL_SSM;
  process.env.AWS_ENDPOINT_URL_SSM = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await body();
  } finally {
    if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SSM;
    else process.env.AWS_ENDPOINT_URL_SSM = previous;
    await new Promise((resolve) => server.close(resolve));
  }
  return asked;
}

describe('the SSM parameter reader', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads a SecureString parameter with decryption, and closes its client', async () => {
    const destroy = vi.spyOn(SSMClient.prototype, 'destroy');
    let value = '';
    const asked = await withSsm(
      (name) => ({ Parameter: { Name: name, Type: 'SecureString', Value: `value of ${name}` } }),
      async () => {
        value = await ssmParameterReader('/helpdesk/reply');
      },
    );
    expect(value).toBe('value of /helpdesk/reply');
    expect(destroy).toHaveBeenCalledTimes(1);
    expect(asked).toEqual([{ headers: expect.objectContaining({ 'x-amz-target': 'AmazonSSM.GetParameter' }), request: { Name: '/helpdesk/reply', WithDecryption: true } }]);
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
