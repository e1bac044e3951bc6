/**
 * The AWS clients (lib/adapters/aws-clients.ts): how they are configured from the environment, and
 * what the call and request observers report. The observers are checked on an S3 client whose HTTP
 * handler answers in-process instead of a server: what is tested is what the SDK hands the wire
 * (method, path, headers, body) after signing, which needs no server behind it.
 */
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createAwsClients, observeAwsCalls, observeAwsRequests, observed, type AwsCall, type SentRequest } from '../../lib/adapters/aws-clients.js';

/** An HTTP handler that answers every request with 200 and no body, and keeps nothing. */
const answering = {
  handle: async () => ({ response: { statusCode: 200, headers: { etag: '"e"' }, body: Readable.from([]) } }),
};

function s3Answering(): S3Client {
  return observed(
    new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }, requestHandler: answering, endpoint: 'http://127.0.0.1:9', forcePathStyle: true }),
  );
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

  it('drop undefined attributes when writing to DynamoDB (an optional field left out, not an error)', () => {
    expect(createAwsClients({}).dynamo.config.translateConfig?.marshallOptions).toMatchObject({ removeUndefinedValues: true });
  });
});

describe('the call and request observers', () => {
  it('report each call once with its client and command, and stop when told', async () => {
    const s3 = s3Answering();
    const calls: AwsCall[] = [];
    const stop = observeAwsCalls((call) => calls.push(call));
    await s3.send(new HeadObjectCommand({ Bucket: 'mail', Key: 'inbound/a' }));
    await s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/b', Body: 'x' }));
    stop();
    await s3.send(new HeadObjectCommand({ Bucket: 'mail', Key: 'inbound/c' }));
    expect(calls).toEqual([
      { client: 'S3Client', command: 'HeadObjectCommand' },
      { client: 'S3Client', command: 'PutObjectCommand' },
    ]);
  });

  it('report each request as it goes on the wire: signed, headers in lower case, a text body as text', async () => {
    const s3 = s3Answering();
    const requests: SentRequest[] = [];
    const stop = observeAwsRequests((request) => requests.push(request));
    await s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/b c', Body: 'hello', Metadata: { Origin: 'test' } }));
    await s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/bytes', Body: new TextEncoder().encode('bytes') }));
    await s3.send(new GetObjectCommand({ Bucket: 'mail', Key: 'inbound/d', PartNumber: 1 }));
    stop();
    await s3.send(new HeadObjectCommand({ Bucket: 'mail', Key: 'inbound/e' }));

    expect(requests).toHaveLength(3);
    const [put, bytes, get] = requests as [SentRequest, SentRequest, SentRequest];
    expect(put).toMatchObject({ client: 'S3Client', command: 'PutObjectCommand', method: 'PUT', path: '/mail/inbound/b%20c', body: 'hello' });
    expect(put.headers).toMatchObject({ 'x-amz-meta-origin': 'test', authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//) });
    expect(Object.keys(put.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(bytes.body).toBe('bytes');
    expect(get).toMatchObject({ command: 'GetObjectCommand', method: 'GET', path: '/mail/inbound/d', query: expect.objectContaining({ partNumber: '1' }), body: null });
  });

  it('keep a stream body unread', async () => {
    const s3 = s3Answering();
    const requests: SentRequest[] = [];
    const stop = observeAwsRequests((request) => requests.push(request));
    const body = Readable.from([Buffer.from('streamed')]);
    await s3.send(new PutObjectCommand({ Bucket: 'mail', Key: 'inbound/s', Body: body, ContentLength: 8 }));
    stop();
    expect(requests.map((r) => r.body)).toEqual([null]);
  });
});
