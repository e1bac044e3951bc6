/**
 * The closed set of things that can happen to one inbound mail.
 *
 * Everything that reports an outcome — the metrics, the alarm, the dashboard, the README's runbook
 * table, the local run and the tests — reads these tables; no reason is spelled anywhere else.
 */

/**
 * How far the gateway got with a skipped mail before deciding: `no` (nothing was read), `failed`
 * (reading or storing it failed), `yes` (it was read and decided on). A replay replaces a skip only
 * with an outcome that got further (see `replaceableSkipReasons` in ledger-outcomes.ts), so that it
 * never trades what an entry knows for less.
 */
export type ReadDepth = 'no' | 'failed' | 'yes';

/** What an operator is told about one skip reason. */
export interface SkipReasonInfo {
  /** What happened to the mail, in one sentence. */
  readonly description: string;
  /** What the operator should do about it. */
  readonly action: string;
  /** How far the mail was read (see {@link ReadDepth}). */
  readonly read: ReadDepth;
  /**
   * Whether the skipped-mail alarm pages for it: a person can and should act (a ticket to create, a
   * mailbox to configure, a sender to let in, a limit to raise). Spam, auto-replies, bounces,
   * duplicates and loops stay on the dashboard and page nobody.
   */
  readonly pages: boolean;
  /**
   * Whether the gateway reads the mail's body once its plan decided on this reason. `false` for the
   * reasons the header block decides on its own (the screening's verdicts, the routing, the
   * references, the sender): the parse and the S3 read stop at the header block, nothing of the
   * body is decoded or checksummed, and the skip's fingerprint covers the header block only
   * (`content-fingerprint.ts`). `true` where the body counts (a bounce's report parts, a
   * duplicate's content) and for the reasons no plan decides (they come from reading itself).
   */
  readonly readsBody: boolean;
}

/**
 * Every reason a mail can be skipped for. A skipped mail is never lost: its raw object stays in S3,
 * tagged with the reason, and its ledger entry records the reason so it can be replayed.
 */
export const SKIP_REASONS = {
  virus: {
    description: 'SES found a virus (receipt or X-SES-Virus-Verdict: FAIL). The raw mail was moved to the quarantine prefix, which nothing reads.',
    action: 'Nothing to apply. Inspect the quarantined object only with care; tell the sender if the mail was expected.',
    read: 'yes',
    pages: false,
    readsBody: false,
  },
  bounce: {
    description: 'A bounce: a delivery status notification, or a mailer-daemon/postmaster mail with a bounce subject or X-Failed-Recipients. The ledger records the failed recipients and the bounced Message-ID, and its ticket when the helpdesk sent it.',
    action: 'Check the failed recipient on the ticket named in the ledger entry (a mistyped address, a mailbox that is gone).',
    read: 'yes',
    pages: false,
    readsBody: true,
  },
  loop: {
    description: 'Mail from one of our own mailbox addresses, or carrying our loop header (LOOP_HEADER) or an X-Loop with our address.',
    action: 'Look for a forwarding rule or autoresponder that sends the helpdesk its own mail; fix it at the source.',
    read: 'yes',
    pages: false,
    readsBody: false,
  },
  'auto-reply': {
    description: 'Machine-sent mail: Auto-Submitted, Precedence bulk/junk/list/auto_reply, X-Autoreply/X-Autorespond, an out-of-office subject, or a mailer-daemon/postmaster/no-reply sender.',
    action: 'Usually none (out-of-office replies to notifications). Set SKIP_AUTO_REPLIES=false if a sender you need is misjudged, then replay.',
    read: 'yes',
    pages: false,
    readsBody: false,
  },
  spam: {
    description: 'SES judged the mail spam (receipt or X-SES-Spam-Verdict: FAIL).',
    action: 'None for real spam. For a false positive, set SKIP_SPAM=false or ask the sender to fix SPF/DKIM, then replay.',
    read: 'yes',
    pages: false,
    readsBody: false,
  },
  'dmarc-fail': {
    description: 'The sender domain failed DMARC under a reject or quarantine policy (or, from the headers alone, under DMARC_FAIL_WITHOUT_POLICY=skip).',
    action: 'Likely forged. If the sender is genuine, their domain must fix SPF/DKIM alignment; replay after checking the mail.',
    read: 'yes',
    pages: false,
    readsBody: false,
  },
  'bad-reply-token': {
    description: 'The mail was sent to a signed reply address (local+ticket.mac@domain) whose signature does not match that ticket.',
    action: 'Likely a guessed or altered address. If many, check that REPLY_TOKEN_SECRET matches the one the helpdesk signs with.',
    read: 'yes',
    pages: false,
    readsBody: false,
  },
  'sender-not-allowed': {
    description: 'Strict sender policy: the mail reaches a ticket only by references a sender can write (subject tag, thread), and its From address, compared in canonical form, is not the submitter, a CC, or an agent.',
    action: 'If the sender is genuine, add them to the ticket CCs (or AGENT_ADDRESSES), then replay with --ticket N.',
    read: 'yes',
    pages: true,
    readsBody: false,
  },
  'sender-unverified': {
    description: 'Strict sender policy with SENDER_AUTHENTICATION=required: the From is a participant or agent, but SES did not authenticate it (no DMARC pass, no DKIM or SPF pass aligned with the From domain), so it may be forged.',
    action: 'Check the raw mail\'s SES headers in S3. If it is genuine, the sender\'s domain must publish DMARC or sign with DKIM; to accept it now, add its text by hand (or replay with SENDER_AUTHENTICATION=off in the replaying environment).',
    read: 'yes',
    pages: true,
    readsBody: false,
  },
  'no-ticket-ref': {
    description:
      'Update-only mailbox: the mail names no ticket (no subject tag, no known In-Reply-To/References).',
    action:
      'Usually a new request sent to an update-only address. Reply to the sender or open the ticket by hand, then replay.',
    read: 'yes',
    pages: true,
    readsBody: false,
  },
  'ticket-not-found': {
    description:
      'Update-only mailbox: the mail names a ticket (subject tag or thread) that does not exist, or whose merge chain is broken.',
    action:
      'Check the ticket id in the subject; if the ticket was deleted or lives in another helpdesk, nothing to do. Otherwise create it and replay.',
    read: 'yes',
    pages: true,
    readsBody: false,
  },
  duplicate: {
    description:
      'A mail with this Message-ID was already handled from another stored object (sent twice, or delivered to two addresses).',
    action: 'None: the first copy was applied. Investigate only if the count spikes (a mail loop).',
    read: 'yes',
    pages: false,
    readsBody: true,
  },
  'no-mailbox': {
    description: 'No recipient matches a configured mailbox and no DEFAULT_QUEUE is set.',
    action: 'Add the address to MAILBOXES (or set DEFAULT_QUEUE), redeploy, then replay.',
    read: 'yes',
    pages: true,
    readsBody: false,
  },
  empty: {
    description: 'The stored object has zero bytes or no header section.',
    action: 'None for a stray object; if many, check what writes into the inbound prefix.',
    read: 'failed',
    pages: false,
    readsBody: true,
  },
  malformed: {
    description: 'The MIME parser could not make sense of the mail.',
    action: 'Inspect the raw object (tagged in S3); report a parser bug with the file if it looks like valid mail.',
    read: 'failed',
    pages: true,
    readsBody: true,
  },
  'too-large': {
    description: 'The raw mail is larger than MAX_MAIL_BYTES (default 40 MiB, the most SES accepts); it was not read.',
    action: 'Raise MAX_MAIL_BYTES (and the function\'s memory and timeout) if such mail is legitimate, then replay.',
    read: 'no',
    pages: true,
    readsBody: true,
  },
  unstorable: {
    description:
      'AWS refused to store what the mail became (DynamoDB ValidationException, e.g. an item over 400 KB; S3 KeyTooLongError, MetadataTooLarge, InvalidArgument; a header value Node cannot send). Retrying the same mail cannot help; the AWS error is in the detail.',
    action: 'A gap in the gateway\'s caps on stored fields: report it with the raw object and the detail, then replay after the fix.',
    read: 'failed',
    pages: true,
    readsBody: true,
  },
  'no-submitter': {
    description: 'Create mode: the mail names no usable submitter (no From, Reply-To or Sender with exactly one comparable address, or a From that cannot be compared or appears twice), so no ticket was opened.',
    action: 'Inspect the raw mail. A form or shop mailer should put the customer in Reply-To; otherwise open the ticket by hand, then replay with --ticket N.',
    read: 'yes',
    pages: false,
    readsBody: false,
  },
  'object-missing': {
    description: 'The S3 object named by the event no longer exists, so there is nothing to read.',
    action: 'Check lifecycle rules and who deletes from the inbound prefix; the mail cannot be recovered from here.',
    read: 'no',
    pages: true,
    readsBody: true,
  },
} as const satisfies Record<string, SkipReasonInfo>;

/** The reason a mail was skipped: one of {@link SKIP_REASONS}. */
export type SkipReason = keyof typeof SKIP_REASONS;

/** All skip reasons, in table order. */
export const SKIP_REASON_NAMES = Object.keys(SKIP_REASONS) as SkipReason[];

/** The skip reasons the skipped-mail alarm counts (`pages`), in table order. */
export const PAGING_SKIP_REASONS = SKIP_REASON_NAMES.filter((reason) => SKIP_REASONS[reason].pages);

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
