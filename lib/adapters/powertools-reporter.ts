/** Reports each mail's outcome as a structured log line and EMF metrics, with Powertools. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { MailReport } from '../pipeline/index.js';
import { METRIC_NAMES, NOTICE_WHY_DIMENSION, SKIP_REASON_DIMENSION } from '../telemetry.js';

/** Where the handler sends every {@link MailReport}. */
export interface OutcomeReporter {
  report(report: MailReport): void;
  /** Publishes what was buffered; called once per invocation. */
  flush(): void;
}

export class PowertoolsOutcomeReporter implements OutcomeReporter {
  constructor(
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  report(report: MailReport): void {
    const { outcome, location } = report;
    const context = { messageId: report.messageId, bucket: location.bucket, s3Key: location.key, outcome: outcome.kind };
    // A redelivery may send the notice an earlier attempt did not get to: counted whenever it happens.
    this.reportNotice(report, context);
    if (report.redelivered) {
      this.logger.info('mail was already handled; nothing new written', { ...context, recorded: outcome });
      return;
    }
    switch (outcome.kind) {
      case 'followup':
        this.count(METRIC_NAMES.processed, METRIC_NAMES.followupsAdded);
        this.logger.info('follow-up added', { ...context, ticketId: outcome.ticketId, followupId: outcome.followupId, reopened: outcome.reopened });
        return;
      case 'created':
        this.count(METRIC_NAMES.processed, METRIC_NAMES.ticketsCreated);
        this.logger.info('ticket created', { ...context, ticketId: outcome.ticketId });
        return;
      case 'skipped': {
        this.count(METRIC_NAMES.processed);
        const single = this.metrics.singleMetric();
        single.addDimensions({});
        single.addDimensions({ [SKIP_REASON_DIMENSION]: outcome.reason });
        single.addMetric(METRIC_NAMES.skipped, MetricUnit.Count, 1);
        this.logger.warn('mail skipped', { ...context, reason: outcome.reason, detail: outcome.detail, ticketId: outcome.ticketId ?? null });
        return;
      }
      case 'retry':
        this.count(METRIC_NAMES.retried);
        this.logger.error('mail will be retried', { ...context, error: report.error instanceof Error ? report.error : outcome.error });
        return;
    }
  }

  private reportNotice(report: MailReport, context: Record<string, unknown>): void {
    const { notice } = report;
    if (!notice) return;
    if (notice.kind === 'sent') {
      this.count(METRIC_NAMES.noticesSent);
      this.logger.info('sender notice sent', { ...context, noticeReason: notice.reason, to: notice.to, ...(notice.detail ? { detail: notice.detail } : {}) });
      return;
    }
    const single = this.metrics.singleMetric();
    single.addDimensions({ [NOTICE_WHY_DIMENSION]: notice.why });
    single.addMetric(METRIC_NAMES.noticesSuppressed, MetricUnit.Count, 1);
    const log = notice.why === 'failed' ? this.logger.error.bind(this.logger) : this.logger.info.bind(this.logger);
    log('sender notice not sent', { ...context, noticeReason: notice.reason, why: notice.why, ...(notice.detail ? { detail: notice.detail } : {}) });
  }

  flush(): void {
    if (this.metrics.hasStoredMetrics()) this.metrics.publishStoredMetrics();
  }

  private count(...names: string[]): void {
    for (const name of names) this.metrics.addMetric(name, MetricUnit.Count, 1);
  }
}
