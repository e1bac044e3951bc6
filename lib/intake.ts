/**
 * Intake: which raw mails a Lambda event names. Three event shapes are accepted: an S3 event
 * notification, an SQS event whose bodies are S3 event notifications, and an SES receipt-rule
 * Lambda-action event (with the receipt's recipients and verdicts), each parsed with a valibot
 * schema. Pure.
 */
import type { SQSEvent } from 'aws-lambda';
import * as v from 'valibot';
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

/*
 * The event shapes, as valibot schemas: loose (AWS adds fields), requiring only what the gateway
 * reads. Field names and values as the S3 event notification (Amazon S3 User Guide, "Event message
 * structure"), the SQS event (Lambda Developer Guide, "Using Lambda with Amazon SQS") and the SES
 * receipt-rule Lambda action (SES Developer Guide, "Lambda action") document them.
 */
const S3_TEST_EVENT = v.looseObject({ Event: v.literal('s3:TestEvent') });

const S3_RECORD = v.looseObject({
  eventSource: v.literal('aws:s3'),
  eventName: v.optional(v.string(), ''),
  s3: v.looseObject({
    bucket: v.looseObject({ name: v.optional(v.string(), '') }),
    object: v.looseObject({ key: v.optional(v.string(), '') }),
  }),
});

const VERDICT = v.optional(v.looseObject({ status: v.optional(v.string()) }));

const SES_RECORD = v.looseObject({
  eventSource: v.literal('aws:ses'),
  ses: v.looseObject({
    mail: v.looseObject({ messageId: v.pipe(v.string(), v.nonEmpty()) }),
    receipt: v.optional(
      v.looseObject({
        recipients: v.optional(v.array(v.unknown()), []),
        spamVerdict: VERDICT,
        virusVerdict: VERDICT,
        spfVerdict: VERDICT,
        dkimVerdict: VERDICT,
        dmarcVerdict: VERDICT,
        dmarcPolicy: v.optional(v.string()),
      }),
    ),
  }),
});

/** Records of one source, named by `eventSource` (`EventSource` in SNS-style records). */
const RECORDS = v.looseObject({
  Records: v.pipe(
    v.array(v.looseObject({ eventSource: v.optional(v.string()), EventSource: v.optional(v.string()) })),
    v.minLength(1),
    v.check((records) => new Set(records.map((r) => r.eventSource ?? r.EventSource)).size === 1),
  ),
});

/** Parses `value` with `schema`, or throws {@link UnsupportedEventError} with `what` and where it failed. */
function parseEvent<T>(schema: v.GenericSchema<unknown, T>, value: unknown, what: string): T {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
  throw new UnsupportedEventError(`${what}${path ? ` (at ${path}: ${issue.message})` : ''}`);
}

/**
 * The mails an S3 event notification names. `s3:TestEvent` (sent when a notification is
 * configured) names none; so do events other than `ObjectCreated:*` and objects outside the inbound
 * prefix (attachments the gateway writes itself must never be read back as mail): those come back
 * in `ignored`, for a log line.
 */
export function mailsFromS3Notification(notification: unknown, store: InboundStore): { mails: MailToProcess[]; ignored: string[] } {
  if (v.is(S3_TEST_EVENT, notification)) return { mails: [], ignored: ['s3:TestEvent'] };
  if (!v.is(v.looseObject({ Records: v.array(v.unknown()) }), notification)) throw new UnsupportedEventError('not an S3 event notification: no Records');
  const { Records: records } = parseEvent(v.looseObject({ Records: v.array(S3_RECORD) }), notification, 'an S3 event record without s3.bucket and s3.object');
  const mails: MailToProcess[] = [];
  const ignored: string[] = [];
  for (const record of records) {
    const bucket = record.s3.bucket.name;
    const key = decodeS3Key(record.s3.object.key);
    if (!record.eventName.startsWith('ObjectCreated:')) ignored.push(`${record.eventName} s3://${bucket}/${key}`);
    else if (!key.startsWith(store.inboundPrefix)) ignored.push(`outside ${store.inboundPrefix}: s3://${bucket}/${key}`);
    else mails.push({ location: { bucket, key } });
  }
  return { mails, ignored };
}

/** The mail an SES receipt-rule event names: `<bucket>/<prefix><messageId>`, with its recipients. */
function mailsFromSesEvent(event: unknown, store: InboundStore): MailToProcess[] {
  const { Records: records } = parseEvent(v.looseObject({ Records: v.array(SES_RECORD) }), event, 'an SES event record without mail.messageId');
  return records.map(({ ses }) => {
    const receipt = ses.receipt;
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
    return { location: { bucket: store.mailBucket, key: `${store.inboundPrefix}${ses.mail.messageId}` }, envelope };
  });
}

/** Sorts an event by shape. Throws {@link UnsupportedEventError} for anything else. */
export function classifyEvent(event: unknown, store: InboundStore): Intake {
  if (v.is(S3_TEST_EVENT, event)) return { kind: 's3', mails: [], ignored: ['s3:TestEvent'] };
  const { Records: records } = parseEvent(RECORDS, event, 'expected an S3, SQS or SES event with Records of one source');
  const source = records[0]?.eventSource ?? records[0]?.EventSource;
  switch (source) {
    case 'aws:s3':
      return { kind: 's3', ...mailsFromS3Notification(event, store) };
    case 'aws:sqs':
      return { kind: 'sqs', event: event as SQSEvent };
    case 'aws:ses':
      return { kind: 'ses', mails: mailsFromSesEvent(event, store) };
    default:
      throw new UnsupportedEventError(`unsupported event source ${JSON.stringify(source)}`);
  }
}
