/**
 * Caps on every stored field, derived from the limits of the stores, so that whatever a sender
 * writes, each record fits where it goes. Pure: the adapters apply these right before a write.
 *
 * - DynamoDB: an item (attribute names and values) is at most 400 KB; a partition key at most
 *   2,048 bytes (DynamoDB developer guide, "Service, account, and table quotas": item size and
 *   attribute limits).
 * - S3: an object key is at most 1,024 bytes of UTF-8; user-defined metadata at most 2 KB (keys
 *   and values together), sent as HTTP headers, so US-ASCII only (Amazon S3 user guide, "Naming
 *   Amazon S3 objects" and "Working with object metadata").
 *
 * Lists are capped with a count of what was left out, so a record says that it is incomplete.
 * Identities are never cut: the ledger key (hashed by `ledgerKeyOfMessageId` when long), the raw
 * mail's bucket and key (S3 already bounds them), a ticket's `sourceMessageKey`.
 */
import type { AppliedEntry, LedgerEntry } from './ledger-entry.js';
import type { AttachmentInfo } from './mail/record.js';
import { sha256Hex } from './mail/message-id.js';
import type { NewTicket } from './ticket.js';

/** The stores' own limits. */
export const STORE_LIMITS = {
  /** DynamoDB item size, attribute names included. */
  dynamoItemBytes: 400 * 1024,
  /** S3 object key, UTF-8. */
  s3KeyBytes: 1024,
  /** S3 user-defined metadata, keys and values together. */
  s3UserMetadataBytes: 2 * 1024,
} as const;

/**
 * What the gateway keeps of each field. Chosen so that a ledger entry or a ticket with every field
 * and list at its cap stays well under {@link STORE_LIMITS.dynamoItemBytes} (a test writes the
 * largest of each to DynamoDB); {@link fitItem} is the backstop if a future field breaks that.
 */
export const RECORD_CAPS = {
  /** A Message-ID, an address, a bucket or key name: far above any real one. */
  idBytes: 1000,
  /** An e-mail address longer than this is not one anybody can have (RFC 5321 §4.5.3.1: a path is at most 256 octets). */
  addressBytes: 254,
  subjectBytes: 4000,
  /** A skip's detail (a bounce's list of failed recipients is the long one). */
  detailBytes: 4000,
  /** The text body kept inline in a ledger entry (longer ones go to S3, see the pipeline). */
  inlineBodyBytes: 64 * 1024,
  /** A new ticket's description. */
  descriptionBytes: 64 * 1024,
  /** One listed attachment's file name and content type. */
  filenameBytes: 255,
  contentTypeBytes: 255,
  /** Attachments listed in one ledger entry (MAX_ATTACHMENTS may not exceed it). */
  listedAttachments: 200,
  /** CC addresses on a new ticket, failed recipients of a bounce. */
  listedAddresses: 100,
  /** An S3 metadata value the gateway sets (well under the 2 KB of all metadata). */
  s3MetadataValueBytes: 512,
} as const;

/** The UTF-8 length of a string. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** Replaces lone UTF-16 surrogates (a string cut inside a pair) with U+FFFD: stores want valid Unicode. */
export function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** The longest prefix of `text` of at most `maxBytes` bytes of UTF-8, cut between characters. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // A text that fits comes back whole: past its end bytes[end] is undefined, and subarray stops at the end.
  const bytes = Buffer.from(wellFormed(text), 'utf8');
  let end = maxBytes;
  // Step back over continuation bytes (10xxxxxx) to the start of a character. The encoding of a
  // string is well-formed UTF-8, whose first byte is never a continuation byte: the loop stops there.
  while (((bytes[end] as number) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** `text` cut to `maxBytes` with a marker saying so, or `text` when it fits. */
function capped(text: string, maxBytes: number): string {
  const clean = wellFormed(text);
  if (utf8Bytes(clean) <= maxBytes) return clean;
  const marker = ' […]';
  return `${truncateUtf8(clean, maxBytes - utf8Bytes(marker))}${marker}`;
}

/** The first `max` items of a list and how many were left out. */
export function capList<T>(items: readonly T[], max: number): { kept: T[]; omitted: number } {
  return { kept: items.slice(0, max), omitted: Math.max(0, items.length - max) };
}

/**
 * An S3 key `prefix + key`, or, when that is over S3's 1,024 bytes, `prefix` followed by the
 * SHA-256 of `key` (the same key always maps to the same place).
 */
export function s3KeyUnder(prefix: string, key: string): string {
  const joined = `${prefix}${key}`;
  return utf8Bytes(joined) <= STORE_LIMITS.s3KeyBytes ? joined : `${prefix}sha256-${sha256Hex(key)}`;
}

/**
 * A value safe as S3 user metadata: printable US-ASCII only (anything else percent-encoded as
 * UTF-8, as `encodeURIComponent` does), at most {@link RECORD_CAPS.s3MetadataValueBytes}.
 */
export function s3MetadataValue(value: string): string {
  const encoded = wellFormed(value).replace(/[^\x20-\x7e]|%/gu, (c) => encodeURIComponent(c));
  // Do not cut an escape in half (an uncut value ends in a whole escape or none, left as it is).
  return encoded.slice(0, RECORD_CAPS.s3MetadataValueBytes).replace(/%[0-9A-F]?$/i, '');
}

/**
 * The size DynamoDB counts for an item, from its attribute names and values as the document
 * client sends them (strings as UTF-8; a number at most 21 bytes; a list or map 3 bytes plus one
 * per element; booleans and nulls 1 byte). An upper bound, as DynamoDB's "Item sizes and formats"
 * describes the count.
 */
export function dynamoItemBytes(item: Readonly<Record<string, unknown>>): number {
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += utf8Bytes(name) + valueBytes(value);
  }
  return total;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number') return 21;
  if (typeof value === 'boolean' || value === null) return 1;
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueBytes(v), 0);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) return 3 + [...value].reduce((sum: number, v) => sum + valueBytes(v), 0);
  if (typeof value === 'object') return 3 + dynamoItemBytes(value as Record<string, unknown>) + Object.keys(value).length;
  return 0;
}

/** One listed attachment, its free-text fields capped. */
function capAttachment(attachment: AttachmentInfo): AttachmentInfo {
  return {
    ...attachment,
    filename: attachment.filename === null ? null : capped(attachment.filename, RECORD_CAPS.filenameBytes),
    contentType: capped(attachment.contentType, RECORD_CAPS.contentTypeBytes),
  };
}

/** Addresses that can be addresses, at most {@link RECORD_CAPS.listedAddresses}, and how many were left out. */
function capAddresses(addresses: readonly string[]): { kept: string[]; omitted: number } {
  const plausible = addresses.filter((a) => utf8Bytes(a) <= RECORD_CAPS.addressBytes).map(wellFormed);
  const { kept, omitted } = capList(plausible, RECORD_CAPS.listedAddresses);
  return { kept, omitted: omitted + (addresses.length - plausible.length) };
}

/** A ledger entry or ticket with one more field saying how many list items were left out. */
export type WithOmitted<T, K extends string> = T & { readonly [P in K]?: number };

/**
 * A ledger entry with every free-text field and list within {@link RECORD_CAPS}. Lists that were
 * cut get a count: `attachmentsOmitted`, `failedRecipientsOmitted` (in `bounce`). Then
 * {@link fitItem} makes sure of the whole.
 */
export function capLedgerEntry(entry: LedgerEntry): LedgerEntry {
  if (entry.direction === 'outbound') return { ...entry, messageId: capped(entry.messageId, RECORD_CAPS.idBytes) };
  const base = {
    messageId: entry.messageId === null ? null : capped(entry.messageId, RECORD_CAPS.idBytes),
    from: entry.from === null ? null : capped(entry.from, RECORD_CAPS.idBytes),
    subject: capped(entry.subject, RECORD_CAPS.subjectBytes),
    ...(entry.sesVerdicts ? { sesVerdicts: Object.fromEntries(Object.entries(entry.sesVerdicts).map(([k, v]) => [k, capped(String(v), 64)])) } : {}),
  };
  switch (entry.state) {
    case 'pending':
      return { ...entry, ...base, queue: capped(entry.queue, RECORD_CAPS.idBytes) };
    case 'skipped': {
      const failed = entry.bounce ? capAddresses(entry.bounce.failedRecipients) : null;
      return {
        ...entry,
        ...base,
        detail: capped(entry.detail, RECORD_CAPS.detailBytes),
        ...(entry.bounce && failed
          ? {
              bounce: {
                ...entry.bounce,
                failedRecipients: failed.kept,
                originalMessageId: entry.bounce.originalMessageId === null ? null : capped(entry.bounce.originalMessageId, RECORD_CAPS.idBytes),
                ...(failed.omitted > 0 ? { failedRecipientsOmitted: failed.omitted } : {}),
              },
            }
          : {}),
      };
    }
    case 'applied': {
      const { kept, omitted } = capList(entry.attachments, RECORD_CAPS.listedAttachments);
      return fitItem({
        ...entry,
        ...base,
        body: entry.body === null ? null : capped(entry.body, RECORD_CAPS.inlineBodyBytes),
        attachments: kept.map(capAttachment),
        ...(omitted > 0 ? { attachmentsOmitted: omitted } : {}),
      });
    }
  }
}

/**
 * The backstop: an inbound entry that is still over DynamoDB's item size (only if the caps above
 * stopped adding up) loses listed attachments from the end, then inline body, until it fits.
 * Never hit by any entry the caps produce (a test checks the largest); it keeps a broken
 * assumption from turning into mail that can never be recorded.
 */
function fitItem(entry: WithOmitted<AppliedEntry, 'attachmentsOmitted'>): WithOmitted<AppliedEntry, 'attachmentsOmitted'> {
  const budget = STORE_LIMITS.dynamoItemBytes - 1024;
  const size = (e: object) => dynamoItemBytes(e as Record<string, unknown>);
  if (size(entry) <= budget) return entry;
  const attachments = [...entry.attachments];
  let omitted = entry.attachmentsOmitted ?? 0;
  while (attachments.length > 0 && size({ ...entry, attachments }) > budget) {
    attachments.pop();
    omitted += 1;
  }
  const fitted = { ...entry, attachments, attachmentsOmitted: omitted };
  if (fitted.body === null) return fitted;
  // Then the body, cut to what is left of the budget (a body that fits that is left as it is).
  return { ...fitted, body: capped(fitted.body, Math.max(16, budget - size({ ...fitted, body: '' }))) };
}

/**
 * A new ticket within {@link RECORD_CAPS}: title and description cut on a character boundary, a
 * submitter or CCs that cannot be addresses (over 254 bytes) dropped, at most {@link RECORD_CAPS.listedAddresses}
 * CCs with `ccOmitted` counting the rest.
 */
export function capTicket(ticket: NewTicket): WithOmitted<NewTicket, 'ccOmitted'> {
  const cc = capAddresses(ticket.cc);
  return {
    ...ticket,
    title: capped(ticket.title, RECORD_CAPS.subjectBytes),
    description: capped(ticket.description, RECORD_CAPS.descriptionBytes),
    submitter: utf8Bytes(ticket.submitter) <= RECORD_CAPS.addressBytes ? wellFormed(ticket.submitter) : '',
    cc: cc.kept,
    ...(cc.omitted > 0 ? { ccOmitted: cc.omitted } : {}),
  };
}
