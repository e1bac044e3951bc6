/**
 * The pipeline context of a dry run: the gateway's configuration and AWS adapters, wrapped so that
 * every write throws (`read-only-ports.ts`), and no events or sender notices.
 */
import type { AwsClients } from '../adapters/aws-clients.js';
import { DynamoMessageLedger } from '../adapters/dynamodb-message-ledger.js';
import { DynamoPrefetcher } from '../adapters/dynamodb-prefetcher.js';
import { DynamoTicketStore } from '../adapters/dynamodb-ticket-store.js';
import { S3RawMailStore } from '../adapters/s3-raw-mail-store.js';
import type { GatewayConfig } from '../config.js';
import { createPipelineContext, type PipelineContext } from '../pipeline/context.js';
import type { ReplyTokenKeys } from '../screening/reply-token.js';
import { readOnlyLedger, readOnlyPrefetcher, readOnlyRawMail, readOnlyTickets } from './read-only-ports.js';

/** The context `inspectMail` runs in: reads from the configured bucket and tables, writes nothing. */
export function readOnlyPipelineContext(config: GatewayConfig, clients: AwsClients, replyTokenKeys: ReplyTokenKeys | null): PipelineContext {
  const { s3, dynamo } = clients;
  return createPipelineContext({
    config,
    rawMail: readOnlyRawMail(new S3RawMailStore(s3, config.mailBucket)),
    tickets: readOnlyTickets(new DynamoTicketStore(dynamo, config.ticketsTable)),
    ledger: readOnlyLedger(new DynamoMessageLedger(dynamo, config.messagesTable)),
    prefetcher: readOnlyPrefetcher(new DynamoPrefetcher(dynamo, { tickets: config.ticketsTable, messages: config.messagesTable })),
    replyTokenKeys,
    events: null,
    notices: null,
  });
}
