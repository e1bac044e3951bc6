/**
 * Configuration: read from the environment once per container, validated, and frozen into a typed
 * object. A bad value fails the cold start with a {@link ConfigError} naming the variable.
 */
import * as v from 'valibot';
import { ConfigError, SecretConfigError } from './errors.js';
import { DEFAULT_DENIED_EXTENSIONS, DEFAULT_DENIED_TYPES, type AttachmentPolicy } from './mail/attachment-policy.js';
import type { ScreeningPolicy } from './screening/screen.js';
import { canonicalAddressPattern, canonicalDomain } from './mail/canonical-address.js';
import { SENDER_AUTHENTICATION_MODES, type Agents, type SenderAuthenticationMode, type SenderPolicy } from './screening/sender-policy.js';
import { SCREENING_HEADERS } from './mail/headers.js';
import { RECORD_CAPS } from './record-caps.js';
import { SERVICE_NAME } from './telemetry.js';
import { loadNoticeConfig, type NoticeConfig } from './notices/notice-config.js';
import { MAILBOX_MODES, type Mailbox, type MailboxMode, QUEUE_SLUG_PATTERN, type RoutingTable, baseAddress } from './mailbox.js';

/** Everything the gateway needs to know about its deployment. */
export interface GatewayConfig extends RoutingTable {
  /** DynamoDB table of tickets (and the ticket-id counter). */
  readonly ticketsTable: string;
  /** DynamoDB table of the message ledger: one entry per Message-ID seen or sent. */
  readonly messagesTable: string;
  /** The S3 bucket SES writes raw mail to; attachments are stored there too. */
  readonly mailBucket: string;
  /** Key prefix of raw mail in {@link mailBucket} (SES's `ObjectKeyPrefix`). */
  readonly inboundPrefix: string;
  /** Key prefix under which attachments and long bodies are stored. */
  readonly attachmentsPrefix: string;
  /** Every queue slug that may appear in a subject tag. */
  readonly queueSlugs: readonly string[];
  /** The `service` dimension of every metric and the `service` field of every log line. */
  readonly serviceName: string;
  /** Raw mail larger than this is skipped as `too-large` without being read. */
  readonly maxMailBytes: number;
  /** Key prefix that virus-infected raw mail is moved to; nothing reads it. */
  readonly quarantinePrefix: string;
  /** The cheap checks before any ticket is looked at. */
  readonly screening: ScreeningPolicy;
  /** Who may update a ticket reached by references a sender can write (subject tag, thread). */
  readonly senderPolicy: SenderPolicy;
  /** Whether a participant or agent is recognized only when SES authenticated the From. */
  readonly senderAuthentication: SenderAuthenticationMode;
  /** Agents, in canonical form (`canonical-address.ts`). */
  readonly agents: Agents;
  /**
   * The domains of the configured mailboxes (canonical): the helpdesk's own. An inbound mail may
   * not claim a Message-ID in them — those are the helpdesk's notifications'.
   */
  readonly ownDomains: ReadonlySet<string>;
  /** Which attachments are stored. */
  readonly attachments: AttachmentPolicy;
  /** Where the signed-reply-address secrets come from. */
  readonly replyTokenSecrets: ReplyTokenSecretSource;
  /** What the sweep (lib/sweep.ts) looks at. */
  readonly sweep: { readonly afterMinutes: number; readonly lookbackHours: number };
  /** The EventBridge bus (name or ARN) the outcome events are published on; `null`: none are published. */
  readonly eventBusName: string | null;
  /** Sender notices (`lib/notices/notice-config.ts`, which documents their variables). */
  readonly notices: NoticeConfig;
}

/**
 * The secrets of signed reply addresses: none (the feature is off), given in the environment
 * (local runs), or names of SSM SecureString parameters read at cold start.
 */
export type ReplyTokenSecretSource =
  | { readonly kind: 'none' }
  | { readonly kind: 'environment'; readonly current: string; readonly previous: string | null }
  | { readonly kind: 'ssm'; readonly current: string; readonly previous: string | null };

/** SES accepts messages of up to 40 MB, headers included. */
export const DEFAULT_MAX_MAIL_BYTES = 40 * 1024 * 1024;

/** The environment variables the gateway reads, with what each expects (for errors and the README). */
export const CONFIG_VARIABLES = {
  TICKETS_TABLE: 'the name of the DynamoDB tickets table',
  MESSAGES_TABLE: 'the name of the DynamoDB message-ledger table',
  MAIL_BUCKET: 'the name of the S3 bucket SES stores raw mail in',
  INBOUND_PREFIX: 'the key prefix of raw mail in MAIL_BUCKET, ending in "/" (default "inbound/")',
  ATTACHMENTS_PREFIX: 'the key prefix for stored attachments, ending in "/" (default "attachments/")',
  MAILBOXES:
    'comma-separated address=queue[:mode] entries, e.g. "support@example.com=support:update-only,new@example.com=support:create"',
  DEFAULT_QUEUE: 'optional queue slug for mail that matches no mailbox (unset: such mail is skipped as no-mailbox)',
  QUARANTINE_PREFIX: 'the key prefix virus-infected raw mail is moved to, ending in "/" (default "quarantine/")',
  SKIP_AUTO_REPLIES: '"true" or "false": skip out-of-office replies, autoresponders, bulk and no-reply mail as auto-reply (default "true")',
  SKIP_SPAM: '"true" or "false": skip mail SES judged spam (default "true")',
  DMARC_FAIL_WITHOUT_POLICY: '"skip" or "accept": a DMARC failure seen only in the headers, where the sender\'s policy is unknown (default "skip")',
  SENDER_POLICY: '"strict" or "open": in strict, mail that reaches a ticket by its subject tag or a thread reference (anything but a signed reply address) must come from its submitter, a CC or an agent (default "strict")',
  SENDER_AUTHENTICATION: '"required" or "off": in required, under the strict policy, a participant or agent is recognized only when SES authenticated the From (DMARC pass, or DKIM or SPF pass aligned with the From domain); otherwise the mail is skipped as sender-unverified (default "required")',
  AGENT_ADDRESSES: 'comma-separated agent addresses or @domains that may update any ticket, e.g. "lead@example.com,@staff.example.com" (default none)',
  LOOP_HEADER: 'a header the helpdesk adds to its outgoing mail; inbound mail carrying it is a loop (default "X-Helpdesk-Loop")',
  REPLY_TOKEN_SECRET: 'the secret of signed reply addresses, at least 32 characters (local runs; in AWS use REPLY_TOKEN_SECRET_PARAMETER)',
  REPLY_TOKEN_PREVIOUS_SECRET: 'the secret before the last rotation, still accepted (optional)',
  REPLY_TOKEN_SECRET_PARAMETER: 'the name (starting with "/") of an SSM SecureString parameter holding the secret of signed reply addresses',
  REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER: 'the SSM SecureString parameter (starting with "/") of the previous secret, still accepted during rotation (optional)',
  MAX_ATTACHMENTS: `the most attachments stored per mail, a whole number up to ${RECORD_CAPS.listedAttachments} (default 100)`,
  MAX_ATTACHMENT_BYTES: `the largest attachment stored, in bytes (default ${25 * 1024 * 1024})`,
  MAX_ATTACHMENTS_TOTAL_BYTES: `the most attachment bytes stored per mail (default ${40 * 1024 * 1024})`,
  ATTACHMENT_DENY_EXTENSIONS: `comma-separated file extensions refused (default: ${DEFAULT_DENIED_EXTENSIONS.join(',')})`,
  ATTACHMENT_ALLOW_EXTENSIONS: 'comma-separated file extensions; when set, only these are stored (default: any not denied)',
  ATTACHMENT_DENY_TYPES: `comma-separated MIME types refused (default: ${DEFAULT_DENIED_TYPES.join(',')})`,
  MAX_MAIL_BYTES: `a whole number of bytes from 1024 up: larger raw mail is skipped as too-large (default ${DEFAULT_MAX_MAIL_BYTES}, SES's 40 MiB)`,
  UPDATE_ONLY: '"true" or "false": the mode of mailboxes that name none, and of DEFAULT_QUEUE (default "false")',
  SWEEP_AFTER_MINUTES: 'the sweep re-drives raw mail and new-ticket claims without a final record once they are this many minutes old, a whole number from 2 up, above the function timeout (default 60)',
  SWEEP_LOOKBACK_HOURS: 'the sweep looks at raw mail up to this many hours old, a whole number from 1 up (default 72)',
  EVENT_BUS_NAME: 'the name or ARN of the EventBridge bus that gets one event per mail outcome (Followup Added, Ticket Created, Mail Skipped); unset: no events (the stack always sets it)',
  POWERTOOLS_SERVICE_NAME: `the service name on logs and the "service" metric dimension the alarm watches, 1-200 characters of letters, digits, "-", "_", "." (default "${SERVICE_NAME}"; the stack sets <service>-<stage>)`,
} as const;

type Env = Readonly<Record<string, string | undefined>>;
type Variable = keyof typeof CONFIG_VARIABLES;

/**
 * Each variable's shape is a valibot schema over its text; the message of each check is what the
 * variable expects, in words. {@link read} turns the first failed check into a {@link ConfigError}
 * naming the variable, so every message says which variable is wrong and what it takes.
 */
type Schema<T> = v.GenericSchema<string, T>;

/** Reads `name` through `schema`; unset or blank: `fallback`. Throws a {@link ConfigError} naming the variable. */
function read<T>(env: Env, name: Variable, schema: Schema<T>, fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const result = v.safeParse(schema, raw);
  if (result.success) return result.output;
  throw new ConfigError(name, result.issues[0].message, raw);
}

/** Reads a variable that must be set. */
function required(env: Env, name: Variable): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, CONFIG_VARIABLES[name]);
  return value;
}

/** The longest key prefix: leaves room under S3's 1,024-byte keys for what the gateway appends. */
const MAX_PREFIX_BYTES = 256;

const prefix = (name: Variable): Schema<string> =>
  v.pipe(
    v.string(),
    v.trim(),
    v.check((value) => value.endsWith('/') && !value.startsWith('/') && Buffer.byteLength(value) <= MAX_PREFIX_BYTES, `${CONFIG_VARIABLES[name]}, at most ${MAX_PREFIX_BYTES} bytes`),
  );

/**
 * The inbound, attachments and quarantine prefixes, none inside another: what the gateway writes
 * under an overlapping prefix would be read back as inbound mail (and swept), or inbound mail
 * counted as the gateway's own objects.
 */
function prefixes(env: Env): { inbound: string; attachments: string; quarantine: string } {
  const named = [
    ['INBOUND_PREFIX', read(env, 'INBOUND_PREFIX', prefix('INBOUND_PREFIX'), 'inbound/')],
    ['ATTACHMENTS_PREFIX', read(env, 'ATTACHMENTS_PREFIX', prefix('ATTACHMENTS_PREFIX'), 'attachments/')],
    ['QUARANTINE_PREFIX', read(env, 'QUARANTINE_PREFIX', prefix('QUARANTINE_PREFIX'), 'quarantine/')],
  ] as const;
  for (const [name, value] of named.slice(1)) {
    for (const [otherName, other] of named) {
      if (otherName === name) continue;
      if (value.startsWith(other) || other.startsWith(value)) {
        throw new ConfigError(name, `a prefix that neither contains nor lies under ${otherName} (${other})`, value);
      }
    }
  }
  return { inbound: named[0][1], attachments: named[1][1], quarantine: named[2][1] };
}

const queueSlug = (name: Variable): Schema<string> =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(QUEUE_SLUG_PATTERN, (issue) => `queue slugs of letters, digits, "-" and "_" (got "${String(issue.input)}"); ${CONFIG_VARIABLES[name]}`),
  );

const ADDRESS_PATTERN = /^[^\s@,=]+@[^\s@,=]+\.[^\s@,=]+$/;

/** One `address=queue[:mode]` entry of MAILBOXES, split. */
interface MailboxEntry {
  readonly entry: string;
  readonly address: string;
  readonly queue: string;
  readonly mode: string | undefined;
  readonly extra: string | undefined;
}

function splitEntry(entry: string): MailboxEntry {
  // split always gives at least one part: the address, and the queue, are always there (maybe empty).
  const [address, target = ''] = entry.split('=', 2).map((part) => part.trim()) as [string, string?];
  const [queue, mode, extra] = target.split(':').map((part) => part.trim()) as [string, string?, string?];
  return { entry, address, queue, mode, extra };
}

const mailboxEntry = v.pipe(
  v.string(),
  v.trim(),
  v.transform(splitEntry),
  v.check((m) => ADDRESS_PATTERN.test(m.address) && m.extra === undefined, (issue) => `${CONFIG_VARIABLES.MAILBOXES} (entry "${(issue.input as MailboxEntry).entry}" is not address=queue[:mode])`),
  v.check((m) => m.mode === undefined || (MAILBOX_MODES as readonly string[]).includes(m.mode), (issue) => `a mode of ${MAILBOX_MODES.join(' or ')} (entry "${(issue.input as MailboxEntry).entry}")`),
  v.check((m) => QUEUE_SLUG_PATTERN.test(m.queue), (issue) => `queue slugs of letters, digits, "-" and "_" (got "${(issue.input as MailboxEntry).queue}"); ${CONFIG_VARIABLES.MAILBOXES}`),
);

/** The first address listed twice (case-insensitively), if any. */
function twice(entries: readonly MailboxEntry[]): string | undefined {
  const seen = new Set<string>();
  for (const { address } of entries) {
    const lower = address.toLowerCase();
    if (seen.has(lower)) return lower;
    seen.add(lower);
  }
  return undefined;
}

const mailboxEntries = v.pipe(
  v.string(),
  v.transform((raw) => raw.split(',')),
  v.array(mailboxEntry),
  v.check((entries) => twice(entries) === undefined, (issue) => `each address once (${twice(issue.input as MailboxEntry[])} is listed twice)`),
);

/** The configured mailboxes: each has an address (only the default route has none). */
type ConfiguredMailbox = Mailbox & { readonly address: string };

function parseMailboxes(env: Env, defaultMode: MailboxMode): ConfiguredMailbox[] {
  return read(env, 'MAILBOXES', mailboxEntries, []).map((m) => ({ address: m.address.toLowerCase(), queue: m.queue, mode: (m.mode as MailboxMode | undefined) ?? defaultMode }));
}

const boolean = (name: Variable): Schema<boolean> =>
  v.pipe(
    v.string(),
    v.trim(),
    v.toLowerCase(),
    v.picklist(['true', 'false'], CONFIG_VARIABLES[name]),
    v.transform((value) => value === 'true'),
  );

const wholeNumber = (name: Variable, minimum: number, maximum = Number.MAX_SAFE_INTEGER): Schema<number> =>
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\d+$/, CONFIG_VARIABLES[name]),
    v.transform(Number),
    v.safeInteger(CONFIG_VARIABLES[name]),
    v.minValue(minimum, CONFIG_VARIABLES[name]),
    v.maxValue(maximum, CONFIG_VARIABLES[name]),
  );

const choice = <T extends string>(name: Variable, choices: readonly T[]): Schema<T> =>
  v.pipe(v.string(), v.trim(), v.toLowerCase(), v.picklist(choices as T[], CONFIG_VARIABLES[name]));

/** A comma-separated list: each item trimmed, lower case, a leading "." dropped, empty items ignored. */
const list = (name: Variable, pattern: RegExp): Schema<Set<string>> =>
  v.pipe(
    v.string(),
    v.transform((value) => value.split(',').map((item) => item.trim().toLowerCase().replace(/^\./, '')).filter(Boolean)),
    v.array(v.pipe(v.string(), v.regex(pattern, (issue) => `${CONFIG_VARIABLES[name]}; "${String(issue.input)}" is not one`))),
    v.transform((items) => new Set(items)),
  );

/** Agent addresses and @domains, canonical. */
function toAgents(entries: string[]): Agents {
  const addresses = new Set<string>();
  const domains = new Set<string>();
  for (const entry of entries) {
    const pattern = canonicalAddressPattern(entry);
    if (pattern?.kind === 'address') addresses.add(pattern.address);
    else if (pattern?.kind === 'domain') domains.add(pattern.domain);
  }
  return { addresses, domains };
}

const agentEntries = v.pipe(
  v.string(),
  v.transform((value) => value.split(',').map((item) => item.trim().toLowerCase()).filter(Boolean)),
  v.array(
    v.pipe(
      v.string(),
      v.regex(/^(?:[^\s@,]+@|@)[^\s@,]+\.[^\s@,]+$/, (issue) => `${CONFIG_VARIABLES.AGENT_ADDRESSES}; "${String(issue.input)}" is not one`),
      v.check((entry) => canonicalAddressPattern(entry) !== null, (issue) => `${CONFIG_VARIABLES.AGENT_ADDRESSES}; "${String(issue.input)}" is not a valid address or domain`),
    ),
  ),
  v.transform(toAgents),
);

function agents(env: Env): Agents {
  return read(env, 'AGENT_ADDRESSES', agentEntries, { addresses: new Set(), domains: new Set() });
}

/** The canonical domains of the configured mailboxes. */
function ownDomains(mailboxes: readonly ConfiguredMailbox[]): Set<string> {
  const domains = mailboxes.map((m) => canonicalDomain(m.address.slice(m.address.lastIndexOf('@') + 1)));
  return new Set(domains.filter((d): d is string => d !== null));
}

const HEADER_NAME = /^[A-Za-z0-9-]{1,76}$/;

/**
 * Headers every mail (or much ordinary mail) carries, and those the screening reads for other
 * reasons (SCREENING_HEADERS, Return-Path among them): as LOOP_HEADER they would make ordinary mail a loop.
 */
const STANDARD_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'reply-to', 'sender',
  'received', 'delivered-to', 'x-original-to', 'mime-version', 'content-type', 'content-transfer-encoding',
  'content-disposition', 'content-id', 'dkim-signature', 'arc-seal', 'arc-message-signature', 'arc-authentication-results',
  'received-spf', 'x-mailer', 'user-agent', 'importance', 'x-priority', 'list-id', 'list-unsubscribe', 'thread-topic',
  'thread-index', 'comments', 'keywords', 'resent-from', 'resent-to', 'resent-date', 'resent-message-id', 'feedback-id',
  ...SCREENING_HEADERS,
]);

const loopHeader = v.pipe(
  v.string(),
  v.trim(),
  v.regex(HEADER_NAME, CONFIG_VARIABLES.LOOP_HEADER),
  v.check((value) => !STANDARD_HEADERS.has(value.toLowerCase()), (issue) => `a header of the helpdesk's own, not one ordinary mail carries (${String(issue.input)} is); ${CONFIG_VARIABLES.LOOP_HEADER}`),
  v.toLowerCase(),
);

/** The shortest secret of signed reply addresses, in characters (HMAC-SHA-256 keys, RFC 2104 §3). */
export const MIN_REPLY_TOKEN_SECRET_LENGTH = 32;

/**
 * Checks one secret of signed reply addresses, from the environment or read from the SSM parameter
 * the variable names. Throws a {@link SecretConfigError} naming `variable` (never showing the value).
 * The gateway (at cold start) and `npm run reply-address` both check with this.
 */
export function checkReplyTokenSecret(variable: string, value: string): string {
  if (value.length < MIN_REPLY_TOKEN_SECRET_LENGTH) throw new SecretConfigError(variable, `a secret of at least ${MIN_REPLY_TOKEN_SECRET_LENGTH} characters`, value.length);
  return value;
}

const parameterName = v.pipe(v.string(), v.trim(), v.regex(/^\/[A-Za-z0-9_.\-/]{1,1010}$/, 'an SSM parameter name starting with "/"'));

/**
 * Where the secrets of signed reply addresses come from, checked: the REPLY_TOKEN_* variables.
 * Throws a {@link ConfigError} naming the variable at fault.
 */
export function replyTokenSecretSource(env: Env): ReplyTokenSecretSource {
  const secret = env.REPLY_TOKEN_SECRET || null;
  const previous = env.REPLY_TOKEN_PREVIOUS_SECRET || null;
  if (secret) checkReplyTokenSecret('REPLY_TOKEN_SECRET', secret);
  if (previous) checkReplyTokenSecret('REPLY_TOKEN_PREVIOUS_SECRET', previous);
  const parameter = read(env, 'REPLY_TOKEN_SECRET_PARAMETER', parameterName, null);
  const previousParameter = read(env, 'REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER', parameterName, null);
  if (parameter && secret) throw new ConfigError('REPLY_TOKEN_SECRET', 'either REPLY_TOKEN_SECRET or REPLY_TOKEN_SECRET_PARAMETER, not both');
  if (parameter) return { kind: 'ssm', current: parameter, previous: previousParameter };
  if (secret) return { kind: 'environment', current: secret, previous };
  if (previous || previousParameter) throw new ConfigError('REPLY_TOKEN_SECRET', 'the current secret too, when a previous one is given');
  return { kind: 'none' };
}

/** An event bus name (`[/.\-_A-Za-z0-9]{1,256}`) or an event-bus ARN, as `PutEvents` takes it. */
const eventBusName = v.pipe(
  v.string(),
  v.trim(),
  v.check((value) => /^[/.\-_A-Za-z0-9]{1,256}$/.test(/^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/(.+)$/.exec(value)?.[1] ?? value), CONFIG_VARIABLES.EVENT_BUS_NAME),
);

const serviceName = v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9_.-]{1,200}$/, CONFIG_VARIABLES.POWERTOOLS_SERVICE_NAME));

const EXTENSION = /^[a-z0-9]{1,16}$/;
const MIME_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

/** The two DynamoDB tables: distinct, as their keys differ (`id` and `messageKey`). Throws a {@link ConfigError}. */
function tables(env: Env): { readonly ticketsTable: string; readonly messagesTable: string } {
  const ticketsTable = required(env, 'TICKETS_TABLE');
  const messagesTable = required(env, 'MESSAGES_TABLE');
  if (messagesTable === ticketsTable) throw new ConfigError('MESSAGES_TABLE', 'a table other than TICKETS_TABLE (the ledger and the tickets are keyed differently)', messagesTable);
  return { ticketsTable, messagesTable };
}

/** Reads and validates the configuration. Throws a {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const defaultMode: MailboxMode = read(env, 'UPDATE_ONLY', boolean('UPDATE_ONLY'), false) ? 'update-only' : 'create';
  const mailboxes = parseMailboxes(env, defaultMode);
  const defaultQueue = read(env, 'DEFAULT_QUEUE', queueSlug('DEFAULT_QUEUE'), null);
  if (mailboxes.length === 0 && defaultQueue === null) {
    throw new ConfigError('MAILBOXES', `at least one mailbox, or DEFAULT_QUEUE: ${CONFIG_VARIABLES.MAILBOXES}`);
  }
  const queueSlugs = [...new Set([...mailboxes.map((m) => m.queue), ...(defaultQueue ? [defaultQueue] : [])])];
  const paths = prefixes(env);
  return Object.freeze({
    ...tables(env),
    mailBucket: required(env, 'MAIL_BUCKET'),
    inboundPrefix: paths.inbound,
    attachmentsPrefix: paths.attachments,
    mailboxes: Object.freeze(mailboxes),
    defaultQueue,
    defaultMode,
    queueSlugs: Object.freeze(queueSlugs),
    serviceName: read(env, 'POWERTOOLS_SERVICE_NAME', serviceName, SERVICE_NAME),
    maxMailBytes: read(env, 'MAX_MAIL_BYTES', wholeNumber('MAX_MAIL_BYTES', 1024), DEFAULT_MAX_MAIL_BYTES),
    quarantinePrefix: paths.quarantine,
    screening: {
      ownAddresses: new Set(mailboxes.map((m) => baseAddress(m.address))),
      loopHeader: read(env, 'LOOP_HEADER', loopHeader, 'x-helpdesk-loop'),
      skipAutoReplies: read(env, 'SKIP_AUTO_REPLIES', boolean('SKIP_AUTO_REPLIES'), true),
      skipSpam: read(env, 'SKIP_SPAM', boolean('SKIP_SPAM'), true),
      dmarcWithoutPolicy: read(env, 'DMARC_FAIL_WITHOUT_POLICY', choice('DMARC_FAIL_WITHOUT_POLICY', ['skip', 'accept'] as const), 'skip'),
    },
    senderPolicy: read(env, 'SENDER_POLICY', choice('SENDER_POLICY', ['strict', 'open'] as const), 'strict'),
    senderAuthentication: read(env, 'SENDER_AUTHENTICATION', choice('SENDER_AUTHENTICATION', SENDER_AUTHENTICATION_MODES), 'required'),
    agents: agents(env),
    ownDomains: ownDomains(mailboxes),
    attachments: {
      // Every stored attachment must be listed in the ledger entry, which lists at most this many.
      maxCount: read(env, 'MAX_ATTACHMENTS', wholeNumber('MAX_ATTACHMENTS', 0, RECORD_CAPS.listedAttachments), 100),
      maxBytes: read(env, 'MAX_ATTACHMENT_BYTES', wholeNumber('MAX_ATTACHMENT_BYTES', 0), 25 * 1024 * 1024),
      maxTotalBytes: read(env, 'MAX_ATTACHMENTS_TOTAL_BYTES', wholeNumber('MAX_ATTACHMENTS_TOTAL_BYTES', 0), 40 * 1024 * 1024),
      denyExtensions: read(env, 'ATTACHMENT_DENY_EXTENSIONS', list('ATTACHMENT_DENY_EXTENSIONS', EXTENSION), new Set(DEFAULT_DENIED_EXTENSIONS)),
      allowExtensions: read(env, 'ATTACHMENT_ALLOW_EXTENSIONS', list('ATTACHMENT_ALLOW_EXTENSIONS', EXTENSION), null),
      denyTypes: read(env, 'ATTACHMENT_DENY_TYPES', list('ATTACHMENT_DENY_TYPES', MIME_TYPE), new Set(DEFAULT_DENIED_TYPES)),
    },
    replyTokenSecrets: replyTokenSecretSource(env),
    sweep: {
      afterMinutes: read(env, 'SWEEP_AFTER_MINUTES', wholeNumber('SWEEP_AFTER_MINUTES', 2), 60),
      lookbackHours: read(env, 'SWEEP_LOOKBACK_HOURS', wholeNumber('SWEEP_LOOKBACK_HOURS', 1), 72),
    },
    eventBusName: read(env, 'EVENT_BUS_NAME', eventBusName, null),
    notices: loadNoticeConfig(env),
  });
}
