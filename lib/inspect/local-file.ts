/**
 * `npm run inspect` on a mail file: the file is stored in the embedded stack's bucket as SES
 * would store it (with the headers SES adds, `ses-receipt.ts`, exactly as `npm start` delivers it),
 * and inspected there against the seeded tickets, with nothing written to the tables.
 */
import { createAwsClients, destroyAwsClients } from '../adapters/aws-clients.js';
import { loadReplyTokenKeys } from '../adapters/reply-token-secrets.js';
import { loadConfig } from '../config.js';
import { LOCAL_INBOUND_PREFIX, type LocalGateway } from '../local/local-gateway.js';
import { readOnlyPipelineContext } from './inspect-context.js';
import { inspectMail, type Inspection } from './inspect-mail.js';

/** Stores `raw` under the inbound prefix of the local gateway's bucket and inspects it (the gateway's environment is this process's). */
export async function inspectOnLocalGateway(gateway: LocalGateway, name: string, raw: Uint8Array): Promise<Inspection> {
  const key = `${LOCAL_INBOUND_PREFIX}inspect-${name.replace(/[/\\]/g, '_')}`;
  await gateway.store(key, raw);
  const config = loadConfig(process.env);
  const clients = createAwsClients(process.env);
  try {
    const ctx = readOnlyPipelineContext(config, clients, await loadReplyTokenKeys(config.replyTokenSecrets));
    return await inspectMail(ctx, { bucket: gateway.stack.names.bucket, key });
  } finally {
    destroyAwsClients(clients);
  }
}
