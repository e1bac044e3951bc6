/**
 * Streaming uploads of unknown length against s3rver, at and around the part boundaries: the bytes
 * stored, and the requests that store them (one PutObject or a multipart upload of full parts, and
 * the abort of a failed one), observed on the gateway's own client. The requests are pinned here
 * because mutation testing showed a needless empty last part or abort changed no stored byte.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observeAwsCalls, observeAwsRequests } from '../../lib/adapters/aws-clients.js';
import { PART_SIZE, streamToS3 } from '../../lib/adapters/s3-streaming-upload.js';
import { s3ClientAt, useAwsClients } from '../helpers/aws-clients.js';
import { failureIfAny } from '../helpers/failure.js';
import { useGateway } from '../helpers/gateway.js';
import { observing } from '../helpers/observing.js';

const fixture = useGateway();
/** The gateway's own clients (observed), for the tests of the requests an upload sends. */
const clients = useAwsClients();
/** A plain S3 client, for the tests of the bytes stored. */
let s3: S3Client;
beforeAll(() => {
  const env = fixture.gateway.stack.env;
  s3 = s3ClientAt(env, env.AWS_ENDPOINT_URL_S3);
});
afterAll(() => s3.destroy());

/** Feeds the bytes in uneven chunks, as a parser would. */
function chunked(bytes: Buffer): Readable {
  return Readable.from((function* () {
    for (let i = 0, step = 7_001; i < bytes.length; i += step, step = (step * 3) % 65_536 || 1) yield bytes.subarray(i, i + step);
  })());
}

describe('streamToS3', () => {
  it.each([0, 1, 100_000, PART_SIZE - 1, PART_SIZE, PART_SIZE + 1, 2 * PART_SIZE + 3])('stores %i bytes byte-exact', async (size) => {
    const bytes = randomBytes(size);
    const key = `attachments/upload-${size}`;
    await streamToS3(s3, { Bucket: fixture.gateway.stack.names.bucket, Key: key, ContentType: 'application/octet-stream', ContentDisposition: 'attachment' }, chunked(bytes));
    expect((await fixture.aws.objectBytes(key)).equals(bytes)).toBe(true);
  });
});

/** Runs `action` on the gateway's own S3 client (observed): its failure (or null), and the calls and requests it made. */
async function recorded(action: (s3: S3Client) => Promise<unknown>): Promise<{ calls: string[]; partSizes: number[]; failure: unknown }> {
  const {
    seen: calls,
    result: { seen: requests, result: failure },
  } = await observing(observeAwsCalls, () => observing(observeAwsRequests, () => failureIfAny(() => action(clients.s3))));
  return {
    calls: calls.map((call) => call.command.replace(/Command$/, '')),
    partSizes: requests.filter((request) => request.command === 'UploadPartCommand').map((request) => Number(request.headers['content-length'])),
    failure,
  };
}

const target = (Key: string, Bucket: string = fixture.gateway.stack.names.bucket) => ({ Bucket, Key, ContentType: 'application/octet-stream', ContentDisposition: 'attachment' });

/** S3's minimum part size, as the S3 API reference gives it (all parts but the last). */
const FIVE_MIB = 5 * 1024 * 1024;

describe('streamToS3 requests', () => {
  it('sends an object under 5 MiB in one PutObject, and one of 5 MiB or more as a multipart upload of 5 MiB parts', async () => {
    const cases: [number, string[], number[]][] = [
      [0, ['PutObject'], []],
      [11, ['PutObject'], []],
      [FIVE_MIB - 1, ['PutObject'], []],
      // Exactly full parts: no empty part after them.
      [FIVE_MIB, ['CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload'], [FIVE_MIB]],
      [FIVE_MIB + 1, ['CreateMultipartUpload', 'UploadPart', 'UploadPart', 'CompleteMultipartUpload'], [FIVE_MIB, 1]],
      [2 * FIVE_MIB, ['CreateMultipartUpload', 'UploadPart', 'UploadPart', 'CompleteMultipartUpload'], [FIVE_MIB, FIVE_MIB]],
    ];
    for (const [size, expectedCalls, expectedParts] of cases) {
      const bytes = randomBytes(size);
      const key = `attachments/requests-${size}-${randomUUID()}`;
      const { calls, partSizes, failure } = await recorded((s3) => streamToS3(s3, target(key), chunked(bytes)));
      expect({ size, failure, calls, partSizes }).toEqual({ size, failure: null, calls: expectedCalls, partSizes: expectedParts });
      expect((await fixture.aws.objectBytes(key)).equals(bytes)).toBe(true);
    }
  });

  it('aborts the multipart upload when the body fails after a part was sent, and stores nothing', async () => {
    const key = `attachments/broken-${randomUUID()}`;
    const broken = Readable.from(
      (function* () {
        yield randomBytes(FIVE_MIB);
        throw new Error('the attachment stream broke off');
      })(),
    );
    const { calls, failure } = await recorded((s3) => streamToS3(s3, target(key), broken));
    expect(failure).toMatchObject({ message: 'the attachment stream broke off' });
    expect(calls).toEqual(['CreateMultipartUpload', 'UploadPart', 'AbortMultipartUpload']);
    expect(await fixture.aws.keys(key)).toEqual([]);
  });

  it('sends no abort when a single PutObject fails: there is no multipart upload to abort', async () => {
    const { calls, failure } = await recorded((s3) => streamToS3(s3, target('attachments/x', 'no-such-bucket-for-uploads'), chunked(randomBytes(11))));
    expect(failure).toMatchObject({ name: 'NoSuchBucket' });
    expect(calls).toEqual(['PutObject']);
  });
});
