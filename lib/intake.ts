/**
 * Intake: which raw mails a Lambda event names. Three event shapes are accepted: an S3 event
 * notification, an SQS event whose bodies are S3 event notifications, and an SES receipt-rule
 * Lambda-action event (with the receipt's recipients and verdicts). Pure.
 */
import type { SESEvent, SQSEvent } from 'aws-lambda';
import { UnsupportedEventError } from './errors.js';
import type { MailLocation } from './ledger-entry.js';
import type { Envelope, SesVerdicts } from './envelope.js';

/** A mail named by an event, with what the event knows about its delivery. */
export interface MailToProcess {
  readonly location: MailLocation;
  readonly envelope?: Envelope;
}

/** An event, sorted by shape. */
export type Intake =
  | { readonly kind: 's3'; readonly mails: readonly MailToProcess[]; readonly ignored: readonly string[] }
  | { readonly kind: 'sqs'; readonly event: SQSEvent }
  | { readonly kind: 'ses'; readonly mails: readonly MailToProcess[] };

/** Where SES writes raw mail: the configured bucket and prefix. */
export interface InboundStore {
  readonly mailBucket: string;
  readonly inboundPrefix: string;
}

/**
 * Decodes an object key as S3 writes it into event notifications: form-URL-encoded, so `+` is a
 * space and `%XX` an escaped byte of UTF-8.
 */
export function decodeS3Key(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, ' '));
  } catch {
    throw new UnsupportedEventError(`S3 object key ${JSON.stringify(encoded)} is not URL-encoded as S3 writes keys`);
  }
}

/** Encodes a key the way S3 does in event notifications (the inverse of {@link decodeS3Key}). */
export function encodeS3Key(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function recordsOf(event: unknown): Record<string, unknown>[] | null {
  if (!isRecord(event) || !Array.isArray(event.Records)) return null;
  return event.Records.filter(isRecord);
}

/**
 * The mails an S3 event notification names. `s3:TestEvent` (sent when a notification is
 * configured) names none; so do events other than `ObjectCreated:*` and objects outside the inbound
 * prefix (attachments the gateway writes itself must never be read back as mail): those come back
 * in `ignored`, for a log line.
 */
export function mailsFromS3Notification(notification: unknown, store: InboundStore): { mails: MailToProcess[]; ignored: string[] } {
  if (isRecord(notification) && notification.Event === 's3:TestEvent') return { mails: [], ignored: ['s3:TestEvent'] };
  const records = recordsOf(notification);
  if (!records) throw new UnsupportedEventError('not an S3 event notification: no Records');
  const mails: MailToProcess[] = [];
  const ignored: string[] = [];
  for (const record of records) {
    const s3 = record.s3;
    const eventName = String(record.eventName ?? '');
    if (record.eventSource !== 'aws:s3' || !isRecord(s3) || !isRecord(s3.bucket) || !isRecord(s3.object)) {
      throw new UnsupportedEventError('an S3 event record without s3.bucket and s3.object');
    }
    const bucket = String(s3.bucket.name ?? '');
    const key = decodeS3Key(String(s3.object.key ?? ''));
    if (!eventName.startsWith('ObjectCreated:')) ignored.push(`${eventName} s3://${bucket}/${key}`);
    else if (!key.startsWith(store.inboundPrefix)) ignored.push(`outside ${store.inboundPrefix}: s3://${bucket}/${key}`);
    else mails.push({ location: { bucket, key } });
  }
  return { mails, ignored };
}

/** The mail an SES receipt-rule event names: `<bucket>/<prefix><messageId>`, with its recipients. */
function mailsFromSesEvent(event: SESEvent, store: InboundStore): MailToProcess[] {
  return event.Records.map((record) => {
    const messageId = record.ses?.mail?.messageId;
    if (typeof messageId !== 'string' || messageId === '') throw new UnsupportedEventError('an SES event record without mail.messageId');
    const receipt = record.ses.receipt;
    const recipients = (receipt?.recipients ?? []).filter((r): r is string => typeof r === 'string').map((r) => r.toLowerCase());
    const verdicts: SesVerdicts = {
      ...(receipt?.spamVerdict?.status ? { spam: receipt.spamVerdict.status } : {}),
      ...(receipt?.virusVerdict?.status ? { virus: receipt.virusVerdict.status } : {}),
      ...(receipt?.spfVerdict?.status ? { spf: receipt.spfVerdict.status } : {}),
      ...(receipt?.dkimVerdict?.status ? { dkim: receipt.dkimVerdict.status } : {}),
      ...(receipt?.dmarcVerdict?.status ? { dmarc: receipt.dmarcVerdict.status } : {}),
      ...(receipt?.dmarcPolicy ? { dmarcPolicy: receipt.dmarcPolicy } : {}),
    };
    const envelope: Envelope = Object.keys(verdicts).length > 0 ? { recipients, verdicts } : { recipients };
    return { location: { bucket: store.mailBucket, key: `${store.inboundPrefix}${messageId}` }, envelope };
  });
}

/** Sorts an event by shape. Throws {@link UnsupportedEventError} for anything else. */
export function classifyEvent(event: unknown, store: InboundStore): Intake {
  if (isRecord(event) && event.Event === 's3:TestEvent') return { kind: 's3', mails: [], ignored: ['s3:TestEvent'] };
  const records = recordsOf(event);
  const source = records?.[0]?.eventSource ?? records?.[0]?.EventSource;
  if (!records || records.length === 0 || records.some((r) => (r.eventSource ?? r.EventSource) !== source)) {
    throw new UnsupportedEventError('expected an S3, SQS or SES event with Records of one source');
  }
  switch (source) {
    case 'aws:s3':
      return { kind: 's3', ...mailsFromS3Notification(event, store) };
    case 'aws:sqs':
      return { kind: 'sqs', event: event as unknown as SQSEvent };
    case 'aws:ses':
      return { kind: 'ses', mails: mailsFromSesEvent(event as unknown as SESEvent, store) };
    default:
      throw new UnsupportedEventError(`unsupported event source ${JSON.stringify(source)}`);
  }
}
