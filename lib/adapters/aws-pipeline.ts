/** The pipeline's ports on AWS: what the Lambda and the replay command both run on. */
import type { GatewayConfig } from '../config.js';
import type { PipelineDeps } from '../pipeline/index.js';
import type { ReplyTokenKeys } from '../screening/reply-token.js';
import type { AwsClients } from './aws-clients.js';
import { DynamoMessageLedger } from './dynamodb-message-ledger.js';
import { DynamoPrefetcher } from './dynamodb-prefetcher.js';
import { DynamoTicketStore } from './dynamodb-ticket-store.js';
import { EventBridgePublisher, createEventBridgeClient } from './eventbridge-publisher.js';
import { S3RawMailStore } from './s3-raw-mail-store.js';

export function awsPipelineDeps(config: GatewayConfig, clients: AwsClients, replyTokenKeys: ReplyTokenKeys | null): PipelineDeps {
  const { s3, dynamo } = clients;
  return {
    config,
    rawMail: new S3RawMailStore(s3, config.mailBucket),
    tickets: new DynamoTicketStore(dynamo, config.ticketsTable),
    ledger: new DynamoMessageLedger(dynamo, config.messagesTable),
    prefetcher: new DynamoPrefetcher(dynamo, { tickets: config.ticketsTable, messages: config.messagesTable }),
    replyTokenKeys,
    events: config.eventBusName ? { publisher: new EventBridgePublisher(createEventBridgeClient()), eventBusName: config.eventBusName } : null,
  };
}
