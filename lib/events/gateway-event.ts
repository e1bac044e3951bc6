/**
 * The event the gateway publishes for each final outcome of a mail, built from its ledger entry:
 * one Amazon EventBridge `PutEvents` entry. Pure.
 *
 * - `Source` is {@link EVENT_SOURCE}; `DetailType` is one of {@link DETAIL_TYPES}.
 * - `Detail` holds ids and pointers only (ticket and follow-up ids, the Message-ID, the S3 keys of
 *   the raw mail, the body, the HTML and the attachments) and a reply snippet of at most
 *   {@link MAX_SNIPPET_BYTES}. The text itself stays in the ledger entry and in S3.
 * - Every field has a byte cap and the attachment list is cut to a budget (the count of those left
 *   out is given), so an entry stays under EventBridge's 256 KB whatever the mail
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
 * - `idempotencyKey` is the same on every publication of one ledger entry: consumers dedupe on it,
 *   since delivery is at least once.
 *
 * The JSON Schema of each detail-type is generated from `event-schemas.ts` into `schemas/events/`.
 */
import type { AppliedEntry, FinalEntry, SkippedEntry } from '../ledger-entry.js';
import type { AttachmentInfo } from '../mail/record.js';
import type { SkipReason } from '../outcomes.js';
import { capped, cutToBytes } from './text.js';

/** The `source` of every event the gateway publishes. */
export const EVENT_SOURCE = 'helpdesk.mail-gateway';

/** The `detail-type` of the event for each final outcome. */
export const DETAIL_TYPES = {
  followup: 'Followup Added',
  created: 'Ticket Created',
  skipped: 'Mail Skipped',
} as const;

export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** Every detail-type, in table order. */
export const DETAIL_TYPE_NAMES = Object.values(DETAIL_TYPES) as DetailType[];

/** The version of the detail's shape, in every detail (`version`); raised on an incompatible change. */
export const EVENT_VERSION = 1;

/** EventBridge's limit on one `PutEvents` entry, in bytes. */
export const MAX_ENTRY_BYTES = 256 * 1024;

/** The most bytes of `Detail` this builder ever produces (the rest of an entry is a few dozen bytes). */
export const MAX_DETAIL_BYTES = 200 * 1024;

/** The most bytes (UTF-8) of the reply snippet. */
export const MAX_SNIPPET_BYTES = 1024;

/**
 * Byte caps of the free-text fields (before JSON escaping); S3 keys are capped at S3's 1,024 bytes,
 * so a real key is never cut. The ledger key is not cut (it is an id): DynamoDB bounds it to 2,048.
 */
export const FIELD_CAPS = {
  messageId: 1000,
  from: 512,
  subject: 2000,
  detail: 4000,
  filename: 512,
  contentType: 256,
  refused: 256,
  s3Key: 1024,
  bucket: 63,
} as const;

/** One `PutEvents` entry as the AWS SDK takes it (`PutEventsRequestEntry`). */
export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: DetailType;
  /** The detail, as a JSON string. */
  readonly Detail: string;
  readonly EventBusName: string;
}

/** Where a stored object is. */
export interface S3Pointer {
  readonly bucket: string;
  readonly key: string;
}

/** Fields of every detail. */
export interface DetailCommon {
  readonly version: typeof EVENT_VERSION;
  /** The same for every publication of one ledger entry: the follow-up id, or the ledger key of a skip. */
  readonly idempotencyKey: string;
  /** The ledger entry's key (`GetItem` on the messages table gives the full entry). */
  readonly messageKey: string;
  readonly messageId: string | null;
  readonly from: string | null;
  readonly subject: string;
  /** ISO 8601 instants. */
  readonly receivedAt: string;
  readonly recordedAt: string;
  /** The raw mail as SES stored it. */
  readonly rawMail: S3Pointer;
}

/** One attachment: its metadata and where it is stored (`key` null when refused). */
export interface AttachmentPointer {
  readonly index: number;
  readonly filename: string | null;
  readonly contentType: string;
  readonly size: number;
  readonly sha256: string;
  readonly key: string | null;
  readonly refused: string | null;
}

/** Fields of the events of an applied mail (the follow-up, or the opening message of a ticket). */
export interface AppliedDetail extends DetailCommon {
  readonly ticketId: number;
  readonly followupId: string;
  /** The S3 key of the text body when it was too long for the ledger entry; else the entry holds it. */
  readonly bodyKey: string | null;
  /** The S3 key of the stored HTML part, when one is stored. */
  readonly htmlKey: string | null;
  readonly attachments: readonly AttachmentPointer[];
  /** Attachments left out of {@link attachments} to keep the event small (the ledger entry lists all). */
  readonly attachmentsOmitted: number;
  /** The start of the reply (whitespace collapsed), at most {@link MAX_SNIPPET_BYTES} bytes. */
  readonly snippet: string;
  readonly snippetTruncated: boolean;
}

export interface FollowupAddedDetail extends AppliedDetail {
  /** The follow-up reopened a resolved or closed ticket. */
  readonly reopened: boolean;
  /** Merged tickets the mail was forwarded through, to {@link ticketId}. */
  readonly mergedFrom: readonly number[];
}

export type TicketCreatedDetail = AppliedDetail;

export interface MailSkippedDetail extends DetailCommon {
  readonly reason: SkipReason;
  readonly detail: string;
  /** The ticket the mail named, when it named one. */
  readonly ticketId: number | null;
  /** Where an infected raw mail was moved to. */
  readonly quarantineKey: string | null;
}

export type GatewayEventDetail = FollowupAddedDetail | TicketCreatedDetail | MailSkippedDetail;

/**
 * What a ledger entry may carry beyond today's fields: the trimmed reply and the stored HTML part
 * (read when present, so the event gains them as soon as the ledger does).
 */
export type EventSourceEntry = FinalEntry & { readonly reply?: string | null; readonly htmlKey?: string | null };

/** What the builder needs besides the entry. */
export interface EventOptions {
  /** The bus to publish on (name or ARN). */
  readonly eventBusName: string;
  /**
   * The mail's text, for the snippet when the entry holds neither `reply` nor an inline `body`
   * (a body over the ledger's inline limit lives in S3 at `bodyKey`).
   */
  readonly text?: string;
}

function common(entry: EventSourceEntry, idempotencyKey: string): DetailCommon {
  return {
    version: EVENT_VERSION,
    idempotencyKey,
    messageKey: entry.messageKey,
    messageId: capped(entry.messageId, FIELD_CAPS.messageId),
    from: capped(entry.from, FIELD_CAPS.from),
    subject: cutToBytes(entry.subject, FIELD_CAPS.subject).text,
    receivedAt: entry.receivedAt,
    recordedAt: entry.recordedAt,
    rawMail: { bucket: cutToBytes(entry.bucket, FIELD_CAPS.bucket).text, key: cutToBytes(entry.key, FIELD_CAPS.s3Key).text },
  };
}

/** The reply snippet: the reply (or the body), whitespace collapsed, cut to {@link MAX_SNIPPET_BYTES}. */
export function snippetOf(text: string): { readonly snippet: string; readonly snippetTruncated: boolean } {
  const { text: snippet, truncated } = cutToBytes(text.replace(/\s+/gu, ' ').trim(), MAX_SNIPPET_BYTES);
  return { snippet, snippetTruncated: truncated };
}

function attachmentPointer(a: AttachmentInfo): AttachmentPointer {
  return {
    index: a.index,
    filename: capped(a.filename, FIELD_CAPS.filename),
    contentType: cutToBytes(a.contentType, FIELD_CAPS.contentType).text,
    size: a.size,
    sha256: a.sha256,
    key: capped(a.key, FIELD_CAPS.s3Key),
    refused: capped(a.refused, FIELD_CAPS.refused),
  };
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

/** Adds attachments, in order, while the whole detail stays within {@link MAX_DETAIL_BYTES}. */
function withAttachments<T extends AppliedDetail>(detail: T, attachments: readonly AttachmentInfo[]): T {
  let size = jsonBytes(detail);
  const kept: AttachmentPointer[] = [];
  for (const attachment of attachments) {
    const pointer = attachmentPointer(attachment);
    const added = jsonBytes(pointer) + 1;
    if (size + added > MAX_DETAIL_BYTES) break;
    kept.push(pointer);
    size += added;
  }
  return { ...detail, attachments: kept, attachmentsOmitted: attachments.length - kept.length };
}

function appliedDetail(entry: AppliedEntry & EventSourceEntry, options: EventOptions): FollowupAddedDetail | TicketCreatedDetail {
  const base: AppliedDetail = {
    ...common(entry, entry.followupId),
    ticketId: entry.ticketId,
    followupId: entry.followupId,
    bodyKey: capped(entry.bodyKey, FIELD_CAPS.s3Key),
    htmlKey: capped(entry.htmlKey ?? null, FIELD_CAPS.s3Key),
    attachments: [],
    attachmentsOmitted: 0,
    ...snippetOf(entry.reply ?? entry.body ?? options.text ?? ''),
  };
  if (entry.outcome === 'created') return withAttachments(base, entry.attachments);
  return withAttachments({ ...base, reopened: entry.reopened, mergedFrom: [...entry.mergedFrom] }, entry.attachments);
}

function skippedDetail(entry: SkippedEntry): MailSkippedDetail {
  return {
    ...common(entry, entry.messageKey),
    reason: entry.reason,
    detail: cutToBytes(entry.detail, FIELD_CAPS.detail).text,
    ticketId: entry.ticketId,
    quarantineKey: capped(entry.quarantineKey ?? null, FIELD_CAPS.s3Key),
  };
}

/** The detail-type of a final ledger entry's event. */
export function detailTypeOf(entry: FinalEntry): DetailType {
  return entry.state === 'skipped' ? DETAIL_TYPES.skipped : DETAIL_TYPES[entry.outcome];
}

/** The UTF-8 size of an entry as EventBridge counts it (Source, DetailType, Detail; no Time, no Resources). */
export function entrySize(entry: Pick<PutEventsEntry, 'Source' | 'DetailType' | 'Detail'>): number {
  return Buffer.byteLength(entry.Source) + Buffer.byteLength(entry.DetailType) + Buffer.byteLength(entry.Detail);
}

/**
 * The `PutEvents` entry announcing a final ledger entry. Throws only on a bug: an entry over
 * {@link MAX_ENTRY_BYTES}, which the caps rule out.
 */
export function gatewayEvent(entry: EventSourceEntry, options: EventOptions): PutEventsEntry {
  const detail: GatewayEventDetail = entry.state === 'skipped' ? skippedDetail(entry) : appliedDetail(entry, options);
  const event: PutEventsEntry = { Source: EVENT_SOURCE, DetailType: detailTypeOf(entry), Detail: JSON.stringify(detail), EventBusName: options.eventBusName };
  if (entrySize(event) >= MAX_ENTRY_BYTES) throw new Error(`the ${event.DetailType} event of ${entry.messageKey} is ${entrySize(event)} bytes, over EventBridge's limit`);
  return event;
}
