/**
 * Configuration: read from the environment once per container, validated, and frozen into a typed
 * object. A bad value fails the cold start with a {@link ConfigError} naming the variable.
 */
import { ConfigError, SecretConfigError } from './errors.js';
import { DEFAULT_DENIED_EXTENSIONS, DEFAULT_DENIED_TYPES, type AttachmentPolicy } from './mail/attachment-policy.js';
import type { ScreeningPolicy } from './screening/screen.js';
import { canonicalAddressPattern, canonicalDomain } from './mail/canonical-address.js';
import { SENDER_AUTHENTICATION_MODES, type Agents, type SenderAuthenticationMode, type SenderPolicy } from './screening/sender-policy.js';
import { SCREENING_HEADERS } from './mail/headers.js';
import { RECORD_CAPS } from './record-caps.js';
import { SERVICE_NAME } from './telemetry.js';
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

function required(env: Env, name: Variable): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, CONFIG_VARIABLES[name]);
  return value;
}

/** The longest key prefix: leaves room under S3's 1,024-byte keys for what the gateway appends. */
const MAX_PREFIX_BYTES = 256;

function prefix(env: Env, name: Variable, fallback: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return fallback;
  if (!value.endsWith('/') || value.startsWith('/') || Buffer.byteLength(value) > MAX_PREFIX_BYTES) {
    throw new ConfigError(name, `${CONFIG_VARIABLES[name]}, at most ${MAX_PREFIX_BYTES} bytes`, value);
  }
  return value;
}

/**
 * The inbound, attachments and quarantine prefixes, none inside another: what the gateway writes
 * under an overlapping prefix would be read back as inbound mail (and swept), or inbound mail
 * counted as the gateway's own objects.
 */
function prefixes(env: Env): { inbound: string; attachments: string; quarantine: string } {
  const named = [
    ['INBOUND_PREFIX', prefix(env, 'INBOUND_PREFIX', 'inbound/')],
    ['ATTACHMENTS_PREFIX', prefix(env, 'ATTACHMENTS_PREFIX', 'attachments/')],
    ['QUARANTINE_PREFIX', prefix(env, 'QUARANTINE_PREFIX', 'quarantine/')],
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

function queueSlug(name: Variable, value: string, whole: string): string {
  if (!QUEUE_SLUG_PATTERN.test(value)) {
    throw new ConfigError(name, `queue slugs of letters, digits, "-" and "_" (got "${value}"); ${CONFIG_VARIABLES[name]}`, whole);
  }
  return value;
}

const ADDRESS_PATTERN = /^[^\s@,=]+@[^\s@,=]+\.[^\s@,=]+$/;

function parseMailboxes(raw: string | undefined, defaultMode: MailboxMode): Mailbox[] {
  if (raw === undefined || raw.trim() === '') return [];
  const seen = new Set<string>();
  return raw.split(',').map((entry) => {
    const trimmed = entry.trim();
    const [address = '', target = ''] = trimmed.split('=', 2).map((part) => part.trim());
    const [queue = '', mode, extra] = target.split(':').map((part) => part.trim());
    if (!ADDRESS_PATTERN.test(address) || extra !== undefined) {
      throw new ConfigError('MAILBOXES', `${CONFIG_VARIABLES.MAILBOXES} (entry "${trimmed}" is not address=queue[:mode])`, raw);
    }
    if (mode !== undefined && !(MAILBOX_MODES as readonly string[]).includes(mode)) {
      throw new ConfigError('MAILBOXES', `a mode of ${MAILBOX_MODES.join(' or ')} (entry "${trimmed}")`, raw);
    }
    const lower = address.toLowerCase();
    if (seen.has(lower)) throw new ConfigError('MAILBOXES', `each address once (${lower} is listed twice)`, raw);
    seen.add(lower);
    return { address: lower, queue: queueSlug('MAILBOXES', queue, raw), mode: (mode as MailboxMode | undefined) ?? defaultMode };
  });
}

function parseBoolean(env: Env, name: Variable, fallback: boolean): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new ConfigError(name, CONFIG_VARIABLES[name], env[name]);
}

function wholeNumber(env: Env, name: Variable, fallback: number, minimum: number, maximum = Number.MAX_SAFE_INTEGER): number {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < minimum || number > maximum) throw new ConfigError(name, CONFIG_VARIABLES[name], value);
  return number;
}

function choice<T extends string>(env: Env, name: Variable, choices: readonly T[], fallback: T): T {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new ConfigError(name, CONFIG_VARIABLES[name], env[name]);
  return value as T;
}

function list(env: Env, name: Variable, fallback: readonly string[], pattern: RegExp): Set<string> {
  const value = env[name];
  if (value === undefined || value.trim() === '') return new Set(fallback);
  const items = value.split(',').map((item) => item.trim().toLowerCase().replace(/^\./, '')).filter(Boolean);
  const bad = items.find((item) => !pattern.test(item));
  if (bad !== undefined) throw new ConfigError(name, `${CONFIG_VARIABLES[name]}; "${bad}" is not one`, value);
  return new Set(items);
}

function agents(env: Env): Agents {
  const entries = list(env, 'AGENT_ADDRESSES', [], /^(?:[^\s@,]+@|@)[^\s@,]+\.[^\s@,]+$/);
  const addresses = new Set<string>();
  const domains = new Set<string>();
  for (const entry of entries) {
    const pattern = canonicalAddressPattern(entry);
    if (pattern === null) throw new ConfigError('AGENT_ADDRESSES', `${CONFIG_VARIABLES.AGENT_ADDRESSES}; "${entry}" is not a valid address or domain`, env.AGENT_ADDRESSES);
    if (pattern.kind === 'address') addresses.add(pattern.address);
    else domains.add(pattern.domain);
  }
  return { addresses, domains };
}

/** The canonical domains of the configured mailboxes. */
function ownDomains(mailboxes: readonly Mailbox[]): Set<string> {
  const domains = mailboxes.flatMap((m) => (m.address ? [canonicalDomain(m.address.slice(m.address.lastIndexOf('@') + 1))] : []));
  return new Set(domains.filter((d): d is string => d !== null));
}

const HEADER_NAME = /^[A-Za-z0-9-]{1,76}$/;

/**
 * Headers every mail (or much ordinary mail) carries, and those the screening reads for other
 * reasons: as LOOP_HEADER they would make ordinary mail a loop.
 */
const STANDARD_HEADERS = new Set([
  'from', 'to', 'cc', 'bcc', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'reply-to', 'sender',
  'return-path', 'received', 'delivered-to', 'x-original-to', 'mime-version', 'content-type', 'content-transfer-encoding',
  'content-disposition', 'content-id', 'dkim-signature', 'arc-seal', 'arc-message-signature', 'arc-authentication-results',
  'received-spf', 'x-mailer', 'user-agent', 'importance', 'x-priority', 'list-id', 'list-unsubscribe', 'thread-topic',
  'thread-index', 'comments', 'keywords', 'resent-from', 'resent-to', 'resent-date', 'resent-message-id', 'feedback-id',
  ...SCREENING_HEADERS,
]);

function loopHeader(env: Env): string {
  const value = env.LOOP_HEADER?.trim() || 'X-Helpdesk-Loop';
  if (!HEADER_NAME.test(value)) throw new ConfigError('LOOP_HEADER', CONFIG_VARIABLES.LOOP_HEADER, value);
  if (STANDARD_HEADERS.has(value.toLowerCase())) {
    throw new ConfigError('LOOP_HEADER', `a header of the helpdesk's own, not one ordinary mail carries (${value} is); ${CONFIG_VARIABLES.LOOP_HEADER}`, value);
  }
  return value.toLowerCase();
}

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

/**
 * Where the secrets of signed reply addresses come from, checked: the REPLY_TOKEN_* variables.
 * Throws a {@link ConfigError} naming the variable at fault.
 */
export function replyTokenSecretSource(env: Env): ReplyTokenSecretSource {
  const parameter = env.REPLY_TOKEN_SECRET_PARAMETER?.trim();
  const previousParameter = env.REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER?.trim() || null;
  const secret = env.REPLY_TOKEN_SECRET;
  const previous = env.REPLY_TOKEN_PREVIOUS_SECRET || null;
  if (secret) checkReplyTokenSecret('REPLY_TOKEN_SECRET', secret);
  if (previous) checkReplyTokenSecret('REPLY_TOKEN_PREVIOUS_SECRET', previous);
  if (parameter && secret) throw new ConfigError('REPLY_TOKEN_SECRET', 'either REPLY_TOKEN_SECRET or REPLY_TOKEN_SECRET_PARAMETER, not both');
  for (const [name, value] of [['REPLY_TOKEN_SECRET_PARAMETER', parameter], ['REPLY_TOKEN_PREVIOUS_SECRET_PARAMETER', previousParameter]] as const) {
    if (value && !/^\/[A-Za-z0-9_.\-/]{1,1010}$/.test(value)) throw new ConfigError(name, 'an SSM parameter name starting with "/"', value);
  }
  if (parameter) return { kind: 'ssm', current: parameter, previous: previousParameter };
  if (secret) return { kind: 'environment', current: secret, previous };
  if (previous || previousParameter) throw new ConfigError('REPLY_TOKEN_SECRET', 'the current secret too, when a previous one is given');
  return { kind: 'none' };
}

/** An event bus name (`[/.\-_A-Za-z0-9]{1,256}`) or an event-bus ARN, as `PutEvents` takes it. */
function eventBusName(env: Env): string | null {
  const value = env.EVENT_BUS_NAME?.trim();
  if (value === undefined || value === '') return null;
  const name = /^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/(.+)$/.exec(value)?.[1] ?? value;
  if (!/^[/.\-_A-Za-z0-9]{1,256}$/.test(name)) throw new ConfigError('EVENT_BUS_NAME', CONFIG_VARIABLES.EVENT_BUS_NAME, value);
  return value;
}

function serviceName(env: Env): string {
  const value = env.POWERTOOLS_SERVICE_NAME?.trim();
  if (value === undefined || value === '') return SERVICE_NAME;
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(value)) throw new ConfigError('POWERTOOLS_SERVICE_NAME', CONFIG_VARIABLES.POWERTOOLS_SERVICE_NAME, value);
  return value;
}

/** Reads and validates the configuration. Throws a {@link ConfigError} naming the first bad variable. */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const defaultMode: MailboxMode = parseBoolean(env, 'UPDATE_ONLY', false) ? 'update-only' : 'create';
  const mailboxes = parseMailboxes(env.MAILBOXES, defaultMode);
  const defaultQueueRaw = env.DEFAULT_QUEUE?.trim();
  const defaultQueue = defaultQueueRaw ? queueSlug('DEFAULT_QUEUE', defaultQueueRaw, defaultQueueRaw) : null;
  if (mailboxes.length === 0 && defaultQueue === null) {
    throw new ConfigError('MAILBOXES', `at least one mailbox, or DEFAULT_QUEUE: ${CONFIG_VARIABLES.MAILBOXES}`);
  }
  const queueSlugs = [...new Set([...mailboxes.map((m) => m.queue), ...(defaultQueue ? [defaultQueue] : [])])];
  const paths = prefixes(env);
  return Object.freeze({
    ticketsTable: required(env, 'TICKETS_TABLE'),
    messagesTable: required(env, 'MESSAGES_TABLE'),
    mailBucket: required(env, 'MAIL_BUCKET'),
    inboundPrefix: paths.inbound,
    attachmentsPrefix: paths.attachments,
    mailboxes: Object.freeze(mailboxes),
    defaultQueue,
    defaultMode,
    queueSlugs: Object.freeze(queueSlugs),
    serviceName: serviceName(env),
    maxMailBytes: wholeNumber(env, 'MAX_MAIL_BYTES', DEFAULT_MAX_MAIL_BYTES, 1024),
    quarantinePrefix: paths.quarantine,
    screening: {
      ownAddresses: new Set(mailboxes.flatMap((m) => (m.address ? [baseAddress(m.address)] : []))),
      loopHeader: loopHeader(env),
      skipAutoReplies: parseBoolean(env, 'SKIP_AUTO_REPLIES', true),
      skipSpam: parseBoolean(env, 'SKIP_SPAM', true),
      dmarcWithoutPolicy: choice(env, 'DMARC_FAIL_WITHOUT_POLICY', ['skip', 'accept'] as const, 'skip'),
    },
    senderPolicy: choice(env, 'SENDER_POLICY', ['strict', 'open'] as const, 'strict'),
    senderAuthentication: choice(env, 'SENDER_AUTHENTICATION', SENDER_AUTHENTICATION_MODES, 'required'),
    agents: agents(env),
    ownDomains: ownDomains(mailboxes),
    attachments: {
      // Every stored attachment must be listed in the ledger entry, which lists at most this many.
      maxCount: wholeNumber(env, 'MAX_ATTACHMENTS', 100, 0, RECORD_CAPS.listedAttachments),
      maxBytes: wholeNumber(env, 'MAX_ATTACHMENT_BYTES', 25 * 1024 * 1024, 0),
      maxTotalBytes: wholeNumber(env, 'MAX_ATTACHMENTS_TOTAL_BYTES', 40 * 1024 * 1024, 0),
      denyExtensions: list(env, 'ATTACHMENT_DENY_EXTENSIONS', DEFAULT_DENIED_EXTENSIONS, /^[a-z0-9]{1,16}$/),
      allowExtensions: env.ATTACHMENT_ALLOW_EXTENSIONS?.trim() ? list(env, 'ATTACHMENT_ALLOW_EXTENSIONS', [], /^[a-z0-9]{1,16}$/) : null,
      denyTypes: list(env, 'ATTACHMENT_DENY_TYPES', DEFAULT_DENIED_TYPES, /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/),
    },
    replyTokenSecrets: replyTokenSecretSource(env),
    sweep: {
      afterMinutes: wholeNumber(env, 'SWEEP_AFTER_MINUTES', 60, 2),
      lookbackHours: wholeNumber(env, 'SWEEP_LOOKBACK_HOURS', 72, 1),
    },
    eventBusName: eventBusName(env),
  });
}
