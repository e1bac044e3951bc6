/**
 * Signed reply addresses: `<local>+<ticket>.<mac>@<domain>`, where the MAC is HMAC-SHA256 of the
 * string `helpdesk-reply-token:v1:<ticket id>` (decimal), keyed with the UTF-8 bytes of a secret
 * only the helpdesk knows, hex, truncated (known answers in test/unit/reply-token.test.ts: changing
 * what is signed would invalidate every address already sent). Ticket ids are sequential
 * and guessable; the MAC is not, so a reply sent to such an address proves the sender received the
 * helpdesk's mail about that ticket. Pure (the secret is passed in).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The secrets: the current one signs and verifies; the previous one still verifies during rotation. */
export interface ReplyTokenKeys {
  readonly current: Buffer;
  readonly previous: Buffer | null;
}

/** 16 hex digits, 64 bits: lower-case, so it survives MTAs that lower-case local parts. */
const MAC_LENGTH = 16;

/** A reply token found in a recipient address. */
export interface ReplyToken {
  readonly address: string;
  readonly ticketId: number;
  readonly mac: string;
}

const TOKEN_ADDRESS = new RegExp(`^([^@+\\s]+)\\+(\\d{1,15})\\.([0-9a-f]{${MAC_LENGTH}})@([^@\\s]+)$`, 'i');

/** The MAC of a ticket id under one key. */
export function replyTokenMac(key: Buffer, ticketId: number): string {
  return createHmac('sha256', key).update(`helpdesk-reply-token:v1:${ticketId}`).digest('hex').slice(0, MAC_LENGTH);
}

/** The signed reply address of a ticket, for the helpdesk's outgoing mail. */
export function mintReplyAddress(mailbox: string, ticketId: number, keys: ReplyTokenKeys): string {
  if (!Number.isSafeInteger(ticketId) || ticketId <= 0) throw new RangeError(`ticket id ${ticketId} is not a positive integer`);
  const at = mailbox.lastIndexOf('@');
  if (at <= 0) throw new RangeError(`${mailbox} is not an address`);
  const local = mailbox.slice(0, at).split('+', 1)[0] as string;
  return `${local}+${ticketId}.${replyTokenMac(keys.current, ticketId)}@${mailbox.slice(at + 1)}`.toLowerCase();
}

/**
 * The first recipient that carries a reply token on one of our mailboxes (`isOwnMailbox` gets the
 * address without its `+…` part), or `null`.
 */
export function findReplyToken(recipients: readonly string[], isOwnMailbox: (baseAddress: string) => boolean): ReplyToken | null {
  for (const recipient of recipients) {
    const match = TOKEN_ADDRESS.exec(recipient);
    if (!match) continue;
    const [, local, digits, mac, domain] = match as unknown as [string, string, string, string, string];
    if (!isOwnMailbox(`${local}@${domain}`.toLowerCase())) continue;
    const ticketId = Number(digits);
    if (ticketId > 0) return { address: recipient.toLowerCase(), ticketId, mac: mac.toLowerCase() };
  }
  return null;
}

/** Whether the token's MAC matches under the current or the previous key, compared in constant time. */
export function verifyReplyToken(token: ReplyToken, keys: ReplyTokenKeys): boolean {
  const given = Buffer.from(token.mac, 'utf8');
  return [keys.current, keys.previous].some((key) => {
    if (!key) return false;
    const expected = Buffer.from(replyTokenMac(key, token.ticketId), 'utf8');
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
