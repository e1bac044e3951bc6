/**
 * Starts the local gateway (dynalite + s3rver in this process, real handler module) for one test
 * file, and stops it afterwards.
 */
import { afterAll, beforeAll } from 'vitest';
import { startLocalGateway, type LocalGateway, type LocalGatewayOptions } from '../../lib/local/local-gateway.js';
import type { TicketSeed } from '../../lib/local/seed.js';
import { LocalAws } from './local-aws.js';

/** Tickets most integration tests start from. */
export const SEED_TICKETS: TicketSeed[] = [
  { id: 42, queue: 'support', status: 'open', title: 'Printer jams', submitter: 'alice@example.com', cc: ['bob@example.com'] },
  { id: 43, queue: 'support', status: 'closed', title: 'VPN drops', submitter: 'carol@example.com', cc: [] },
  { id: 50, queue: 'support', status: 'resolved', title: 'Old issue', submitter: 'carol@example.com', cc: [] },
  { id: 44, queue: 'support', status: 'duplicate', title: 'Printer again', submitter: 'dave@example.com', cc: [], mergedInto: 42 },
  { id: 60, queue: 'support', status: 'duplicate', title: 'Merged away', submitter: 'dave@example.com', cc: [], mergedInto: 61 },
  { id: 7, queue: 'billing', status: 'open', title: 'Invoice', submitter: 'erin@example.org', cc: [] },
];

export interface GatewayFixture {
  readonly gateway: LocalGateway;
  readonly aws: LocalAws;
}

/**
 * Registers beforeAll/afterAll hooks that run a fresh gateway for this file. Logs and metrics are
 * silenced unless the options' env turns them on.
 */
export function useGateway(options: Partial<LocalGatewayOptions> = {}): GatewayFixture {
  let gateway: LocalGateway | undefined;
  let aws: LocalAws | undefined;
  beforeAll(async () => {
    gateway = await startLocalGateway({
      mode: 'update-only',
      tickets: SEED_TICKETS,
      ...options,
      env: async (stack) => ({
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
        ...(typeof options.env === 'function' ? await options.env(stack) : options.env),
      }),
    });
    aws = new LocalAws(gateway);
  });
  afterAll(async () => {
    aws?.destroy();
    await gateway?.stop();
  });
  return {
    get gateway() {
      if (!gateway) throw new Error('the gateway is not running');
      return gateway;
    },
    get aws() {
      if (!aws) throw new Error('the gateway is not running');
      return aws;
    },
  };
}
