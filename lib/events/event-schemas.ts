/**
 * The JSON Schema (draft-07, the most widely implemented draft) of each event's `detail`, the one
 * definition from which `npm run generate` writes `schemas/events/<detail-type>.schema.json`.
 * Consumers validate with any JSON Schema library; a test validates the events the gateway emits
 * against the files. Skip reasons are read from `outcomes.ts`, never spelled here.
 */
import { SKIP_REASON_NAMES } from '../outcomes.js';
import { DETAIL_TYPES, EVENT_SOURCE, EVENT_VERSION, FIELD_CAPS, MAX_SNIPPET_BYTES, type DetailType } from './gateway-event.js';

type Schema = Record<string, unknown>;

/** The folder of the generated schemas, relative to the repository root. */
export const EVENT_SCHEMA_DIR = 'schemas/events';

/** The file name of a detail-type's schema: `Followup Added` → `followup-added.schema.json`. */
export function schemaFileOf(detailType: DetailType): string {
  return `${detailType.toLowerCase().replace(/\s+/g, '-')}.schema.json`;
}

const text = (description: string, maxLength?: number): Schema => ({ type: 'string', ...(maxLength ? { maxLength } : {}), description });
const nullable = (schema: Schema): Schema => ({ ...schema, type: [schema.type as string, 'null'] });
const ticketId = (description: string): Schema => ({ type: 'integer', minimum: 1, description });
const instant = (description: string): Schema => ({ type: 'string', format: 'date-time', description });
const s3Key = (description: string) => text(description, FIELD_CAPS.s3Key);

const COMMON: Record<string, Schema> = {
  version: { const: EVENT_VERSION, description: 'The version of this shape; raised on an incompatible change.' },
  idempotencyKey: { ...text('The same on every publication of one ledger entry (delivery is at least once): dedupe on it.'), minLength: 1 },
  messageKey: { ...text('The key of the ledger entry in the messages table (GetItem gives the full entry, body included).'), minLength: 1 },
  messageId: nullable(text('The Message-ID header without angle brackets; null when the mail had none.', FIELD_CAPS.messageId)),
  from: nullable(text('The From address as written (lower-cased); null when the mail had none. Not proof of the sender.', FIELD_CAPS.from)),
  subject: text('The subject, RFC 2047 decoded.', FIELD_CAPS.subject),
  receivedAt: instant('When the mail was sent (its Date header), or received when it had none.'),
  recordedAt: instant('When the gateway recorded the outcome.'),
  rawMail: {
    type: 'object',
    description: 'The raw mail as SES stored it.',
    additionalProperties: false,
    required: ['bucket', 'key'],
    properties: { bucket: text('S3 bucket.', FIELD_CAPS.bucket), key: s3Key('S3 key.') },
  },
};

const ATTACHMENT: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['index', 'filename', 'contentType', 'size', 'sha256', 'key', 'refused'],
  properties: {
    index: { type: 'integer', minimum: 0, description: 'Position among the mail\'s attachments.' },
    filename: nullable(text('The sanitized file name, for display only.', FIELD_CAPS.filename)),
    contentType: text('The declared content type.', FIELD_CAPS.contentType),
    size: { type: 'integer', minimum: 0, description: 'Bytes.' },
    sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'SHA-256 of the content, hex.' },
    key: nullable(s3Key('Where it is stored in the mail bucket; null when it was refused.')),
    refused: nullable(text('Why it was not stored, or null.', FIELD_CAPS.refused)),
  },
};

const APPLIED: Record<string, Schema> = {
  ticketId: ticketId('The ticket the mail was applied to.'),
  followupId: { ...text('The follow-up\'s id, unique per mail: the idempotency key.'), minLength: 1 },
  bodyKey: nullable(s3Key('The S3 key of the text body when it was too long for the ledger entry; null: the entry holds it.')),
  htmlKey: nullable(s3Key('The S3 key of the stored HTML part; null when none is stored.')),
  attachments: { type: 'array', items: ATTACHMENT, description: 'Attachments, in order, as many as fit the event.' },
  attachmentsOmitted: { type: 'integer', minimum: 0, description: 'Attachments left out of the list to keep the event small (the ledger entry lists all).' },
  snippet: text(`The start of the reply, whitespace collapsed, at most ${MAX_SNIPPET_BYTES} bytes of UTF-8.`, MAX_SNIPPET_BYTES),
  snippetTruncated: { type: 'boolean', description: 'Whether the snippet was cut.' },
};

const FOLLOWUP: Record<string, Schema> = {
  reopened: { type: 'boolean', description: 'The follow-up reopened a resolved or closed ticket.' },
  mergedFrom: { type: 'array', items: ticketId('A merged ticket.'), description: 'Merged tickets the mail was forwarded through to ticketId.' },
};

const SKIPPED: Record<string, Schema> = {
  reason: { enum: [...SKIP_REASON_NAMES], description: 'Why the mail was skipped (see the README\'s runbook).' },
  detail: text('What exactly was found, in words.', FIELD_CAPS.detail),
  ticketId: nullable(ticketId('The ticket the mail named, when it named one.')),
  quarantineKey: nullable(s3Key('Where an infected raw mail was moved to.')),
};

function objectSchema(detailType: DetailType, description: string, properties: Record<string, Schema>): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: `urn:helpdesk-mail-gateway:event:${schemaFileOf(detailType).replace('.schema.json', '')}:v${EVENT_VERSION}`,
    title: `${detailType} (detail of source ${EVENT_SOURCE})`,
    description,
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties),
    properties,
  };
}

/** The schema of each detail-type's `detail`. */
export const EVENT_SCHEMAS: Record<DetailType, Schema> = {
  [DETAIL_TYPES.followup]: objectSchema(DETAIL_TYPES.followup, 'A mail was added as a follow-up to an existing ticket.', { ...COMMON, ...APPLIED, ...FOLLOWUP }),
  [DETAIL_TYPES.created]: objectSchema(DETAIL_TYPES.created, 'A mail opened a new ticket; it is the ticket\'s first follow-up.', { ...COMMON, ...APPLIED }),
  [DETAIL_TYPES.skipped]: objectSchema(DETAIL_TYPES.skipped, 'A mail was skipped with a reason; it is kept in S3 and can be replayed.', { ...COMMON, ...SKIPPED }),
};

/** The text of a schema file, as `npm run generate` writes it. */
export function schemaFileText(detailType: DetailType): string {
  return `${JSON.stringify(EVENT_SCHEMAS[detailType], null, 2)}\n`;
}
