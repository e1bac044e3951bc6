/**
 * The closed set of things that can happen to one inbound mail.
 *
 * Everything that reports an outcome — the metrics, the alarm, the dashboard, the README's runbook
 * table, the local run and the tests — reads these tables; no reason is spelled anywhere else.
 */

/** What an operator is told about one skip reason. */
export interface SkipReasonInfo {
  /** What happened to the mail, in one sentence. */
  readonly description: string;
  /** What the operator should do about it. */
  readonly action: string;
}

/**
 * Every reason a mail can be skipped for. A skipped mail is never lost: its raw object stays in S3,
 * tagged with the reason, and its ledger entry records the reason so it can be replayed.
 */
export const SKIP_REASONS = {
  'no-ticket-ref': {
    description:
      'Update-only mailbox: the mail names no ticket (no subject tag, no known In-Reply-To/References).',
    action:
      'Usually a new request sent to an update-only address. Reply to the sender or open the ticket by hand, then replay.',
  },
  'ticket-not-found': {
    description:
      'Update-only mailbox: the mail names a ticket (subject tag or thread) that does not exist, or whose merge chain is broken.',
    action:
      'Check the ticket id in the subject; if the ticket was deleted or lives in another helpdesk, nothing to do. Otherwise create it and replay.',
  },
  duplicate: {
    description:
      'A mail with this Message-ID was already handled from another stored object (sent twice, or delivered to two addresses).',
    action: 'None: the first copy was applied. Investigate only if the count spikes (a mail loop).',
  },
  'no-mailbox': {
    description: 'No recipient matches a configured mailbox and no DEFAULT_QUEUE is set.',
    action: 'Add the address to MAILBOXES (or set DEFAULT_QUEUE), redeploy, then replay.',
  },
  empty: {
    description: 'The stored object has zero bytes or no header section.',
    action: 'None for a stray object; if many, check what writes into the inbound prefix.',
  },
  malformed: {
    description: 'The MIME parser could not make sense of the mail.',
    action: 'Inspect the raw object (tagged in S3); report a parser bug with the file if it looks like valid mail.',
  },
  'too-large': {
    description: 'The raw mail is larger than MAX_MAIL_BYTES (default 40 MiB, the most SES accepts); it was not read.',
    action: 'Raise MAX_MAIL_BYTES (and the function\'s memory and timeout) if such mail is legitimate, then replay.',
  },
  'object-missing': {
    description: 'The S3 object named by the event no longer exists, so there is nothing to read.',
    action: 'Check lifecycle rules and who deletes from the inbound prefix; the mail cannot be recovered from here.',
  },
} as const satisfies Record<string, SkipReasonInfo>;

/** The reason a mail was skipped: one of {@link SKIP_REASONS}. */
export type SkipReason = keyof typeof SKIP_REASONS;

/** All skip reasons, in table order. */
export const SKIP_REASON_NAMES = Object.keys(SKIP_REASONS) as SkipReason[];

/** Every outcome one mail can end with, and what it means. */
export const OUTCOMES = {
  followup: 'Added as a follow-up to an existing ticket (a closed or resolved ticket is reopened).',
  created: 'Opened a new ticket (create mode, and no existing ticket was referenced).',
  skipped: 'Kept in S3 and the ledger with a skip reason; nothing was written to a ticket.',
  retry: 'A transient infrastructure error: the platform delivers the mail again.',
} as const;

/** One of {@link OUTCOMES}. */
export type OutcomeKind = keyof typeof OUTCOMES;

/** What happened to one mail, as the pipeline reports it. */
export type MailOutcome =
  | { readonly kind: 'followup'; readonly ticketId: number; readonly followupId: string; readonly reopened: boolean }
  | { readonly kind: 'created'; readonly ticketId: number; readonly followupId: string }
  | { readonly kind: 'skipped'; readonly reason: SkipReason; readonly detail: string; readonly ticketId?: number }
  | { readonly kind: 'retry'; readonly error: string };

/** Type guard for untrusted strings (CLI flags, stored ledger entries). */
export function isSkipReason(value: unknown): value is SkipReason {
  return typeof value === 'string' && Object.hasOwn(SKIP_REASONS, value);
}
