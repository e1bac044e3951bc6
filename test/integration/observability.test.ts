/**
 * What an operator sees: the WARN log line of a skip and the EMF metrics, as the real handler
 * writes them to stdout and stderr (both of which Lambda hands to CloudWatch Logs).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, METRIC_NAMES, SERVICE_DIMENSION, SERVICE_NAME, SKIP_REASON_DIMENSION } from '../../lib/telemetry.js';
import { emf, outputLines } from '../helpers/emf-output.js';
import { useGateway } from '../helpers/gateway.js';
import { composeMail, newMessageId, bare } from '../helpers/mail.js';

const fixture = useGateway({ mode: 'update-only', env: { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' } });

afterEach(() => vi.restoreAllMocks());

describe('observability of outcomes', () => {
  it('logs a skip at WARN with Message-ID, reason and S3 key, and counts it with and without the reason', async () => {
    const messageId = newMessageId('observed-skip');
    let key = '';
    const lines = await outputLines(async () => {
      key = (await fixture.gateway.deliver('observed.eml', composeMail({ messageId, subject: 'no tag' }))).location.key;
    });

    const warn = lines.find((l) => l.level === 'WARN');
    expect(warn).toMatchObject({ message: 'mail skipped', messageId: bare(messageId), reason: 'no-ticket-ref', s3Key: key, service: SERVICE_NAME });

    const skipped = emf(lines).find((l) => METRIC_NAMES.skipped in l);
    expect(skipped?._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [[SERVICE_DIMENSION], [SERVICE_DIMENSION, SKIP_REASON_DIMENSION]],
      Metrics: [{ Name: METRIC_NAMES.skipped, Unit: 'Count' }],
    });
    expect(skipped).toMatchObject({ [SERVICE_DIMENSION]: SERVICE_NAME, [SKIP_REASON_DIMENSION]: 'no-ticket-ref', [METRIC_NAMES.skipped]: 1 });
    expect(emf(lines).some((l) => l[METRIC_NAMES.processed] === 1)).toBe(true);
  });

  it('counts processed mail and follow-ups added', async () => {
    const lines = await outputLines(() => fixture.gateway.deliver('observed-followup.eml', composeMail({ subject: '[support-42] hi' })));
    const counts = emf(lines).find((l) => METRIC_NAMES.followupsAdded in l);
    expect(counts).toMatchObject({ [METRIC_NAMES.processed]: 1, [METRIC_NAMES.followupsAdded]: 1 });
    expect(counts?._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
    expect(lines.find((l) => l.message === 'follow-up added')).toMatchObject({ level: 'INFO', ticketId: 42 });
  });

  it('counts a retry and logs the error in full', async () => {
    const event = { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'no-such-bucket' }, object: { key: 'inbound/x' } } }] };
    const lines = await outputLines(() => fixture.gateway.handler(event).catch(() => undefined));
    expect(emf(lines).some((l) => l[METRIC_NAMES.retried] === 1)).toBe(true);
    const error = lines.find((l) => l.level === 'ERROR');
    expect(error).toMatchObject({ message: 'mail will be retried', s3Key: 'inbound/x' });
    expect(JSON.stringify(error?.error)).toContain('NoSuchBucket');
  });
});
