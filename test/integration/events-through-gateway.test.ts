/**
 * The outcome events through the real handler and the local EventBridge endpoint
 * (`lib/local/eventbridge-server.ts`, which says why it is ours): one event per final outcome,
 * valid against its schema, published only after the ledger commit and again only when unmarked.
 */
import { describe, expect, it } from 'vitest';
import type { IngestResult } from '../../lib/ingest-handler.js';
import type { DetailType } from '../../lib/events/gateway-event.js';
import type { MailReport } from '../../lib/pipeline/index.js';
import { schemaErrors } from '../helpers/event-schemas.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const fixture = useGateway({ env: { MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create' } });
const bridge = () => fixture.gateway.stack.eventBridge;
const details = () => bridge().events().map((e) => ({ type: e.DetailType, detail: JSON.parse(e.Detail) as Record<string, unknown>, entry: e }));

async function invoke(event: unknown): Promise<MailReport> {
  const result = await fixture.gateway.handler(event).catch((error: { mails?: MailReport[] }) => ({ mails: error.mails ?? [] }) as IngestResult);
  const report = 'mails' in result ? result.mails[0] : undefined;
  if (!report) throw new Error('no report');
  return report;
}

describe('events through the gateway', () => {
  it('publishes one event per outcome kind, each valid against its schema', async () => {
    bridge().clear();
    const followup = await fixture.gateway.deliver('followup.eml', composeMail({ from: 'alice@example.com', messageId: newMessageId('f'), subject: 'Re: [support-42] Printer jams', body: 'It jams again.' }));
    const created = await fixture.gateway.deliver('created.eml', composeMail({ to: 'new@helpdesk.example', messageId: newMessageId('c'), subject: 'New printer' }));
    const skipped = await fixture.gateway.deliver('skipped.eml', composeMail({ messageId: newMessageId('s'), subject: 'No ticket named' }));
    expect([followup, created, skipped].map((r) => r.outcome.kind)).toEqual(['followup', 'created', 'skipped']);
    const events = details();
    expect(events.map((e) => e.type)).toEqual(['Followup Added', 'Ticket Created', 'Mail Skipped']);
    for (const { entry } of events) expect(schemaErrors({ DetailType: entry.DetailType as DetailType, Detail: entry.Detail })).toEqual([]);
    expect(events[0]?.detail).toMatchObject({ ticketId: 42, snippet: 'It jams again.' });
    expect(events[2]?.detail).toMatchObject({ reason: 'no-ticket-ref' });
  });

  it('after a failed publish, the redelivery gives exactly the missing event, and a further one none', async () => {
    bridge().clear();
    const messageId = newMessageId('crash');
    const event = await fixture.gateway.store('inbound/crash.eml', composeMail({ from: 'alice@example.com', messageId, subject: 'Re: [support-42] Printer jams' }));
    bridge().failNext('failed-entry');
    expect((await invoke(event)).outcome.kind).toBe('retry');
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied' });
    expect(bridge().events()).toEqual([]);

    const redelivered = await invoke(event);
    expect(redelivered).toMatchObject({ redelivered: true, outcome: { kind: 'followup', ticketId: 42 } });
    expect(await invoke(event)).toMatchObject({ redelivered: true });
    expect(details().map((e) => [e.type, e.detail.messageKey])).toEqual([['Followup Added', bare(messageId)]]);
    expect((await fixture.aws.ledgerEntry(bare(messageId)))?.publishedAt).toEqual(expect.any(String));
    expect(await fixture.aws.followups(42)).toEqual(expect.arrayContaining([expect.objectContaining({ messageKey: bare(messageId) })]));
  });
});
