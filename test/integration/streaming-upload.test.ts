/** Streaming uploads of unknown length against s3rver, at and around the part boundaries. */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { PART_SIZE, streamToS3 } from '../../lib/adapters/s3-streaming-upload.js';
import { useGateway } from '../helpers/gateway.js';

const fixture = useGateway();
let s3: S3Client | undefined;
afterAll(() => s3?.destroy());

/** Feeds the bytes in uneven chunks, as a parser would. */
function chunked(bytes: Buffer): Readable {
  return Readable.from((function* () {
    for (let i = 0, step = 7_001; i < bytes.length; i += step, step = (step * 3) % 65_536 || 1) yield bytes.subarray(i, i + step);
  })());
}

describe('streamToS3', () => {
  it.each([0, 1, 100_000, PART_SIZE - 1, PART_SIZE, PART_SIZE + 1, 2 * PART_SIZE + 3])('stores %i bytes byte-exact', async (size) => {
    const env = fixture.gateway.stack.env;
    s3 ??= new S3Client({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    const bytes = randomBytes(size);
    const key = `attachments/upload-${size}`;
    await streamToS3(s3, { Bucket: fixture.gateway.stack.names.bucket, Key: key, ContentType: 'application/octet-stream', ContentDisposition: 'attachment' }, chunked(bytes));
    expect((await fixture.aws.objectBytes(key)).equals(bytes)).toBe(true);
  });
});
