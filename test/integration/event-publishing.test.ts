/**
 * Publishing after the commit, on the real adapters: the ledger in dynalite, the events through
 * the AWS SDK to the local EventBridge endpoint (`lib/local/eventbridge-server.ts`: no maintained
 * local EventBridge runs standalone; that file says why). One crash window is simulated by a
 * ledger port whose mark fails — no server can lose a response on cue.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoMessageLedger } from '../../lib/adapters/dynamodb-message-ledger.js';
import { EventBridgePublisher, createEventBridgeClient, requestsOf } from '../../lib/adapters/eventbridge-publisher.js';
import { TransientError } from '../../lib/errors.js';
import { EVENT_SOURCE, gatewayEvent, type PutEventsEntry } from '../../lib/events/gateway-event.js';
import { publishAfterCommit, type EventDeps } from '../../lib/events/publish.js';
import type { FinalEntry, LedgerEntry } from '../../lib/ledger-entry.js';
import { startEmbeddedStack, type EmbeddedStack } from '../../lib/local/embedded-stack.js';
import { schemaErrors } from '../helpers/event-schemas.js';
import { appliedEntry, attachment, skippedEntry } from '../helpers/ledger-entries.js';

let stack: EmbeddedStack;
let db: DynamoDBDocumentClient;
let ledger: DynamoMessageLedger;
let publisher: EventBridgePublisher;
let deps: EventDeps;
let sequence = 0;

beforeAll(async () => {
  stack = await startEmbeddedStack();
  Object.assign(process.env, stack.env);
  db = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  ledger = new DynamoMessageLedger(db, stack.names.messagesTable);
  publisher = new EventBridgePublisher(createEventBridgeClient());
  deps = { publisher, ledger, eventBusName: stack.names.eventBus, now: () => new Date('2026-11-28T09:00:05Z') };
});

afterAll(async () => {
  db.destroy();
  await stack.stop();
});

beforeEach(() => {
  stack.eventBridge.clear();
});

/** Records a final entry under a fresh key, as the commit stage does, and answers it as stored. */
async function committed(entry: FinalEntry): Promise<LedgerEntry> {
  sequence += 1;
  const fresh = { ...entry, messageKey: `${sequence}-${entry.messageKey}`, key: `inbound/${sequence}.eml` };
  expect(await ledger.record(fresh)).toBe('recorded');
  return stored(fresh.messageKey);
}

async function stored(messageKey: string): Promise<LedgerEntry> {
  const entry = (await ledger.lookup([messageKey])).get(messageKey);
  if (!entry) throw new Error(`no ledger entry ${messageKey}`);
  return entry;
}

async function publishedAt(messageKey: string): Promise<unknown> {
  const { Item } = await db.send(new GetCommand({ TableName: stack.names.messagesTable, Key: { messageKey }, ConsistentRead: true }));
  return Item?.publishedAt;
}

describe('publishing after the commit', () => {
  it('publishes one event per outcome kind, valid against its schema, and marks each entry', async () => {
    const entries = [
      await committed(appliedEntry({ attachments: [attachment(0)] })),
      await committed(appliedEntry({ outcome: 'created', ticketId: 43 })),
      await committed(skippedEntry({ reason: 'ticket-not-found', ticketId: 99 })),
    ];
    for (const entry of entries) expect(await publishAfterCommit(deps, entry)).toBe('published');
    const events = stack.eventBridge.events();
    expect(events.map((e) => e.DetailType)).toEqual(['Followup Added', 'Ticket Created', 'Mail Skipped']);
    for (const event of events) {
      expect(event).toMatchObject({ Source: EVENT_SOURCE, EventBusName: stack.names.eventBus });
      expect(schemaErrors({ DetailType: event.DetailType as PutEventsEntry['DetailType'], Detail: event.Detail })).toEqual([]);
    }
    for (const entry of entries) expect(await publishedAt(entry.messageKey)).toBe('2026-11-28T09:00:05.000Z');
  });

  it('publishes nothing again for a marked entry (a redelivery after the mark)', async () => {
    const entry = await committed(appliedEntry());
    await publishAfterCommit(deps, entry);
    expect(await publishAfterCommit(deps, await stored(entry.messageKey))).toBe('already-published');
    expect(stack.eventBridge.events()).toHaveLength(1);
  });

  it('gives exactly the missing event when the publish failed after the commit and the mail is redelivered', async () => {
    const entry = await committed(skippedEntry());
    stack.eventBridge.failNext('failed-entry');
    await expect(publishAfterCommit(deps, entry)).rejects.toBeInstanceOf(TransientError);
    expect(stack.eventBridge.events()).toEqual([]);
    expect(await publishedAt(entry.messageKey)).toBeUndefined();

    expect(await publishAfterCommit(deps, await stored(entry.messageKey))).toBe('published');
    expect(await publishAfterCommit(deps, await stored(entry.messageKey))).toBe('already-published');
    const events = stack.eventBridge.events();
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.Detail ?? '{}')).toMatchObject({ idempotencyKey: entry.messageKey });
  });

  it('publishes the same event again, with the same idempotency key, when the mark was lost', async () => {
    const entry = await committed(appliedEntry());
    const markLost: EventDeps = {
      ...deps,
      ledger: {
        markPublished: async () => {
          throw new TransientError('the process died before the mark');
        },
      },
    };
    await expect(publishAfterCommit(markLost, entry)).rejects.toBeInstanceOf(TransientError);
    expect(await publishAfterCommit(deps, await stored(entry.messageKey))).toBe('published');
    const [first, second] = stack.eventBridge.events();
    expect(second?.Detail).toBe(first?.Detail);
  });

  it('leaves a replaced entry unmarked: the entry that replaced it publishes its own event', async () => {
    const entry = await committed(skippedEntry());
    expect(await ledger.markPublished({ messageKey: entry.messageKey, recordedAt: '2020-01-01T00:00:00.000Z' }, '2026-11-28T09:00:05.000Z')).toBe(false);
    expect(await ledger.markPublished({ messageKey: 'no-such-key', recordedAt: '2020-01-01T00:00:00.000Z' }, '2026-11-28T09:00:05.000Z')).toBe(false);
    expect(await publishedAt(entry.messageKey)).toBeUndefined();
  });

  it('snippets the mail\'s text when the entry keeps its body in S3, and snippets nothing without it', async () => {
    const inS3 = { body: null, bodyKey: 'attachments/42/0123456789abcdef01234567/body.txt' };
    const withText = await committed(appliedEntry(inS3));
    const withoutText = await committed(appliedEntry(inS3));
    expect(await publishAfterCommit(deps, withText, 'The printer\n  caught fire again.')).toBe('published');
    expect(await publishAfterCommit(deps, withoutText)).toBe('published');
    const [first, second] = stack.eventBridge.events().map((e) => JSON.parse(e.Detail) as Record<string, unknown>);
    expect(first).toMatchObject({ messageKey: withText.messageKey, bodyKey: inS3.bodyKey, snippet: 'The printer caught fire again.' });
    expect(second).toMatchObject({ messageKey: withoutText.messageKey, bodyKey: inS3.bodyKey, snippet: '', snippetTruncated: false });
  });

  it('announces nothing for a pending claim or an outbound Message-ID', async () => {
    const before = stack.eventBridge.requestCount();
    const { messageKey, direction, bucket, key, messageId, from, subject, receivedAt, recordedAt } = appliedEntry();
    const pending: LedgerEntry = { messageKey, direction, bucket, key, messageId, from, subject, receivedAt, recordedAt, state: 'pending', ticketId: 7, queue: 'support' };
    expect(await publishAfterCommit(deps, pending)).toBe('not-final');
    expect(await publishAfterCommit(deps, { messageKey: 'n@h', direction: 'outbound', messageId: 'n@h', ticketId: 7, recordedAt })).toBe('not-final');
    expect(stack.eventBridge.requestCount()).toBe(before);
  });
});

describe('the EventBridge adapter', () => {
  const event = (n: number, padding = 0): PutEventsEntry =>
    gatewayEvent(skippedEntry({ messageKey: `m${n}`, detail: 'd'.repeat(padding) }), { eventBusName: stack.names.eventBus });

  it('treats throttling as transient once the SDK has retried it, and publishes on the next attempt', async () => {
    const before = stack.eventBridge.requestCount();
    stack.eventBridge.failNext('throttle', 3);
    await expect(publisher.publish([event(1)])).rejects.toThrow(/PutEvents failed: ThrottlingException/);
    expect(stack.eventBridge.requestCount() - before).toBe(3);
    await publisher.publish([event(1)]);
    expect(stack.eventBridge.events()).toHaveLength(1);
  });

  it('treats a failed entry (FailedEntryCount > 0) and a server error as transient', async () => {
    stack.eventBridge.failNext('failed-entry');
    await expect(publisher.publish([event(1)])).rejects.toThrow(/failed for 1 of 1 entries: InternalFailure/);
    stack.eventBridge.failNext('server-error', 3);
    await expect(publisher.publish([event(1)])).rejects.toBeInstanceOf(TransientError);
    expect(stack.eventBridge.events()).toEqual([]);
  });

  it('reports what EventBridge refuses in an entry, such as an unknown bus', async () => {
    await expect(publisher.publish([{ ...event(1), EventBusName: 'no-such-bus' }])).rejects.toThrow(/InvalidArgument: Event bus no-such-bus does not exist/);
  });

  it('splits many entries into requests of at most 10 entries and under 256 KB', async () => {
    const small = Array.from({ length: 25 }, (_, i) => event(i));
    expect(requestsOf(small).map((r) => r.length)).toEqual([10, 10, 5]);
    const large = Array.from({ length: 4 }, (_, i) => event(i, 3900)).map((e) => ({ ...e, Detail: JSON.stringify({ ...JSON.parse(e.Detail), pad: 'p'.repeat(100_000) }) }));
    expect(requestsOf(large).map((r) => r.length)).toEqual([2, 2]);
    const before = stack.eventBridge.requestCount();
    await publisher.publish([...small, ...large]);
    expect(stack.eventBridge.requestCount() - before).toBe(requestsOf([...small, ...large]).length);
    expect(stack.eventBridge.events().map((e) => e.Detail)).toEqual([...small, ...large].map((e) => e.Detail));
  });
});
