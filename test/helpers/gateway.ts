/**
 * Starts the local gateway (dynalite + s3rver in this process, real handler module) for one test
 * file, and stops it afterwards.
 */
import { afterAll, beforeAll } from 'vitest';
import { startFaultProxy, type FaultPlan, type FaultProxy } from './fault-proxy.js';
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

/** A gateway whose DynamoDB and S3 are reached through fault proxies, and the proxies. */
export interface FaultyGatewayFixture extends GatewayFixture {
  /** Sets the fault plan of both proxies. */
  usePlan(plan: FaultPlan): void;
  /** Faults injected so far, by kind, over both proxies; and requests seen. */
  stats(): { requests: number; faults: Record<string, number> };
}

/**
 * A gateway (an update-only support@ and a create new@ mailbox) behind fault proxies, with the
 * SDK making at most `maxAttempts` attempts per call.
 */
export function useGatewayBehindFaultProxies(options: { tickets: TicketSeed[]; maxAttempts: number; env?: Readonly<Record<string, string>> }): FaultyGatewayFixture {
  const proxies: FaultProxy[] = [];
  const fixture = useGateway({
    mode: 'update-only',
    tickets: options.tickets,
    env: async (stack) => {
      const s3 = await startFaultProxy('s3', stack.env.AWS_ENDPOINT_URL_S3 as string);
      const dynamodb = await startFaultProxy('dynamodb', stack.env.AWS_ENDPOINT_URL_DYNAMODB as string);
      proxies.push(s3, dynamodb);
      return {
        AWS_ENDPOINT_URL_S3: s3.url,
        AWS_ENDPOINT_URL_DYNAMODB: dynamodb.url,
        AWS_MAX_ATTEMPTS: String(options.maxAttempts),
        MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create',
        ...options.env,
      };
    },
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
  });
  return {
    get gateway() {
      return fixture.gateway;
    },
    get aws() {
      return fixture.aws;
    },
    usePlan(plan) {
      for (const proxy of proxies) proxy.plan = plan;
    },
    stats() {
      const faults: Record<string, number> = {};
      let requests = 0;
      for (const proxy of proxies) {
        requests += proxy.stats.requests;
        for (const [kind, count] of Object.entries(proxy.stats.faults)) faults[kind] = (faults[kind] ?? 0) + count;
      }
      return { requests, faults };
    },
  };
}
