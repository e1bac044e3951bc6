/**
 * The deadline of AWS calls (lib/adapters/aws-deadline.ts), on a real SDK client (DynamoDB, the
 * SDK's default three attempts) against a local HTTP server: a table `slow` is answered after 200 ms
 * (no item); a table `throttled` gets a 503 asking to retry after 6 s. Outside a deadline scope, or
 * in one without a deadline, calls are the SDK's own; a deadline past refuses a call unsent; a
 * deadline passing cuts off the call under way, and the SDK's wait before its next attempt; the
 * caller's own signal still works; a call left running when the work ends is cut off; and the
 * deadline's listeners (the raw mail's body) are told.
 */
import { createServer, type Server } from 'node:http';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsDeadlineError, boundByDeadline, onAwsDeadline, withAwsDeadline } from '../../lib/adapters/aws-deadline.js';

let server: Server;
let client: DynamoDBClient;
let received = 0;

beforeAll(async () => {
  server = createServer(async (request, response) => {
    received += 1;
    let body = '';
    for await (const chunk of request) body += String(chunk);
    if (body.includes('"TableName":"throttled"')) {
      response.writeHead(503, { 'content-type': 'application/x-amz-json-1.0', 'x-amz-retry-after': '6000' });
      response.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailableException', message: 'try again later' }));
      return;
    }
    setTimeout(() => response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}'), 200);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  client = boundByDeadline(new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 3 }));
});

afterAll(async () => {
  client.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** 'answered', or the error's name and the deadline error in its cause chain (or null). */
async function getItem(table = 'slow', options?: { abortSignal?: AbortSignal }): Promise<unknown> {
  try {
    await client.send(new GetItemCommand({ TableName: table, Key: { id: { N: '1' } } }), options);
    return 'answered';
  } catch (error) {
    let deadline: unknown = null;
    for (let at: unknown = error; at instanceof Error; at = at.cause) if (at instanceof AwsDeadlineError) deadline = at;
    return { name: (error as Error).name, deadline };
  }
}

const CUT_OFF = { name: 'AbortError', deadline: expect.any(AwsDeadlineError) };

describe('AWS calls and their deadline', () => {
  it('are the SDK\'s own outside a deadline scope, and in one without a deadline (none, or NaN)', async () => {
    expect(await getItem()).toBe('answered');
    expect(await withAwsDeadline(Number.POSITIVE_INFINITY, () => getItem())).toBe('answered');
    expect(await withAwsDeadline(Number.NaN, () => getItem())).toBe('answered');
  });

  it('are answered when the deadline leaves time', async () => {
    expect(await withAwsDeadline(Date.now() + 5_000, () => getItem())).toBe('answered');
  });

  it('are refused unsent once the deadline has passed', async () => {
    const before = received;
    const refused = await withAwsDeadline(Date.now() - 1, async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return getItem();
    });
    expect(refused).toMatchObject(CUT_OFF);
    expect(received).toBe(before);
  });

  it('are cut off at the deadline while under way, with the reason', async () => {
    const before = received;
    const cut = await withAwsDeadline(Date.now() + 50, () => getItem());
    expect(cut).toMatchObject(CUT_OFF);
    expect(((cut as { deadline: Error }).deadline).message).toMatch(/^AWS call cut off: the invocation's deadline passed/);
    expect(received).toBe(before + 1);
  });

  it('end the SDK\'s wait before its next attempt: a 503 asking for 6 s is not waited out', async () => {
    const before = received;
    const started = Date.now();
    const cut = await withAwsDeadline(Date.now() + 300, () => getItem('throttled'));
    expect(cut).toMatchObject(CUT_OFF);
    expect(received).toBe(before + 1);
    // The SDK would wait at least 5 s before its second attempt; the deadline ends the wait.
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('may be many at once in one scope, without a warning of a listener leak', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const answers = await withAwsDeadline(Date.now() + 5_000, () => Promise.all(Array.from({ length: 12 }, () => getItem())));
      expect(answers).toEqual(Array.from({ length: 12 }, () => 'answered'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('still end at the caller\'s own abort signal inside a scope', async () => {
    const caller = new AbortController();
    const asked = withAwsDeadline(Date.now() + 5_000, () => getItem('slow', { abortSignal: caller.signal }));
    setTimeout(() => caller.abort(new Error('the caller gave up')), 20);
    expect(await asked).toMatchObject({ name: 'AbortError', deadline: null });
  });

  it('are cut off when left running after their work has ended', async () => {
    let left: Promise<unknown> = Promise.resolve();
    await withAwsDeadline(Date.now() + 5_000, async () => {
      left = getItem();
    });
    const cut = await left;
    expect(cut).toMatchObject(CUT_OFF);
    expect(((cut as { deadline: Error }).deadline).message).toBe('AWS call cut off: the work it belonged to had ended');
  });
});

describe('the deadline\'s listeners', () => {
  it('are told at the deadline, at once when it has passed, and never outside a scope', async () => {
    const told: string[] = [];
    await withAwsDeadline(Date.now() + 30, async () => {
      onAwsDeadline((reason) => told.push(`later: ${reason instanceof AwsDeadlineError}`));
      await new Promise((resolve) => setTimeout(resolve, 60));
      onAwsDeadline((reason) => told.push(`at once: ${reason instanceof AwsDeadlineError}`));
    });
    const stop = onAwsDeadline(() => told.push('outside'));
    stop();
    expect(told).toEqual(['later: true', 'at once: true']);
  });

  it('are not told once they stopped listening', async () => {
    const told: string[] = [];
    await withAwsDeadline(Date.now() + 30, async () => {
      const stop = onAwsDeadline(() => told.push('told'));
      stop();
      await new Promise((resolve) => setTimeout(resolve, 60));
    });
    expect(told).toEqual([]);
  });
});
