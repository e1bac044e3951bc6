/**
 * How batchGetAll (lib/adapters/dynamodb-batch-get.ts) retries keys DynamoDB left unprocessed: not
 * before the first request, then after 100 ms, 200 ms, … (doubling), at most five requests in all,
 * and not for an UnprocessedKeys entry that holds no keys. It exists for mutation testing: the
 * retry path was only reached through the handler. A scripted client answers here because no real
 * server can be made to do this: dynalite (like DynamoDB) leaves keys unprocessed only past a
 * response size limit, so it always makes progress and never keeps keys back five times, and its
 * answers cannot be timed. The retry against dynalite itself is in
 * test/integration/dynamodb-batch-get.test.ts.
 */
import { BatchGetCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchGetAll } from '../../lib/adapters/dynamodb-batch-get.js';
import { TransientError } from '../../lib/errors.js';

type Answer = Pick<BatchGetCommandOutput, 'Responses' | 'UnprocessedKeys'>;

/**
 * A client whose n-th BatchGetItem (from 0) gets `answer(n)`; the RequestItems it was sent are in
 * `asked`.
 */
function scripted(answer: (n: number) => Answer) {
  const asked: unknown[] = [];
  const send = async (command: BatchGetCommand): Promise<Answer> => {
    asked.push(structuredClone(command.input.RequestItems));
    return answer(asked.length - 1);
  };
  return { db: { send } as unknown as DynamoDBDocumentClient, asked };
}

/** The answers in turn; a request past the last fails the test's call. */
const inTurn = (answers: readonly Answer[]) => (n: number) => {
  const answer = answers[n];
  if (!answer) throw new Error(`request ${n + 1} was not expected`);
  return answer;
};

const T = 'tickets';
const keep = (ids: number[]) => ({ [T]: { Keys: ids.map((id) => ({ id })), ConsistentRead: true } });

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('retrying unprocessed keys', () => {
  it('asks at once, then again for the unprocessed keys after 100 ms, then after 200 ms more', async () => {
    const { db, asked } = scripted(inTurn([
      { Responses: { [T]: [{ id: 1 }] }, UnprocessedKeys: keep([2, 3]) },
      { Responses: { [T]: [{ id: 2 }] }, UnprocessedKeys: keep([3]) },
      { Responses: { [T]: [{ id: 3 }] }, UnprocessedKeys: {} },
    ]));
    const result = batchGetAll(db, { [T]: [{ id: 1 }, { id: 2 }, { id: 3 }] });

    await vi.advanceTimersByTimeAsync(0);
    expect(asked).toEqual([keep([1, 2, 3])]);
    await vi.advanceTimersByTimeAsync(99);
    expect(asked).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual([keep([1, 2, 3]), keep([2, 3])]);
    await vi.advanceTimersByTimeAsync(199);
    expect(asked).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(asked).toEqual([keep([1, 2, 3]), keep([2, 3]), keep([3])]);

    expect(await result).toEqual(new Map([[T, [{ id: 1 }, { id: 2 }, { id: 3 }]]]));
  });

  it('gives up, as transient, when keys are still unprocessed after five requests', async () => {
    const { db, asked } = scripted((n) => {
      if (n >= 5) throw new Error('a sixth request');
      return { Responses: { [T]: [] }, UnprocessedKeys: keep([1]) };
    });
    const outcome = batchGetAll(db, { [T]: [{ id: 1 }] }).then(
      () => null,
      (error: unknown) => error,
    );

    // 100 + 200 + 400 + 800 ms of waiting between the five requests.
    await vi.advanceTimersByTimeAsync(1499);
    expect(asked).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    // Whatever waits come after the fifth request (none should), so that a sixth would be made.
    await vi.runAllTimersAsync();
    const failure = await outcome;
    expect(asked).toHaveLength(5);
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toBe('BatchGetItem left keys unprocessed after retries');
  });

  it('does not ask again for an UnprocessedKeys entry that holds no keys', async () => {
    // The SDK's types allow an entry with Keys undefined or empty; no server answers one, so a scripted answer gives it.
    const { db, asked } = scripted(inTurn([{ Responses: { [T]: [{ id: 1 }] }, UnprocessedKeys: { [T]: { Keys: [] }, other: { Keys: undefined } } }]));
    const result = batchGetAll(db, { [T]: [{ id: 1 }] }).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(await result).toEqual(new Map([[T, [{ id: 1 }]]]));
    expect(asked).toHaveLength(1);
  });
});
