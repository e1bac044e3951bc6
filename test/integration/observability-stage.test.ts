/**
 * The metrics of a deployed stage: the stack sets POWERTOOLS_SERVICE_NAME to `<service>-<stage>`,
 * and the skipped-mail alarm watches that `service` dimension (stack-template.test.ts checks the
 * alarm's side), so every metric the handler emits must carry it. And a new ticket is counted as
 * TicketsCreated, never as a follow-up. Through the real handler, its EMF output read from stdout.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRIC_NAMES, SERVICE_DIMENSION, SERVICE_NAME, SKIP_REASON_DIMENSION } from '../../lib/telemetry.js';
import { emf, outputLines } from '../helpers/emf-output.js';
import { useGateway } from '../helpers/gateway.js';
import { composeMail, newMessageId } from '../helpers/mail.js';

const STAGE_SERVICE = `${SERVICE_NAME}-prod`;

const fixture = useGateway({
  mode: 'create',
  env: { POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_SERVICE_NAME: STAGE_SERVICE },
});

afterEach(() => vi.restoreAllMocks());

/** The metric values the EMF records of `lines` carry, summed by name, with the service each was emitted under. */
function counted(lines: readonly Record<string, unknown>[]) {
  const totals: Record<string, number> = {};
  const services = new Set<unknown>();
  for (const record of emf(lines)) {
    services.add(record[SERVICE_DIMENSION]);
    for (const { Name } of record._aws.CloudWatchMetrics.flatMap((m) => m.Metrics)) totals[Name] = (totals[Name] ?? 0) + Number(record[Name]);
  }
  return { totals, services: [...services] };
}

describe('metrics of a deployed stage', () => {
  it('counts a new ticket as TicketsCreated, not as FollowupsAdded, under the stage\'s service dimension', async () => {
    const lines = await outputLines(() => fixture.gateway.deliver('stage-new.eml', composeMail({ messageId: newMessageId('stage-new'), subject: 'A new problem' })));
    const { totals, services } = counted(lines);
    expect(totals).toEqual({ [METRIC_NAMES.processed]: 1, [METRIC_NAMES.ticketsCreated]: 1 });
    expect(services).toEqual([STAGE_SERVICE]);
    expect(lines.find((l) => l.message === 'ticket created')).toMatchObject({ level: 'INFO', service: STAGE_SERVICE });
  });

  it('counts a follow-up as FollowupsAdded, not as TicketsCreated', async () => {
    const lines = await outputLines(() => fixture.gateway.deliver('stage-followup.eml', composeMail({ subject: 'Re: [support-42] more' })));
    expect(counted(lines)).toEqual({ totals: { [METRIC_NAMES.processed]: 1, [METRIC_NAMES.followupsAdded]: 1 }, services: [STAGE_SERVICE] });
  });

  it('counts a skip, with its reason, under the service dimension the alarm watches', async () => {
    // Mail to a create mailbox is opened as a ticket; a bounce is a skip in any mode.
    const bounce = composeMail({ from: 'MAILER-DAEMON@mx.example.net', subject: 'Undelivered Mail Returned to Sender' });
    const lines = await outputLines(() => fixture.gateway.deliver('stage-skip.eml', bounce));
    const skipped = emf(lines).find((l) => METRIC_NAMES.skipped in l);
    expect(skipped).toMatchObject({ [SERVICE_DIMENSION]: STAGE_SERVICE, [SKIP_REASON_DIMENSION]: 'bounce', [METRIC_NAMES.skipped]: 1 });
    expect(counted(lines).services).toEqual([STAGE_SERVICE]);
  });
});
