/**
 * The configuration of sender notices, read from the environment once at cold start beside the
 * rest (`loadConfig` calls {@link loadNoticeConfig}). A bad value fails with a `ConfigError` naming
 * the variable.
 */
import { ConfigError } from '../errors.js';
import { NOTICE_REASON_NAMES, isNoticeReason, type NoticeReason } from './notice-reasons.js';

/** Default of SENDER_NOTICES_PER_HOUR: well within the SES sandbox's 200 messages a day and any production quota. */
export const DEFAULT_NOTICES_PER_HOUR = 50;

/** The most SENDER_NOTICES_PER_HOUR may be. */
const MAX_NOTICES_PER_HOUR = 100_000;

/** The environment variables of sender notices, with what each expects (for errors and the README). */
export const NOTICE_CONFIG_VARIABLES = {
  SENDER_NOTICES: '"true" or "false": tell the sender, by one mail from the mailbox address, why their mail was skipped, for the reasons in SENDER_NOTICE_REASONS (default "false": sending needs a verified SES identity; see "Sender notices" in the README)',
  SENDER_NOTICE_REASONS: `comma-separated skip reasons that get a notice, of ${NOTICE_REASON_NAMES.join(', ')} (default: all of them)`,
  SENDER_NOTICES_PER_HOUR: `the most notices sent in one clock hour, in all, a whole number from 1 to ${MAX_NOTICES_PER_HOUR}; past it notices stop and are counted as suppressed (default ${DEFAULT_NOTICES_PER_HOUR})`,
  NOTICES_TABLE: 'the name of the DynamoDB table that remembers whom a notice was sent to (one per sender and reason per 24 hours) and counts notices per hour; required when SENDER_NOTICES=true',
  SENDER_NOTICE_TEMPLATES: 'a directory with <reason>.txt templates that replace those of templates/notices/ (absolute, or relative to the function\'s root); unset: the shipped templates',
} as const;

type Variable = keyof typeof NOTICE_CONFIG_VARIABLES;
type Env = Readonly<Record<string, string | undefined>>;

/** Sender notices, as configured. */
export interface NoticeConfig {
  /** SENDER_NOTICES: notices are sent at all. When false, nothing below is used. */
  readonly enabled: boolean;
  /** The skip reasons that get a notice. */
  readonly reasons: ReadonlySet<NoticeReason>;
  /** The most notices in one clock hour (UTC). */
  readonly perHour: number;
  /** The notices table; `null` when notices are off. */
  readonly table: string | null;
  /** A directory of templates overriding the shipped ones; `null`: the shipped ones. */
  readonly templatesDir: string | null;
}

function value(env: Env, name: Variable): string | undefined {
  const raw = env[name]?.trim();
  return raw === '' ? undefined : raw;
}

function enabled(env: Env): boolean {
  const raw = value(env, 'SENDER_NOTICES')?.toLowerCase();
  if (raw === undefined || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError('SENDER_NOTICES', NOTICE_CONFIG_VARIABLES.SENDER_NOTICES, env.SENDER_NOTICES);
}

function reasons(env: Env): Set<NoticeReason> {
  const raw = value(env, 'SENDER_NOTICE_REASONS');
  if (raw === undefined) return new Set(NOTICE_REASON_NAMES);
  const chosen = new Set<NoticeReason>();
  for (const item of raw.split(',').map((r) => r.trim().toLowerCase()).filter(Boolean)) {
    if (!isNoticeReason(item)) throw new ConfigError('SENDER_NOTICE_REASONS', `${NOTICE_CONFIG_VARIABLES.SENDER_NOTICE_REASONS}; "${item}" is not one`, raw);
    chosen.add(item);
  }
  return chosen;
}

function perHour(env: Env): number {
  const raw = value(env, 'SENDER_NOTICES_PER_HOUR');
  if (raw === undefined) return DEFAULT_NOTICES_PER_HOUR;
  const number = Number(raw);
  if (!/^\d+$/.test(raw) || number < 1 || number > MAX_NOTICES_PER_HOUR) throw new ConfigError('SENDER_NOTICES_PER_HOUR', NOTICE_CONFIG_VARIABLES.SENDER_NOTICES_PER_HOUR, raw);
  return number;
}

/**
 * Reads the notice variables. Throws a `ConfigError` naming the first bad one; NOTICES_TABLE is
 * required only when SENDER_NOTICES=true.
 */
export function loadNoticeConfig(env: Env): NoticeConfig {
  const on = enabled(env);
  const config = { enabled: on, reasons: reasons(env), perHour: perHour(env), templatesDir: value(env, 'SENDER_NOTICE_TEMPLATES') ?? null };
  if (!on) return Object.freeze({ ...config, table: null });
  const table = value(env, 'NOTICES_TABLE');
  if (table === undefined) throw new ConfigError('NOTICES_TABLE', NOTICE_CONFIG_VARIABLES.NOTICES_TABLE);
  return Object.freeze({ ...config, table });
}
