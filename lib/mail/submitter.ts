/**
 * Who a new ticket is for (issue 12, point 5): the From address, else Reply-To (where a shop or
 * form mailer puts the customer), else Sender. Read from the RAW header values (see
 * `raw-headers.ts`) and compared in canonical form (`canonical-address.ts`), like every other
 * identity decision. Pure.
 *
 * The order, by RFC 5322 §3.6.2 and what mailers do:
 * - one `From` field naming one mailbox: that mailbox, when it is comparable;
 * - one `From` field naming several mailboxes: RFC 5322 then requires `Sender`, "the mailbox of
 *   the agent responsible for the actual transmission": that one;
 * - no `From`, or one naming no mailbox (`From: undisclosed-recipients:;`, an empty value): the
 *   one mailbox of `Reply-To`, else the one mailbox of `Sender`.
 *
 * Never a fallback past a `From` that names a mailbox we cannot compare (an encoded word, a
 * confusable domain), nor past two `From` fields: that is how a sender shows one address to the
 * reader and another to a check, so the mail gets no submitter and is skipped.
 */
import { parseAddressList } from './address-list.js';
import { canonicalizeMailbox, type CanonicalAddress } from './canonical-address.js';
import type { RawHeaders } from './raw-headers.js';

/**
 * The raw header fields a submitter can come from, in the order tried. `reply-to` and `sender`
 * must be in `TRUST_HEADERS` of `raw-headers.ts` for `MailHeaders.raw` to hold them.
 */
export const SUBMITTER_FIELDS = ['from', 'reply-to', 'sender'] as const;
export type SubmitterField = (typeof SUBMITTER_FIELDS)[number];

/** The submitter, and which field named it; or why there is none. */
export type SubmitterChoice =
  | { readonly found: true; readonly address: CanonicalAddress; readonly field: SubmitterField }
  | { readonly found: false; readonly detail: string };

function none(detail: string): SubmitterChoice {
  return { found: false, detail };
}

/** The one comparable mailbox of the one field `name`, or why not. */
function singleMailbox(raw: RawHeaders, name: SubmitterField): SubmitterChoice {
  const values = raw[name] ?? [];
  if (values.length === 0) return none(`no ${name} header`);
  if (values.length > 1) return none(`${values.length} ${name} headers`);
  const result = canonicalizeMailbox(values[0] as string);
  return result.comparable ? { found: true, address: result.address, field: name } : none(`${name}: ${result.reason}`);
}

/** How many mailboxes a `From` value names (groups allowed, to see `undisclosed-recipients:;`); `null` if unparseable. */
function fromMailboxCount(value: string): number | null {
  // Stryker disable next-line ObjectLiteral: equivalent, the count is only told apart as 0, 1 or more, which any limit over 1 keeps
  return parseAddressList(value, { max: 2 })?.length ?? null;
}

/**
 * The submitter of a new ticket from the raw `From`, `Reply-To` and `Sender` values (lower-case
 * names, each field's values topmost first, as `readRawHeaders` keeps them). See the module
 * comment for the order and for when there is none.
 */
export function selectSubmitter(raw: RawHeaders): SubmitterChoice {
  const from = raw.from ?? [];
  if (from.length > 1) return none(`${from.length} From headers`);
  const count = from.length === 1 ? fromMailboxCount(from[0] as string) : 0;
  if (count === null) return none('From: not an RFC 5322 address');
  if (count === 1) return singleMailbox(raw, 'from');
  if (count > 1) {
    const sender = singleMailbox(raw, 'sender');
    return sender.found ? sender : none(`From names several mailboxes and ${sender.detail}`);
  }
  const replyTo = singleMailbox(raw, 'reply-to');
  if (replyTo.found) return replyTo;
  const sender = singleMailbox(raw, 'sender');
  if (sender.found) return sender;
  return none(`${from.length === 0 ? 'no From header' : 'From names no mailbox'}, ${replyTo.detail}, ${sender.detail}`);
}
