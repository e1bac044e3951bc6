/**
 * What the tests of the pipeline's stages share (apply-, commit-, plan-stage, notice-facts,
 * reused-message-id): the pipeline's ports over the real AWS adapters, under the gateway's
 * configuration; a mail stored as SES stores it; a ticket of the test's own; and the crash of an
 * attempt at its ticket write.
 */
import { randomBytes } from 'node:crypto';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import type { AwsClients } from '../../lib/adapters/aws-clients.js';
import { loadConfig } from '../../lib/config.js';
import type { MailLocation } from '../../lib/ledger-entry.js';
import type { PipelineDeps } from '../../lib/pipeline/index.js';
import type { TicketStore } from '../../lib/ports.js';
import { useAwsClients } from './aws-clients.js';
import type { GatewayFixture } from './gateway.js';
import { freshTicketId } from './local-aws.js';

export interface StageRun {
  /** The gateway's own clients (observed), made for this file and closed after it. */
  readonly clients: AwsClients;
  /** The pipeline's ports over the real adapters, under the gateway's configuration with `env` laid over it. */
  deps(env?: Readonly<Record<string, string>>): PipelineDeps;
  /** Stores `raw` as SES would, under a key of the inbound prefix no other test uses (`inbound/<name>-<random>.eml`), and answers where. */
  store(name: string, raw: string | Buffer): Promise<MailLocation>;
  /** Puts an open ticket of a fresh id, submitted by `submitter` (by default alice@example.com, who may write into it), and answers its id. */
  ownTicket(submitter?: string): Promise<number>;
}

/**
 * Registers the hooks of {@link useAwsClients} and answers the file's {@link StageRun}. Call it
 * after `useGateway()`: the clients and the configuration read the environment the gateway sets in
 * its own beforeAll.
 */
export function useStageRun(fixture: GatewayFixture): StageRun {
  const clients = useAwsClients();
  return {
    clients,
    deps: (env = {}) => awsPipelineDeps(loadConfig({ ...process.env, ...env }), clients, null),
    async store(name, raw) {
      const key = `inbound/${name}-${randomBytes(6).toString('hex')}.eml`;
      await fixture.gateway.store(key, raw);
      return { bucket: fixture.gateway.stack.names.bucket, key };
    },
    async ownTicket(submitter = 'alice@example.com') {
      const id = freshTicketId();
      await fixture.aws.putTicket({ id, status: 'open', submitter });
      return id;
    },
  };
}

/**
 * `deps` with a ticket write that never answers: an attempt that "dies" after claiming its key
 * (the Lambda timed out or crashed there); `reached` tells whether the attempt got that far. The
 * other ticket calls go to the real store.
 */
export function dyingAtTicketWrite(deps: PipelineDeps): { deps: PipelineDeps; reached: () => boolean } {
  let reached = false;
  const real = deps.tickets;
  const tickets: TicketStore = {
    get: (id) => real.get(id),
    allocateId: () => real.allocateId(),
    create: () => {
      reached = true;
      return new Promise<never>(() => undefined);
    },
    reopen: (id, at) => real.reopen(id, at),
    replaceCc: (id, expected, next, at) => real.replaceCc(id, expected, next, at),
  };
  return { deps: { ...deps, tickets }, reached: () => reached };
}
