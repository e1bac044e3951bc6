/**
 * The limits of the event a ledger entry becomes (lib/events/gateway-event.ts), at their edges:
 * the `source` consumers' EventBridge rules match on (README's table); the detail's budget
 * (MAX_DETAIL_BYTES), which the attachment list is cut to — never exceeded, and an attachment that
 * still fits under it is kept; and EventBridge's limit on an entry (MAX_ENTRY_BYTES, an entry must
 * be smaller), which the builder refuses to exceed with an error naming the mail rather than
 * hand PutEvents an entry it would reject. Only an uncapped id (the ledger key, which DynamoDB
 * bounds in production) can reach that limit, so the tests use an absurdly long one.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_DETAIL_BYTES,
  MAX_ENTRY_BYTES,
  entrySize,
  gatewayEvent,
  type FollowupAddedDetail,
} from '../../lib/events/gateway-event.js';
import type { AttachmentInfo } from '../../lib/mail/record.js';
import { appliedEntry, attachment, skippedEntry } from '../helpers/ledger-entries.js';

const bus = { eventBusName: 'helpdesk-events-test' };
const detailOf = (event: { Detail: string }) => JSON.parse(event.Detail) as FollowupAddedDetail;
const withAttachments = (attachments: readonly AttachmentInfo[]) => gatewayEvent(appliedEntry({ attachments: [...attachments] }), bus);
const many = (count: number) => Array.from({ length: count }, (_, i) => attachment(i));

describe('the source of an event', () => {
  it('is helpdesk.mail-gateway for every outcome, as consumers\' rules match it', () => {
    expect(gatewayEvent(appliedEntry(), bus).Source).toBe('helpdesk.mail-gateway');
    expect(gatewayEvent(appliedEntry({ outcome: 'created' }), bus).Source).toBe('helpdesk.mail-gateway');
    expect(gatewayEvent(skippedEntry(), bus).Source).toBe('helpdesk.mail-gateway');
  });
});

describe('the detail of an event with many attachments', () => {
  it(`never exceeds ${MAX_DETAIL_BYTES} bytes, and lists the attachments that fit`, () => {
    const event = withAttachments(many(5000));
    const detail = detailOf(event);
    expect(Buffer.byteLength(event.Detail)).toBeLessThanOrEqual(MAX_DETAIL_BYTES);
    expect(detail.attachments.length).toBeGreaterThan(100);
    expect(detail.attachmentsOmitted).toBe(5000 - detail.attachments.length);
    // Not one more would have fitted.
    const next = detailOf(withAttachments([attachment(detail.attachments.length)])).attachments[0];
    expect(Buffer.byteLength(event.Detail) + Buffer.byteLength(`,${JSON.stringify(next)}`)).toBeGreaterThan(MAX_DETAIL_BYTES);
  });

  it('keeps a last attachment that leaves the detail just under its budget', () => {
    // The attachments that fit, but one; then a last one whose file name is stretched until the
    // detail holding it is one byte under the budget.
    const fitting = detailOf(withAttachments(many(5000))).attachments.length;
    const head = many(fitting - 1);
    const short = withAttachments([...head, attachment(fitting - 1, { filename: 'x' })]);
    expect(detailOf(short).attachmentsOmitted).toBe(0);
    const stretch = MAX_DETAIL_BYTES - 1 - Buffer.byteLength(short.Detail);
    expect(stretch).toBeGreaterThanOrEqual(0);
    expect(stretch).toBeLessThan(500);
    const last = attachment(fitting - 1, { filename: 'x'.repeat(1 + stretch) });
    const event = withAttachments([...head, last]);
    expect(Buffer.byteLength(event.Detail)).toBe(MAX_DETAIL_BYTES - 1);
    expect(detailOf(event)).toMatchObject({ attachmentsOmitted: 0 });
    expect(detailOf(event).attachments.at(-1)?.filename).toBe(last.filename);
  });
});

describe('an event over EventBridge\'s limit on an entry', () => {
  // An applied entry's ledger key appears once in its detail, uncut: each byte of it is a byte of the entry.
  const sizeWithKeyOf = (length: number) => entrySize(gatewayEvent(appliedEntry({ messageKey: 'k'.repeat(length) }), bus));

  it('is built when it is one byte under the limit', () => {
    const length = MAX_ENTRY_BYTES - 1 - sizeWithKeyOf(0);
    expect(sizeWithKeyOf(length)).toBe(MAX_ENTRY_BYTES - 1);
  });

  it('is refused at exactly the limit, with an error naming the event and the mail', () => {
    const length = MAX_ENTRY_BYTES - sizeWithKeyOf(0);
    const entry = appliedEntry({ messageKey: 'k'.repeat(length) });
    expect(() => gatewayEvent(entry, bus)).toThrow(new RegExp(`^the Followup Added event of k{${length}} is ${MAX_ENTRY_BYTES} bytes, over EventBridge's limit$`));
  });

  it('is refused far over the limit', () => {
    expect(() => gatewayEvent(skippedEntry({ messageKey: 'k'.repeat(MAX_ENTRY_BYTES) }), bus)).toThrow(/^the Mail Skipped event of k+ is \d+ bytes, over EventBridge's limit$/);
  });
});
