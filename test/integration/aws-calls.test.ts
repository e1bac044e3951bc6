/**
 * AWS calls per mail, counted exactly through the SDK (no timing): the common paths stay within
 * four calls of their own, plus the two of the event outbox (PutEvents, then the published mark).
 * Through the real handler against dynalite, s3rver and the local EventBridge.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { observeAwsCalls, type AwsCall } from '../../lib/adapters/aws-clients.js';
import { encodeS3Key } from '../../lib/intake.js';
import { SKIP_REASON_NAMES } from '../../lib/outcomes.js';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { composeMail } from '../helpers/mail.js';
import { DUPLICATE_ORIGINAL, MAIL_FOR_REASON, REASONS_WITHOUT_MAIL, REASON_ENV } from '../helpers/mail-for-each-reason.js';

// No default queue: mail to other addresses is a no-mailbox skip.
const fixture = useGateway({
  mode: 'update-only',
  env: { ...REASON_ENV, DEFAULT_QUEUE: '', MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create' },
});

/** Stores `raw` (unless null: an object never stored) and records the calls the handler makes for it. */
async function callsFor(name: string, raw: string | Buffer | null): Promise<{ calls: string[]; outcome: string }> {
  const key = `inbound/calls-${name}.eml`;
  if (raw !== null) await fixture.gateway.store(key, raw);
  const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: fixture.gateway.stack.names.bucket }, object: { key: encodeS3Key(key) } } }] };
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
  it('a follow-up by subject tag: read the mail, one batch read, one write, the event and its mark, one tag', async () => {
    const { calls, outcome } = await callsFor('followup', composeMail({ subject: 'Re: [support-42] hi' }));
    expect(outcome).toBe('followup');
    expect(calls).toEqual(['GetObject', 'BatchGetItem', 'PutItem', 'PutEvents', 'UpdateItem', 'PutObjectTagging']);
  });

  it('a follow-up with two attachments adds one upload each', async () => {
    const raw = await composeMime({ from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'Re: [support-42] files', text: 'x', attachments: [{ content: randomBytes(1000) }, { content: randomBytes(1000) }] });
    const { calls, outcome } = await callsFor('attachments', raw);
    expect(outcome).toBe('followup');
    expect(calls).toEqual(['GetObject', 'BatchGetItem', 'PutObject', 'PutObject', 'PutItem', 'PutEvents', 'UpdateItem', 'PutObjectTagging']);
  });

  it('a new ticket: reserve an id, claim, write the ticket, record, the event and its mark, tag', async () => {
    const { calls, outcome } = await callsFor('created', composeMail({ to: 'new@helpdesk.example', subject: 'new' }));
    expect(outcome).toBe('created');
    expect(calls).toEqual(['GetObject', 'BatchGetItem', 'UpdateItem', 'PutItem', 'PutItem', 'PutItem', 'PutEvents', 'UpdateItem', 'PutObjectTagging']);
  });

  it('has a mail for every skip reason but those only an AWS refusal reaches', () => {
    expect([...Object.keys(MAIL_FOR_REASON), ...REASONS_WITHOUT_MAIL].sort()).toEqual([...SKIP_REASON_NAMES].sort());
  });

  it.each(Object.keys(MAIL_FOR_REASON) as (keyof typeof MAIL_FOR_REASON)[])('a %s skip takes at most four calls and the two of its event', async (reason) => {
    if (reason === 'duplicate') await callsFor('dup-first', DUPLICATE_ORIGINAL);
    const { calls, outcome } = await callsFor(reason, await MAIL_FOR_REASON[reason]());
    expect(outcome).toBe(reason);
    expect(calls.filter((c) => c === 'PutEvents')).toHaveLength(1);
    expect(calls.length, calls.join(', ')).toBeLessThanOrEqual(6);
});
});
