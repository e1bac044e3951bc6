/**
 * AWS calls per mail, counted exactly through the SDK (no timing): the common paths stay within
 * four calls. Through the real handler against dynalite and s3rver.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { observeAwsCalls, type AwsCall } from '../../lib/adapters/aws-clients.js';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { composeMail } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'update-only', env: { MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create' } });
const HYGIENE = join(import.meta.dirname, '../fixtures/hygiene');

async function callsFor(name: string, raw: string | Buffer): Promise<{ calls: string[]; outcome: string }> {
  const event = await fixture.gateway.store(`inbound/calls-${name}.eml`, raw);
  const calls: AwsCall[] = [];
  const stop = observeAwsCalls((call) => calls.push(call));
  try {
    const result = await fixture.gateway.handler(event);
    const outcome = 'mails' in result ? result.mails[0]?.outcome : undefined;
    return { calls: calls.map((c) => c.command.replace(/Command$/, '')), outcome: outcome?.kind === 'skipped' ? outcome.reason : String(outcome?.kind) };
  } finally {
    stop();
  }
}

describe('AWS calls per mail', () => {
  it('a follow-up by subject tag: read the mail, one batch read, one write, one tag', async () => {
    const { calls, outcome } = await callsFor('followup', composeMail({ subject: 'Re: [support-42] hi' }));
    expect(outcome).toBe('followup');
    expect(calls).toEqual(['GetObject', 'BatchGetItem', 'PutItem', 'PutObjectTagging']);
  });

  it('a follow-up with two attachments adds one upload each', async () => {
    const raw = await composeMime({ from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'Re: [support-42] files', text: 'x', attachments: [{ content: randomBytes(1000) }, { content: randomBytes(1000) }] });
    const { calls, outcome } = await callsFor('attachments', raw);
    expect(outcome).toBe('followup');
    expect(calls).toEqual(['GetObject', 'BatchGetItem', 'PutObject', 'PutObject', 'PutItem', 'PutObjectTagging']);
  });

  it('a new ticket: reserve an id, claim, write the ticket, record, tag', async () => {
    const { calls, outcome } = await callsFor('created', composeMail({ to: 'new@helpdesk.example', subject: 'new' }));
    expect(outcome).toBe('created');
    expect(calls).toEqual(['GetObject', 'BatchGetItem', 'UpdateItem', 'PutItem', 'PutItem', 'PutItem', 'PutObjectTagging']);
  });

  it.each([
    ['no-ticket-ref', () => composeMail({ subject: 'no tag' })],
    ['ticket-not-found', () => composeMail({ subject: '[support-999] gone' })],
    ['sender-not-allowed', () => composeMail({ from: 'mallory@example.org', subject: '[support-42] forged' })],
    ['duplicate', () => composeMail({ messageId: '<calls-dup@x>', subject: '[support-42] twice' })],
    ['auto-reply', () => readFile(join(HYGIENE, 'gmail-vacation-responder.eml'))],
    ['bounce', () => readFile(join(HYGIENE, 'postfix-bounce-of-notification.eml'))],
    ['loop', () => readFile(join(HYGIENE, 'loop-header.eml'))],
    ['spam', () => readFile(join(HYGIENE, 'ses-spam-verdict-fail.eml'))],
    ['dmarc-fail', () => readFile(join(HYGIENE, 'dmarc-fail.eml'))],
    ['virus', () => readFile(join(HYGIENE, 'ses-virus-verdict-fail.eml'))],
    ['empty', () => ''],
  ] as [string, () => string | Buffer | Promise<Buffer>][])('a %s skip takes at most four calls', async (reason, make) => {
    if (reason === 'duplicate') await callsFor('dup-first', await make());
    const { calls, outcome } = await callsFor(reason, await make());
    expect(outcome).toBe(reason);
    expect(calls.length, calls.join(', ')).toBeLessThanOrEqual(4);
  });
});
