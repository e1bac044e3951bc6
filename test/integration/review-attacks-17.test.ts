/**
 * An outside review of issue 17 (a skip the header block decides stops the read there, and is
 * fingerprinted over its header block), through the real handler against dynalite and s3rver.
 */
import { describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../lib/adapters/aws-clients.js';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import { createMailProcessor } from '../../lib/pipeline/index.js';
import { loadConfig } from '../../lib/config.js';
import { readOnlyPipelineContext } from '../../lib/inspect/inspect-context.js';
import { inspectMail } from '../../lib/inspect/inspect-mail.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'update-only' });

/** A new question (no ticket reference) to the update-only mailbox whose body breaks the parser (over its 1,000-part cap). */
function brokenBelowTheHeaderBlock(messageId: string): string {
  const lines = ['From: Alice Example <alice@example.com>', 'To: support@helpdesk.example', 'Subject: broken below', `Message-ID: ${messageId}`, 'Date: Thu, 26 Nov 2026 09:12:00 +0100', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', ''];
  const body = Array.from({ length: 1200 }, () => '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n').join('') + '--b--\r\n';
  return `${lines.join('\r\n')}\r\n${body}`;
}

describe('a redelivery of a mail whose header block decided its skip', () => {
  it('reports the recorded skip again, not a second outcome (`malformed`) from a body the first attempt never read', async () => {
    const event = await fixture.gateway.store('inbound/redelivered-broken.eml', brokenBelowTheHeaderBlock(newMessageId('redelivered-broken')));
    const first = await fixture.gateway.handler(event);
    // SQS delivers at least once; a failed tagging is retried; the sweep re-drives an untagged mail.
    const again = await fixture.gateway.handler(event);
    expect(first).toMatchObject({ mails: [{ outcome: { kind: 'skipped', reason: 'no-ticket-ref' } }] });
    expect(again).toMatchObject({ mails: [{ outcome: { kind: 'skipped', reason: 'no-ticket-ref' }, redelivered: true }] });
    const key = 'mails' in first ? first.mails[0]?.location.key : undefined;
    expect((await fixture.aws.ledger()).filter((e) => e.key === key).map((e) => e.reason)).toEqual(['no-ticket-ref']);
  });
});

describe('npm run inspect on a mail whose header block decides its skip', () => {
  it('explains the skip the pipeline records, not `malformed` for a body the pipeline never reads, before and after the mail is processed', async () => {
    const event = await fixture.gateway.store('inbound/inspect-broken.eml', brokenBelowTheHeaderBlock(newMessageId('inspect-broken')));
    const location = { bucket: fixture.gateway.stack.names.bucket, key: 'inbound/inspect-broken.eml' };
    const ctx = readOnlyPipelineContext(loadConfig(process.env), createAwsClients(), null);
    const before = await inspectMail(ctx, location);
    expect(before.decision).toMatchObject({ outcome: 'skip', reason: 'no-ticket-ref' });
    expect(before.body).toBeNull();
    expect(await fixture.gateway.handler(event)).toMatchObject({ mails: [{ outcome: { kind: 'skipped', reason: 'no-ticket-ref' } }] });
    const after = await inspectMail(ctx, location);
    expect(after.decision).toMatchObject({ outcome: 'redelivered', reason: 'no-ticket-ref' });
  });
});

describe('the key of a mail distinct from the holder of its Message-ID', () => {
  it('does not depend on how far the holder was read: a replay of the holder does not let a copy of the distinct mail apply twice', async () => {
    const replay = (location: { bucket: string; key: string }) => {
      const clients = createAwsClients();
      return createMailProcessor(awsPipelineDeps(loadConfig(process.env), clients, null))(location, undefined, { replay: true }).finally(() => {
        destroyAwsClients(clients);
      });
    };
    const messageId = newMessageId('reused-id');
    // M1 holds the Message-ID, skipped at its header block (its ticket does not exist yet).
    const m1 = await fixture.gateway.deliver('reused-m1.eml', composeMail({ messageId, subject: 'Re: [support-171] first', body: 'first mail' }));
    expect(m1.outcome).toMatchObject({ kind: 'skipped', reason: 'ticket-not-found' });
    // M2, another mail under the same Message-ID, is keyed apart and applied.
    const m2 = composeMail({ messageId, subject: 'Re: [support-42] second', body: 'second mail' });
    expect((await fixture.gateway.deliver('reused-m2.eml', m2)).outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    // The ticket is created and M1 replayed: its entry now holds a whole-mail fingerprint.
    await fixture.aws.putTicket({ id: 171, queue: 'support', status: 'open', submitter: 'alice@example.com' });
    expect((await replay(m1.location)).outcome).toMatchObject({ kind: 'followup', ticketId: 171 });
    // A second copy of M2 must find M2's entry, not a key of its own.
    expect((await fixture.gateway.deliver('reused-m2-again.eml', m2)).outcome).toMatchObject({ kind: 'skipped', reason: 'duplicate' });
    expect((await fixture.aws.followups(42)).filter((f) => f.messageId === bare(messageId))).toHaveLength(1);
  });
});
