/**
 * Configuration: read from the environment once per container, validated, and frozen into a typed
 * object. A bad value fails the cold start with a {@link ConfigError} naming the variable.
 */
import { ConfigError } from './errors.js';
import { SERVICE_NAME } from './telemetry.js';
import { MAILBOX_MODES, type Mailbox, type MailboxMode, QUEUE_SLUG_PATTERN, type RoutingTable } from './mailbox.js';

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
}

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
  MAX_MAIL_BYTES: `a whole number of bytes from 1024 up: larger raw mail is skipped as too-large (default ${DEFAULT_MAX_MAIL_BYTES}, SES's 40 MiB)`,
  UPDATE_ONLY: '"true" or "false": the mode of mailboxes that name none, and of DEFAULT_QUEUE (default "false")',
  POWERTOOLS_SERVICE_NAME: `the service name on logs and the "service" metric dimension the alarm watches, 1-200 characters of letters, digits, "-", "_", "." (default "${SERVICE_NAME}"; the stack sets <service>-<stage>)`,
} as const;

type Env = Readonly<Record<string, string | undefined>>;
type Variable = keyof typeof CONFIG_VARIABLES;

function required(env: Env, name: Variable): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, CONFIG_VARIABLES[name]);
  return value;
}

function prefix(env: Env, name: Variable, fallback: string): string {
  const value = env[name]?.trim();
  if (value === undefined || value === '') return fallback;
  if (!value.endsWith('/') || value.startsWith('/')) throw new ConfigError(name, CONFIG_VARIABLES[name], value);
  return value;
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

function byteLimit(env: Env): number {
  const value = env.MAX_MAIL_BYTES?.trim();
  if (value === undefined || value === '') return DEFAULT_MAX_MAIL_BYTES;
  const bytes = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(bytes) || bytes < 1024) throw new ConfigError('MAX_MAIL_BYTES', CONFIG_VARIABLES.MAX_MAIL_BYTES, value);
  return bytes;
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
  return Object.freeze({
    ticketsTable: required(env, 'TICKETS_TABLE'),
    messagesTable: required(env, 'MESSAGES_TABLE'),
    mailBucket: required(env, 'MAIL_BUCKET'),
    inboundPrefix: prefix(env, 'INBOUND_PREFIX', 'inbound/'),
    attachmentsPrefix: prefix(env, 'ATTACHMENTS_PREFIX', 'attachments/'),
    mailboxes: Object.freeze(mailboxes),
    defaultQueue,
    defaultMode,
    queueSlugs: Object.freeze(queueSlugs),
    serviceName: serviceName(env),
    maxMailBytes: byteLimit(env),
  });
}
