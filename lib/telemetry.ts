/**
 * Names of the CloudWatch metrics the gateway emits (Embedded Metric Format, via Powertools).
 * The alarm and the dashboard in `infra/` must name exactly these; a test on the packaged template
 * imports them from here.
 */

/** CloudWatch namespace of every metric. */
export const METRICS_NAMESPACE = 'HelpdeskMailGateway';

/**
 * The default value of Powertools' `service` dimension, present on every metric. A deployed stack
 * sets `POWERTOOLS_SERVICE_NAME` to `<service>-<stage>` so that stages sharing an account keep
 * their metrics apart; the alarm names the same value.
 */
export const SERVICE_NAME = 'helpdesk-mail-gateway';

/** The dimension Powertools always adds. */
export const SERVICE_DIMENSION = 'service';

/** The dimension that carries the {@link SkipReason} on the per-reason form of `SkippedMessages`. */
export const SKIP_REASON_DIMENSION = 'reason';

/** The dimension that carries the `NoticeSuppression` on `NoticesSuppressed` (see `notices/notice-reasons.ts`). */
export const NOTICE_WHY_DIMENSION = 'why';

/** Metric names (all `Count`). */
export const METRIC_NAMES = {
  /** Every mail that reached a final outcome (follow-up, created or skipped). */
  processed: 'ProcessedMessages',
  followupsAdded: 'FollowupsAdded',
  ticketsCreated: 'TicketsCreated',
  /**
   * Skipped mail. Emitted twice in one EMF record: with dimensions `[service]` (the total) and
   * `[service, reason]` (what the dashboard breaks down, and the alarm sums for the reasons that page).
   */
  skipped: 'SkippedMessages',
  /** Mail handed back to the platform for another attempt. */
  retried: 'RetriedMessages',
  /** Sender notices SES accepted (SENDER_NOTICES). */
  noticesSent: 'NoticesSent',
  /**
   * Sender notices a skip called for but that were not sent, with dimensions `[service, why]`
   * (`NOTICE_SUPPRESSIONS`: a machine, an unauthenticated From, the 24-hour or hourly limit, a failure).
   */
  noticesSuppressed: 'NoticesSuppressed',
} as const;
