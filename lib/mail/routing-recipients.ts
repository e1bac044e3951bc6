/**
 * Whom a mail was delivered to, for routing it to a mailbox. Only what SES vouches for decides:
 * a sender writes `X-Original-To`, `Delivered-To`, `To` and `Cc` as he likes, so a mail sent only
 * to an update-only address opened a ticket through a forged `X-Original-To: new@…`. Pure.
 *
 * In order of trust:
 * 1. the recipients of SES's receipt (the Lambda-action event's `receipt.recipients`: the
 *    addresses that matched the receipt rule, AWS SES Developer Guide, "Contents of notifications
 *    for Amazon SES email receiving");
 * 2. else the `for` clause of the TOPMOST `Received` header, when SES's inbound-smtp wrote it
 *    (`… by inbound-smtp.<region>.amazonaws.com with SMTP id … for <rcpt>; <date>`,
 *    RFC 5321 §4.4). SES prepends it, so the topmost one is SES's; the clause is read anchored
 *    at the header's end, before its date, where the sender-chosen HELO (in the `from` part)
 *    cannot reach;
 * 3. else, flagged as written by the sender, `X-Original-To`, `Delivered-To`, `To` and `Cc`, in
 *    that order — only for mail that did not come through SES's receipt rule (a local run
 *    without a simulated receipt), and never to be trusted further than the sender.
 */
import { canonicalAddresses, canonicalizeMailbox, type CanonicalAddress } from './canonical-address.js';
import type { RawHeaders } from './raw-headers.js';

/** Who named the recipients. */
export type RecipientSource = 'receipt' | 'received' | 'sender-headers' | 'none';

/** The recipients a mail is routed by, canonical, in order, once each, and who named them. */
export interface RoutingRecipients {
  readonly recipients: readonly CanonicalAddress[];
  /** `sender-headers`: nothing SES wrote named a recipient; these came from headers anyone can write. */
  readonly source: RecipientSource;
}

/** What {@link routingRecipients} reads. */
export interface RoutingRecipientsInput {
  /** The SES receipt's recipients, when the event carries a receipt (else `[]` or absent). */
  readonly receiptRecipients?: readonly string[];
  /** The raw headers (`readRawHeaders`): `received`, topmost first, and the fallback fields. */
  readonly raw: RawHeaders;
}

/** The fields a sender writes, in the order they are tried when SES named no recipient. */
export const SENDER_RECIPIENT_HEADERS = ['x-original-to', 'delivered-to', 'to', 'cc'] as const;

/** `… by inbound-smtp.<region>.amazonaws.com with SMTP id <id> for <rcpt>` at the end of the tokens before the date. */
const SES_RECEIVED_TAIL = /(?:^|[\s)])by\s+inbound-smtp\.[a-z0-9-]+\.amazonaws\.com\s+with\s+[a-z0-9]+\s+id\s+[a-z0-9._-]+\s+for\s+(<[^<>\s;]+>|[^<>\s;]+)\s*$/i;

/**
 * The recipient of SES's inbound-smtp `Received` header value (raw, unfolded), in canonical form;
 * `null` when the header is not SES's or names no (comparable) recipient.
 */
export function sesReceivedFor(received: string): CanonicalAddress | null {
  const recipient = sesReceivedRecipient(received);
  return recipient === null ? null : recipient.address;
}

/**
 * Whether SES's inbound-smtp wrote this `Received` header value, and for whom: `null` when it is
 * not SES's; `{ address: null }` when it is SES's but its recipient is not comparable (an
 * `x=?y@…` SES accepted): such mail is routed by nothing the sender wrote.
 */
function sesReceivedRecipient(received: string): { readonly address: CanonicalAddress | null } | null {
  const semicolon = received.lastIndexOf(';');
  if (semicolon < 0) return null;
  const match = SES_RECEIVED_TAIL.exec(received.slice(0, semicolon));
  if (!match) return null;
  const result = canonicalizeMailbox(match[1] as string);
  return { address: result.comparable ? result.address : null };
}

function unique(addresses: readonly string[]): CanonicalAddress[] {
  const out = new Set<CanonicalAddress>();
  for (const address of addresses) {
    const result = canonicalizeMailbox(address);
    if (result.comparable) out.add(result.address);
  }
  return [...out];
}

/** The recipients SES received the mail for (see the module comment for the order of trust). */
export function routingRecipients(input: RoutingRecipientsInput): RoutingRecipients {
  // Stryker disable next-line ArrayDeclaration: equivalent, any other text put in place of no recipients is no comparable address
  const fromReceipt = unique(input.receiptRecipients ?? []);
  if (fromReceipt.length > 0) return { recipients: fromReceipt, source: 'receipt' };

  const topmost = input.raw.received?.[0];
  const fromReceived = topmost === undefined ? null : sesReceivedRecipient(topmost);
  // Once SES wrote the topmost Received, it alone decides, even when its recipient cannot be read.
  if (fromReceived !== null) return { recipients: fromReceived.address === null ? [] : [fromReceived.address], source: 'received' };

  const fromHeaders = [...new Set(SENDER_RECIPIENT_HEADERS.flatMap((name) => canonicalAddresses(input.raw[name])))];
  return fromHeaders.length > 0 ? { recipients: fromHeaders, source: 'sender-headers' } : { recipients: [], source: 'none' };
}
