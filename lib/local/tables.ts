/** The DynamoDB tables of the data model, as CreateTable inputs (local stack and tests). */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { LEDGER_TICKET_INDEX } from '../adapters/dynamodb-message-ledger.js';

export function ticketsTableDefinition(TableName: string): CreateTableCommandInput {
  return {
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'N' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  };
}

export function messagesTableDefinition(TableName: string): CreateTableCommandInput {
  return {
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'messageKey', AttributeType: 'S' },
      { AttributeName: 'ticketId', AttributeType: 'N' },
      { AttributeName: 'recordedAt', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'messageKey', KeyType: 'HASH' }],
    GlobalSecondaryIndexes: [
      {
        IndexName: LEDGER_TICKET_INDEX,
        KeySchema: [
          { AttributeName: 'ticketId', KeyType: 'HASH' },
          { AttributeName: 'recordedAt', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}

/**
 * The notices table (`adapters/dynamodb-notice-throttle.ts`): key `key`. On AWS its TTL attribute
 * is `expiresAt` (infra/storage.yml); dynalite has no TTL, and nothing depends on it.
 */
export function noticesTableDefinition(TableName: string): CreateTableCommandInput {
  return {
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
  };
}
