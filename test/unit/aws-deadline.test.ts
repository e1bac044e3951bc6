/**
 * The deadline scope of AWS calls (lib/adapters/aws-deadline.ts), on the SDK's own HTTP handler it
 * extends, against a local HTTP server that answers after 200 ms: outside a scope, or in a scope
 * without a deadline, requests are the SDK's own; a deadline already past refuses a request before
 * it is sent; a deadline passing cuts off the request under way; the caller's own abort signal still
 * works inside a scope.
 */
import { createServer, type Server } from 'node:http';
import type { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsDeadlineError, DeadlineHttpHandler, withAwsDeadline } from '../../lib/adapters/aws-deadline.js';

let server: Server;
let port = 0;
let received = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    received += 1;
    request.resume();
    setTimeout(() => response.writeHead(200, { 'content-type': 'text/plain' }).end('answered'), 200);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const handler = new DeadlineHttpHandler({ connectionTimeout: 1_000, socketTimeout: 5_000 });
afterAll(() => handler.destroy());

type Request = Parameters<NodeHttpHandler['handle']>[0];
const request = (): Request => ({ protocol: 'http:', hostname: '127.0.0.1', port, method: 'GET', path: '/', query: {}, headers: { host: `127.0.0.1:${port}` } }) as unknown as Request;

/** The status of the answer, or the error's name, message and cause. */
async function send(options?: Parameters<NodeHttpHandler['handle']>[1]): Promise<unknown> {
  try {
    const { response } = await handler.handle(request(), options);
    (response.body as NodeJS.ReadableStream).resume();
    return response.statusCode;
  } catch (error) {
    return { name: (error as Error).name, cause: (error as Error).cause };
  }
}

describe('AWS calls and their deadline', () => {
  it('are the SDK\'s own outside a deadline scope, and in one without a deadline (none, or NaN)', async () => {
    expect(await send()).toBe(200);
    expect(await withAwsDeadline(Number.POSITIVE_INFINITY, () => send())).toBe(200);
    expect(await withAwsDeadline(Number.NaN, () => send())).toBe(200);
  });

  it('are answered when the deadline leaves time', async () => {
    expect(await withAwsDeadline(Date.now() + 5_000, () => send())).toBe(200);
  });

  it('are refused before they are sent once the deadline has passed', async () => {
    const before = received;
    const refused = await withAwsDeadline(Date.now() - 1, async () => {
      await new Promise((resolve) => setTimeout(resolve, 10));
      return send();
    });
    expect(refused).toMatchObject({ name: 'AbortError', cause: expect.any(AwsDeadlineError) });
    expect(received).toBe(before);
  });

  it('are cut off at the deadline while under way', async () => {
    const before = received;
    const cut = await withAwsDeadline(Date.now() + 50, () => send());
    expect(cut).toMatchObject({ name: 'AbortError', cause: expect.any(AwsDeadlineError) });
    expect((cut as { cause: Error }).cause.message).toMatch(/^AWS call cut off: the invocation's deadline passed/);
    expect(received).toBe(before + 1);
  });

  it('may be many at once in one scope, without a warning of a listener leak', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const answers = await withAwsDeadline(Date.now() + 5_000, () => Promise.all(Array.from({ length: 12 }, () => send())));
      expect(answers).toEqual(Array.from({ length: 12 }, () => 200));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('still end at the caller\'s own abort signal inside a scope', async () => {
    const caller = new AbortController();
    const asked = withAwsDeadline(Date.now() + 5_000, () => send({ abortSignal: caller.signal }));
    setTimeout(() => caller.abort(new Error('the caller gave up')), 20);
    expect(await asked).toMatchObject({ name: 'AbortError', cause: { message: 'the caller gave up' } });
  });
});
