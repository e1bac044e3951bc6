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
} as const;
