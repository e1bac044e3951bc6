/**
 * Forwarded mail (issue 12, point 6): in a create-mode mailbox, a mail that an agent forwards
 * opens the ticket for the original sender, with the original subject and body, and records
 * which agent forwarded it. Two shapes:
 * - inline: "Fwd:" with the forwarded header block in the text (Gmail's `---------- Forwarded
 *   message ---------`, Outlook's `From:`/`Sent:` block, Apple Mail's `Begin forwarded
 *   message:`, localized), read by `email-forward-parser` (Crisp, maintained, the forward
 *   counterpart of `email-reply-parser`);
 * - attached: a `message/rfc822` attachment (Outlook "forward as attachment"), whose own header
 *   block is read raw like any mail's.
 * Pure.
 *
 * Trust: the original sender is whatever the forwarded text says, so this is only ever asked
 * for a mail from an agent (`AGENT_ADDRESSES`) whom SES authenticated: then the agent vouches for
 * it. From anyone else a "forward" is an ordinary mail.
 */
import EmailForwardParser from 'email-forward-parser';
import { canonicalizeMailbox, canonicalSender, type CanonicalAddress } from './canonical-address.js';
import type { RawHeaders } from './raw-headers.js';

/** The mail a ticket is opened from when an agent forwarded it. */
export interface ForwardedOriginal {
  readonly via: 'inline' | 'attached-message';
  /** The original sender, canonical: the new ticket's submitter. */
  readonly from: CanonicalAddress;
  /** The original subject (forward prefixes removed); `''` when it had none. */
  readonly subject: string;
  /** The original body. */
  readonly body: string;
  /** The original date as the forwarded text writes it, or `null`. */
  readonly date: string | null;
  /** What the agent wrote above the forwarded mail, or `null`. */
  readonly note: string | null;
}

export type ForwardDetection = { readonly forwarded: true; readonly original: ForwardedOriginal } | { readonly forwarded: false; readonly detail: string };

/**
 * Most characters of the text the forward parser reads: the forwarded header block sits below a
 * short note. Some of its patterns are super-linear without RE2 (16 KB of `< > ` take a second,
 * 8 KB of `' \n'` six), so the head is also normalized (see {@link normalizeForScan}); the rest
 * of the text is appended to the body as it is.
 */
export const MAX_FORWARD_SCAN_CHARS = 8 * 1024;

/** Forward prefixes of subjects: Fwd/Fw (en), WG (de), TR (fr), RV (es), Doorst (nl), Enc (pt), VS (fi), VB (sv), PD (pl), 転送 (ja), 转发/轉寄 (zh). */
const FORWARD_PREFIX = /^\s*(?:(?:fwd?|wg|tr|rv|doorst|enc|vs|vb|pd|転送|转发|轉寄)\s*[:：]\s*)+/iu;

/** The subject without leading forward prefixes (`Fwd: FW: Toner` → `Toner`). */
export function stripForwardPrefix(subject: string): string {
  return subject.replace(FORWARD_PREFIX, '').trim();
}

/** Whether a subject starts with a forward prefix. */
export function hasForwardPrefix(subject: string): boolean {
  return FORWARD_PREFIX.test(subject);
}

/**
 * White space the forward parser's patterns cannot take in bulk made harmless: trailing white
 * space of lines removed, runs of more than 8 blanks cut to 8, more than two line breaks cut to two.
 */
export function normalizeForScan(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\S\n]+$/gm, '')
    .replace(/[^\S\n]{9,}/g, '        ')
    .replace(/\n{3,}/g, '\n\n');
}

function notForwarded(detail: string): ForwardDetection {
  return { forwarded: false, detail };
}

/** The head of the text the parser reads (cut at a line end), and the rest. */
function splitHead(text: string): { readonly head: string; readonly rest: string } {
  if (text.length <= MAX_FORWARD_SCAN_CHARS) return { head: text, rest: '' };
  const end = text.lastIndexOf('\n', MAX_FORWARD_SCAN_CHARS);
  const at = end > 0 ? end : MAX_FORWARD_SCAN_CHARS;
  return { head: text.slice(0, at), rest: text.slice(at) };
}

/**
 * A line that starts a forwarded or quoted header block, in the forms the parser knows and those
 * it does not (Outlook's `-----Original Message-----`, a `From:` line naming an address, in the
 * major languages' labels).
 */
const HEADER_BLOCK_START = /^[\s>*]*(?:-{3,}[^\n]*-{3,}|_{10,}|begin forwarded message|(?:from|von|de|van|da|från|fra|od|差出人|发件人|寄件者)\s*[:：][^\n]*@)/imu;

/**
 * Whether the text above the block the parser took holds another header block: then which block
 * is the customer's is ambiguous (a forged block inside the customer's own text, below one the
 * parser did not recognize), and no ticket is opened for anyone the text names.
 */
function noteHidesAnotherBlock(note: string): boolean {
  return HEADER_BLOCK_START.test(note);
}

/** The From line of the block the parser took names more than one address (`From: Victim <v@…>, Mallory <m@…>`). */
function fromLineNamesSeveral(head: string, note: string, address: string): boolean {
  const block = head.slice(Math.max(0, head.indexOf(note) + note.length));
  const line = block.split('\n').find((l) => l.toLowerCase().includes(address.toLowerCase()));
  return (line?.match(/@/g)?.length ?? 0) > 1;
}

/**
 * The forwarded mail inside a text, when it holds one unambiguous forwarded header block with one
 * comparable From address (`subject` helps the parser recognize Outlook's forms).
 */
export function findInlineForward(subject: string, text: string): ForwardDetection {
  const { head, rest } = splitHead(text);
  const scanned = normalizeForScan(head);
  const result = new EmailForwardParser().read(scanned, subject);
  if (!result.forwarded) return notForwarded('no forwarded header block in the text');
  const address = result.email.from.address;
  if (!address) return notForwarded('the forwarded header block names no From address');
  const noteText = result.message ?? '';
  if (noteHidesAnotherBlock(noteText)) return notForwarded('another header block above the forwarded one: ambiguous');
  if (fromLineNamesSeveral(scanned, noteText, address)) return notForwarded('the forwarded From names several addresses');
  const from = canonicalizeMailbox(address);
  if (!from.comparable) return notForwarded(`the forwarded From is not comparable: ${from.reason}`);
  // Stryker disable next-line MethodExpression: equivalent, email-forward-parser trims the message it returns (trimString)
  const note = result.message?.trim() || null;
  // Stryker disable next-line StringLiteral: equivalent, the parser's body is a string whenever it found a From address (parseOriginalBody)
  const forwardedBody = result.email.body ?? '';
  const body = `${forwardedBody}${rest}`.trim();
  const original = { via: 'inline' as const, from: from.address, subject: stripForwardPrefix(result.email.subject ?? ''), body, date: result.email.date ?? null, note };
  return { forwarded: true, original };
}

/** What the pipeline reads of an attached `message/rfc822` (parsed as a mail of its own). */
export interface AttachedMessage {
  /** The attached message's raw header values (`readRawHeaders`): `from` is read. */
  readonly raw: RawHeaders;
  readonly subject: string;
  /** Its body, chosen as any mail's is. */
  readonly text: string;
  readonly date: string | null;
}

/** The original of a mail forwarded as a `message/rfc822` attachment; `note` is the forwarding mail's own text. */
export function originalOfAttachedMessage(message: AttachedMessage, note: string): ForwardDetection {
  const from = canonicalSender(message.raw.from);
  if (!from.comparable) return notForwarded(`the attached message's sender is not comparable: ${from.reason}`);
  const original = { via: 'attached-message' as const, from: from.address, subject: stripForwardPrefix(message.subject), body: message.text.trim(), date: message.date, note: note.trim() || null };
  return { forwarded: true, original };
}

/** What deciding whether a new ticket is opened for a forwarded original needs. */
export interface ForwardInput {
  /** Whether the mail's sender is an agent (`AGENT_ADDRESSES`) and SES authenticated it. */
  readonly fromAuthenticatedAgent: boolean;
  readonly subject: string;
  readonly text: string;
  /** Attached `message/rfc822` parts, parsed (at most the first few). */
  readonly attachedMessages: readonly AttachedMessage[];
  /** How many attached `message/rfc822` parts there are in all, read or not. */
  readonly attachedMessageParts: number;
  /** Whether an address is an agent's or one of ours: the original must be neither. */
  readonly isAgentOrOwn: (address: CanonicalAddress) => boolean;
}

/**
 * The original a new ticket is opened for, when an authenticated agent forwarded a mail: the one
 * attached message when there is exactly one, else the inline forwarded block. Not forwarded
 * when the sender is not an authenticated agent, when there are several attached messages
 * (which customer?), or when the original sender is an agent or one of our own addresses.
 */
export function forwardedOriginal(input: ForwardInput): ForwardDetection {
  if (!input.fromAuthenticatedAgent) return notForwarded('not from an authenticated agent');
  // Counted read or not: one customer's mail too large to read beside another's must not make the other's the ticket's.
  const parts = Math.max(input.attachedMessageParts, input.attachedMessages.length);
  if (parts > 1) return notForwarded(`${parts} attached messages`);
  if (parts === 1 && input.attachedMessages.length === 0) return notForwarded('the attached message could not be read');
  const [attached] = input.attachedMessages;
  const found = attached ? originalOfAttachedMessage(attached, input.text) : findInlineForward(input.subject, input.text);
  if (found.forwarded && input.isAgentOrOwn(found.original.from)) return notForwarded(`the original sender ${found.original.from} is an agent or our own address`);
  return found;
}
