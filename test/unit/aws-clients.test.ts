/**
 * The AWS clients (lib/adapters/aws-clients.ts): how they are configured from the environment, and
 * what the call and request observers report. The observers are checked on an S3 client whose HTTP
 * handler answers in-process instead of a server: what is tested is what the SDK hands the wire
 * (method, path, headers, body) after signing, which needs no server behind it. Their fallbacks (a
 * call without names, a request without method or path) are checked by calling the middleware as
 * the SDK's stack does, since no SDK client produces those.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it, vi } from 'vitest';
import { createAwsClients, destroyAwsClients, observeAwsCalls, observeAwsRequests, observed, type SentRequest } from '../../lib/adapters/aws-clients.js';
import { observing } from '../helpers/observing.js';

/** What the in-process HTTP handler received: each request's body as read on the wire side. */
interface Wire {
  bodies: string[];
}

/**
 * An S3 client, observed as the gateway's are, whose HTTP handler answers in-process: 200 and no
 * body, or first `failFirst` answers of 503 (which the SDK retries). Stream bodies are read there.
 */
function s3Answering(failFirst = 0): { s3: S3Client; wire: Wire } {
  const wire: Wire = { bodies: [] };
  let answered = 0;
  const requestHandler = {
    handle: async (request: { body?: unknown }) => {
      const { body } = request;
      if (body instanceof Readable) {
        const chunks: Buffer[] = [];
        for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
        wire.bodies.push(Buffer.concat(chunks).toString('utf8'));
      }
      answered += 1;
      const statusCode = answered <= failFirst ? 503 : 200;
      return { response: { statusCode, headers: statusCode === 200 ? { etag: '"e"' } : { 'x-amz-error-code': 'SlowDown' }, body: Readable.from([]) } };
    },
  };
  const s3 = new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, requestHandler, endpoint: 'http://127.0.0.1:9', forcePathStyle: true, maxAttempts: 3 });
  // A header in mixed case, as a middleware may add one: the observer reports names in lower case.
  (s3.middlewareStack as unknown as { add(middleware: unknown, options: { step: 'build'; name: string }): void }).add(
    (next: (args: { request?: { headers?: Record<string, string> } }) => Promise<unknown>) => async (args: { request?: { headers?: Record<string, string> } }) => {
      if (args.request?.headers) args.request.headers['X-Test-Mixed'] = 'Case';
      return next(args);
    },
    { step: 'build', name: 'mixedCaseHeader' },
  );
  return { s3: observed(s3), wire };
}

describe('the AWS clients', () => {
  it('address a custom S3 endpoint path-style, and the real S3 by virtual host', async () => {
    expect(createAwsClients({ AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:4569' }).s3.config.forcePathStyle).toBe(true);
    expect(createAwsClients({ AWS_ENDPOINT_URL: 'http://127.0.0.1:4569' }).s3.config.forcePathStyle).toBe(true);
    expect(createAwsClients({}).s3.config.forcePathStyle).toBe(false);
  });

  it('validate response checksums only when AWS_RESPONSE_CHECKSUM_VALIDATION says WHEN_SUPPORTED (any case)', async () => {
    const validation = (env: Record<string, string>) => createAwsClients(env).s3.config.responseChecksumValidation();
    expect(await validation({})).toBe('WHEN_REQUIRED');
    expect(await validation({ AWS_RESPONSE_CHECKSUM_VALIDATION: 'when_supported' })).toBe('WHEN_SUPPORTED');
    expect(await validation({ AWS_RESPONSE_CHECKSUM_VALIDATION: 'WHEN_SUPPORTED' })).toBe('WHEN_SUPPORTED');
    expect(await validation({ AWS_RESPONSE_CHECKSUM_VALIDATION: 'always' })).toBe('WHEN_REQUIRED');
    // Requests keep the SDK's default: S3 verifies what the gateway writes.
    expect(await createAwsClients({}).s3.config.requestChecksumCalculation()).toBe('WHEN_SUPPORTED');
  });

  it('are closed both by destroyAwsClients, the DynamoDB one through the handler it shares with the client it wraps', () => {
    // Spies, as no socket state is public: a DynamoDB document client's own destroy() does nothing
    // (lib-dynamodb), so closing it must reach the request handler.
    const clients = createAwsClients({});
    const s3Destroy = vi.spyOn(clients.s3, 'destroy');
    const handlerDestroy = vi.spyOn(clients.dynamo.config.requestHandler, 'destroy');
    destroyAwsClients(clients);
    expect(s3Destroy).toHaveBeenCalledTimes(1);
    expect(handlerDestroy).toHaveBeenCalledTimes(1);
  });

  it('drop undefined attributes when writing to DynamoDB (an optional field left out, not an error)', () => {
    expect(createAwsClients({}).dynamo.config.translateConfig?.marshallOptions).toMatchObject({ removeUndefinedValues: true });
  });
});

describe('the call and request observers', () => {
  it('report each call once with its client and command, however often the SDK retries it, and stop when told', async () => {
    const { s3 } = s3Answering(1);
    const {
      seen: calls,
      result: { seen: requests },
    } = await observing(observeAwsCalls, () =>
      observing(observeAwsRequests, async () => {
        await s3.send(new HeadObjectCommand({ Bucket: 'mail', Key: 'inbound/a' }));
        await s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/b', Body: 'x' }));
      }),
    );
    await s3.send(new HeadObjectCommand({ Bucket: 'mail', Key: 'inbound/c' }));
    expect(calls).toEqual([
      { client: 'S3Client', command: 'HeadObjectCommand' },
      { client: 'S3Client', command: 'PutObjectCommand' },
    ]);
    // The first HEAD was answered 503 and sent again: two requests, one call.
    expect(requests.map((r) => r.command)).toEqual(['HeadObjectCommand', 'HeadObjectCommand', 'PutObjectCommand']);
  });

  it('report each request as it goes on the wire: signed, headers in lower case, a text body as text', async () => {
    const { s3 } = s3Answering();
    const { seen: requests } = await observing(observeAwsRequests, async () => {
      await s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/b c', Body: 'hello', Metadata: { Origin: 'test' } }));
      await s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/bytes', Body: new TextEncoder().encode('bytes') }));
      await s3.send(new GetObjectCommand({ Bucket: 'mail', Key: 'inbound/d', PartNumber: 1 }));
    });
    await s3.send(new HeadObjectCommand({ Bucket: 'mail', Key: 'inbound/e' }));

    expect(requests).toHaveLength(3);
    const [put, bytes, get] = requests as [SentRequest, SentRequest, SentRequest];
    expect(put).toMatchObject({ client: 'S3Client', command: 'PutObjectCommand', method: 'PUT', path: '/mail/inbound/b%20c', body: 'hello' });
    expect(put.headers).toMatchObject({ 'x-amz-meta-origin': 'test', 'x-test-mixed': 'Case', authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//) });
    expect(put.headers).not.toHaveProperty('X-Test-Mixed');
    expect(bytes.body).toBe('bytes');
    expect(get).toMatchObject({ command: 'GetObjectCommand', method: 'GET', path: '/mail/inbound/d', query: expect.objectContaining({ partNumber: '1' }), body: null });
  });

  it('leave a stream body unread, for the wire', async () => {
    const { s3, wire } = s3Answering();
    const { seen: requests } = await observing(observeAwsRequests, () =>
      s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/s', Body: Readable.from([Buffer.from('streamed')]), ContentLength: 8 })),
    );
    expect(requests.map((r) => r.body)).toEqual([null]);
    // The SDK sends it aws-chunked, with its checksum in a trailer: the bytes are all there.
    expect(wire.bodies).toEqual([expect.stringContaining('\r\nstreamed\r\n')]);
  });
});

describe('the observer middleware', () => {
  it('is named, so a client is observed once: observing it again is refused rather than reporting every call twice', () => {
    const s3 = observed(new S3Client({ region: 'eu-west-1' }));
    try {
      expect(s3.middlewareStack.identify()).toEqual(expect.arrayContaining(['helpdeskAwsCallObserver - initialize', 'helpdeskAwsRequestObserver - finalizeRequest']));
      expect(() => observed(s3)).toThrow("Duplicate middleware name 'helpdeskAwsCallObserver'");
      s3.middlewareStack.remove('helpdeskAwsCallObserver');
      expect(() => observed(s3)).toThrow("Duplicate middleware name 'helpdeskAwsRequestObserver'");
    } finally {
      s3.destroy();
    }
  });

  it('reports a call without client or command names as unknown, a request without method or path with empty ones, and passes on one without a request', async () => {
    // Called as the SDK's middleware stack calls them: no SDK client resolves a command without these names, nor sends a request without them.
    type Handler = (args: { request?: unknown }) => Promise<unknown>;
    const middleware: ((next: Handler, context: object) => Handler)[] = [];
    observed({ middlewareStack: { add: (added: unknown) => void middleware.push(added as (next: Handler, context: object) => Handler) } });
    expect(middleware).toHaveLength(2);
    const [callObserver, requestObserver] = middleware as [(next: Handler, context: object) => Handler, (next: Handler, context: object) => Handler];
    const passedOn: unknown[] = [];
    const next: Handler = async (args) => {
      passedOn.push(args);
      return 'answer';
    };

    const {
      seen: calls,
      result: { seen: requests },
    } = await observing(observeAwsCalls, () =>
      observing(observeAwsRequests, async () => {
        expect(await callObserver(next, {})({})).toBe('answer');
        expect(await requestObserver(next, {})({ request: {} })).toBe('answer');
        expect(await requestObserver(next, {})({})).toBe('answer');
      }),
    );
    expect(calls).toEqual([{ client: 'unknown', command: 'unknown' }]);
    expect(requests).toEqual([{ client: 'unknown', command: 'unknown', method: '', path: '', query: {}, headers: {}, body: null }]);
    expect(passedOn).toEqual([{}, { request: {} }, {}]);
  });
});
