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
import { loadNoticeTemplates } from '../notices/notice-templates.js';
import { DynamoNoticeThrottle } from './dynamodb-notice-throttle.js';
import type { NoticeSender } from '../notices/notice-ports.js';

export function awsPipelineDeps(config: GatewayConfig, clients: AwsClients, replyTokenKeys: ReplyTokenKeys | null): PipelineDeps {
  const { s3, dynamo } = clients;
  const ledger = new DynamoMessageLedger(dynamo, config.messagesTable);
  return {
    config,
    rawMail: new S3RawMailStore(s3, config.mailBucket),
    tickets: new DynamoTicketStore(dynamo, config.ticketsTable),
    ledger,
    prefetcher: new DynamoPrefetcher(dynamo, { tickets: config.ticketsTable, messages: config.messagesTable }),
    replyTokenKeys,
    events: config.eventBusName ? { publisher: new EventBridgePublisher(createEventBridgeClient()), eventBusName: config.eventBusName } : null,
    notices: noticePorts(config, clients, ledger),
  };
}

/**
 * The ports of sender notices when they are on: SES v2, the notices table, the ledger as the
 * mark, and the templates read now (a missing or malformed one fails the cold start, naming
 * SENDER_NOTICE_TEMPLATES).
 */
function noticePorts(config: GatewayConfig, clients: AwsClients, ledger: DynamoMessageLedger): PipelineDeps['notices'] {
  const { notices } = config;
  if (!notices.enabled || notices.table === null) return null;
  return {
    sender: sesV2NoticeSender(),
    throttle: new DynamoNoticeThrottle(clients.dynamo, notices.table),
    marker: ledger,
    templates: loadNoticeTemplates(notices.reasons, notices.templatesDir),
  };
}

/**
 * The SES v2 notice sender, loaded on the first notice rather than at cold start: the SES v2
 * client is 60 KB of the bundle, and notices are off by default and rare when on (`npm run bench`,
 * P4). A failed load is tried again on the next notice.
 */
function sesV2NoticeSender(): NoticeSender {
  let loaded: Promise<NoticeSender> | undefined;
  return {
    async send(notice) {
      loaded ??= import('./sesv2-notice-sender.js').then(
        ({ SesV2NoticeSender, createSesV2Client }) => new SesV2NoticeSender(createSesV2Client()),
        (error: unknown) => {
          loaded = undefined;
          throw error;
        },
      );
      return (await loaded).send(notice);
    },
  };
}
