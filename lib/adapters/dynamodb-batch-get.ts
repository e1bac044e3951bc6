/** BatchGetItem over any tables, consistent, with DynamoDB's unprocessed keys retried. */
import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from '../errors.js';
import { asAwsFailure } from './aws-errors.js';

/** DynamoDB's limit of keys per BatchGetItem. */
const BATCH_GET_LIMIT = 100;
const UNPROCESSED_ATTEMPTS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Key = Record<string, unknown>;

/** Reads the given keys of each table; answers the items found, per table (a table given no keys: an empty list, and no request). */
export async function batchGetAll(db: DynamoDBDocumentClient, keysByTable: Readonly<Record<string, readonly Key[]>>): Promise<Map<string, Record<string, unknown>[]>> {
  const found = new Map<string, Record<string, unknown>[]>(Object.keys(keysByTable).map((table) => [table, []]));
  const pending = Object.entries(keysByTable).flatMap(([table, keys]) => keys.map((key) => ({ table, key })));
  for (let start = 0; start < pending.length; start += BATCH_GET_LIMIT) {
    let request: Record<string, { Keys: Key[]; ConsistentRead: true }> = {};
    for (const { table, key } of pending.slice(start, start + BATCH_GET_LIMIT)) {
      (request[table] ??= { Keys: [], ConsistentRead: true }).Keys.push(key);
    }
    for (let attempt = 0; Object.keys(request).length > 0; attempt++) {
      if (attempt === UNPROCESSED_ATTEMPTS) throw new TransientError('BatchGetItem left keys unprocessed after retries');
      if (attempt > 0) await sleep(50 * 2 ** attempt);
      let response;
      try {
        response = await db.send(new BatchGetCommand({ RequestItems: request }));
      } catch (error) {
        throw asAwsFailure('BatchGetItem', error);
      }
      for (const [table, items] of Object.entries(response.Responses ?? {})) found.get(table)?.push(...items);
      request = {};
      for (const [table, unprocessed] of Object.entries(response.UnprocessedKeys ?? {})) {
        if (unprocessed.Keys && unprocessed.Keys.length > 0) request[table] = { Keys: unprocessed.Keys, ConsistentRead: true };
      }
    }
  }
  return found;
}
