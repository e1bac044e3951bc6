/**
 * Loading the reply-address secrets. The SSM reader is replaced by a function here: no SSM server
 * runs locally (dynalite and s3rver cover DynamoDB and S3 only), and the reader is one GetParameter call.
 */
import { describe, expect, it } from 'vitest';
import { loadReplyTokenKeys } from '../../lib/adapters/reply-token-secrets.js';
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
  });

  it('refuse a parameter name that is not a path, and two sources at once', () => {
    expect(() => loadConfig({ ...base, REPLY_TOKEN_SECRET_PARAMETER: 'helpdesk-reply' })).toThrow('starting with "/"');
    expect(() => loadConfig({ ...base, REPLY_TOKEN_SECRET: secret, REPLY_TOKEN_SECRET_PARAMETER: '/p' })).toThrow('not both');
  });
});
