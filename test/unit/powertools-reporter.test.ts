/**
 * The outcome reporter (lib/adapters/powertools-reporter.ts) with the real Powertools Logger and
 * Metrics, outcome by outcome: the log line an operator reads (level, message, fields) and the EMF
 * metrics the dashboard and the skip alarm read. observability.test.ts checks the same through the
 * whole handler for a few outcomes; here every branch is pinned.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsOutcomeReporter } from '../../lib/adapters/powertools-reporter.js';
import type { MailReport } from '../../lib/pipeline/index.js';
import { METRICS_NAMESPACE, METRIC_NAMES, NOTICE_WHY_DIMENSION, SERVICE_DIMENSION, SKIP_REASON_DIMENSION } from '../../lib/telemetry.js';
import { emf, outputLines, type EmfRecord } from '../helpers/emf-output.js';

const SERVICE = 'helpdesk-mail-gateway-test';
const location = { bucket: 'mail', key: 'inbound/m1' };

afterEach(() => vi.unstubAllEnvs());

/** Reports `reports` through a fresh reporter and flushes: the JSON lines written. */
async function reported(...reports: MailReport[]): Promise<Record<string, unknown>[]> {
  vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  vi.stubEnv('POWERTOOLS_DEV', '');
  return outputLines(async () => {
    const reporter = new PowertoolsOutcomeReporter(new Logger({ serviceName: SERVICE }), new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE }));
    for (const report of reports) reporter.report(report);
    reporter.flush();
  });
}

const report = (outcome: MailReport['outcome'], extra: Partial<MailReport> = {}): MailReport => ({ location, messageId: 'm1@example.org', outcome, redelivered: false, ...extra });

/** The metric values in the records, summed by name (EMF keeps repeated values of a metric as an array). */
function counts(records: readonly EmfRecord[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const record of records) {
    for (const { Metrics: metrics } of record._aws.CloudWatchMetrics) {
      for (const { Name } of metrics) for (const value of [record[Name]].flat()) sums[Name] = (sums[Name] ?? 0) + Number(value);
    }
  }
  return sums;
}

const context = { messageId: 'm1@example.org', bucket: 'mail', s3Key: 'inbound/m1' };

describe('the outcome reporter', () => {
  it('logs a follow-up at INFO and counts it processed and added', async () => {
    const lines = await reported(report({ kind: 'followup', ticketId: 42, followupId: 'f1', reopened: true }));
    expect(lines.find((l) => !('_aws' in l))).toMatchObject({ level: 'INFO', message: 'follow-up added', ...context, outcome: 'followup', ticketId: 42, followupId: 'f1', reopened: true, service: SERVICE });
    expect(counts(emf(lines))).toEqual({ [METRIC_NAMES.processed]: 1, [METRIC_NAMES.followupsAdded]: 1 });
    expect(emf(lines)[0]).toMatchObject({ [SERVICE_DIMENSION]: SERVICE, _aws: { CloudWatchMetrics: [{ Namespace: METRICS_NAMESPACE, Dimensions: [[SERVICE_DIMENSION]] }] } });
  });

  it('logs a new ticket at INFO and counts it processed and created', async () => {
    const lines = await reported(report({ kind: 'created', ticketId: 7, followupId: 'f7' }));
    expect(lines.find((l) => !('_aws' in l))).toMatchObject({ level: 'INFO', message: 'ticket created', ...context, outcome: 'created', ticketId: 7 });
    expect(counts(emf(lines))).toEqual({ [METRIC_NAMES.processed]: 1, [METRIC_NAMES.ticketsCreated]: 1 });
  });

  it('logs a skip at WARN with its reason and detail, counts it processed, and skipped with and without the reason', async () => {
    const lines = await reported(report({ kind: 'skipped', reason: 'ticket-not-found', detail: 'no ticket 9', ticketId: 9 }), report({ kind: 'skipped', reason: 'no-ticket-ref', detail: 'none' }));
    const warns = lines.filter((l) => l.level === 'WARN');
    expect(warns).toEqual([
      expect.objectContaining({ message: 'mail skipped', ...context, outcome: 'skipped', reason: 'ticket-not-found', detail: 'no ticket 9', ticketId: 9 }),
      expect.objectContaining({ message: 'mail skipped', reason: 'no-ticket-ref' }),
    ]);
    // A skip that names no ticket logs none (the logger leaves a null field out).
    expect(warns[1]).not.toHaveProperty('ticketId');
    const skips = emf(lines).filter((l) => METRIC_NAMES.skipped in l);
    expect(skips.map((s) => s[SKIP_REASON_DIMENSION])).toEqual(['ticket-not-found', 'no-ticket-ref']);
    for (const skip of skips) {
      expect(skip._aws.CloudWatchMetrics).toEqual([
        { Namespace: METRICS_NAMESPACE, Dimensions: [[SERVICE_DIMENSION], [SERVICE_DIMENSION, SKIP_REASON_DIMENSION]], Metrics: [{ Name: METRIC_NAMES.skipped, Unit: 'Count' }] },
      ]);
      expect(skip).toMatchObject({ [SERVICE_DIMENSION]: SERVICE, [METRIC_NAMES.skipped]: 1 });
    }
    expect(counts(emf(lines))).toEqual({ [METRIC_NAMES.processed]: 2, [METRIC_NAMES.skipped]: 2 });
  });

  it('logs a retry at ERROR with the error in full (or the outcome text), and counts it retried only', async () => {
    const error = Object.assign(new Error('GetObject raw mail failed: SlowDown'), { name: 'TransientError' });
    const lines = await reported(report({ kind: 'retry', error: 'as text' }, { error }), report({ kind: 'retry', error: 'as text only' }));
    const errors = lines.filter((l) => l.level === 'ERROR');
    expect(errors).toHaveLength(2);
    expect(errors[0]).toMatchObject({ message: 'mail will be retried', ...context, outcome: 'retry', error: { name: 'TransientError', message: 'GetObject raw mail failed: SlowDown' } });
    expect(errors[1]).toMatchObject({ message: 'mail will be retried', error: 'as text only' });
    expect(counts(emf(lines))).toEqual({ [METRIC_NAMES.retried]: 2 });
  });

  it('logs a redelivered mail at INFO with what was recorded, and counts nothing', async () => {
    const outcome = { kind: 'followup', ticketId: 42, followupId: 'f1', reopened: false } as const;
    const lines = await reported(report(outcome, { redelivered: true }));
    expect(lines).toEqual([expect.objectContaining({ level: 'INFO', message: 'mail was already handled; nothing new written', ...context, recorded: outcome })]);
  });

  it('counts a sender notice sent, and one not sent by why, logging a failure at ERROR and a suppression at INFO', async () => {
    const skipped = { kind: 'skipped', reason: 'no-ticket-ref', detail: 'none' } as const;
    const lines = await reported(
      report(skipped, { notice: { kind: 'sent', reason: 'no-ticket-ref', to: 'bob@example.org', detail: 'first' } }),
      report(skipped, { notice: { kind: 'sent', reason: 'no-ticket-ref', to: 'carol@example.org' } }),
      report(skipped, { notice: { kind: 'suppressed', reason: 'no-ticket-ref', why: 'failed', detail: 'SES refused' } }),
      report(skipped, { notice: { kind: 'suppressed', reason: 'no-ticket-ref', why: 'recently-noticed' } }),
      // A redelivery that sends the notice an earlier attempt did not get to: counted, though the mail is not.
      report(skipped, { redelivered: true, notice: { kind: 'sent', reason: 'no-ticket-ref', to: 'dave@example.org' } }),
    );
    const sent = lines.filter((l) => l.message === 'sender notice sent');
    expect(sent).toEqual([
      expect.objectContaining({ level: 'INFO', ...context, noticeReason: 'no-ticket-ref', to: 'bob@example.org', detail: 'first' }),
      expect.objectContaining({ to: 'carol@example.org' }),
      expect.objectContaining({ to: 'dave@example.org' }),
    ]);
    expect(sent[1]).not.toHaveProperty('detail');
    const notSent = lines.filter((l) => l.message === 'sender notice not sent');
    expect(notSent).toEqual([
      expect.objectContaining({ level: 'ERROR', noticeReason: 'no-ticket-ref', why: 'failed', detail: 'SES refused' }),
      expect.objectContaining({ level: 'INFO', why: 'recently-noticed' }),
    ]);
    expect(notSent[1]).not.toHaveProperty('detail');
    const suppressed = emf(lines).filter((l) => METRIC_NAMES.noticesSuppressed in l);
    expect(suppressed.map((s) => s[NOTICE_WHY_DIMENSION])).toEqual(['failed', 'recently-noticed']);
    expect(suppressed[0]?._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([[SERVICE_DIMENSION, NOTICE_WHY_DIMENSION]]);
    expect(counts(emf(lines))).toMatchObject({ [METRIC_NAMES.noticesSent]: 3, [METRIC_NAMES.noticesSuppressed]: 2, [METRIC_NAMES.processed]: 4, [METRIC_NAMES.skipped]: 4 });
  });

  it('publishes nothing when nothing was counted', () => {
    const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE });
    const publish = vi.spyOn(metrics, 'publishStoredMetrics');
    const reporter = new PowertoolsOutcomeReporter(new Logger({ serviceName: SERVICE, logLevel: 'SILENT' }), metrics);
    reporter.flush();
    expect(publish).not.toHaveBeenCalled();
    reporter.report(report({ kind: 'retry', error: 'x' }));
    reporter.flush();
    expect(publish).toHaveBeenCalledTimes(1);
  });
});
