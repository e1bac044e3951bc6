/**
 * A multi-part attachment's S3 requests, recorded as the SDK sends them (its middleware, after
 * checksums and signing) and checked against the S3 API's multipart checksum rules
 * (test/helpers/s3-multipart-rules.ts). s3rver stores the parts without checking any checksum, so
 * the sequence itself is what these tests prove. The process runs with the SDK's default checksum
 * settings (WHEN_SUPPORTED), as Lambda does.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { observed } from '../../lib/adapters/aws-clients.js';
import { PART_SIZE, streamToS3 } from '../../lib/adapters/s3-streaming-upload.js';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { newMessageId } from '../helpers/mail.js';
import { requestsDuring } from '../helpers/observing.js';
import { multipartRuleViolations, multipartUploads } from '../helpers/s3-multipart-rules.js';

const fixture = useGateway();
const clients: S3Client[] = [];
afterAll(() => {
  for (const client of clients) client.destroy();
});

/** An S3 client on the local server, observed like the gateway's, with the given checksum setting. */
function localS3(requestChecksumCalculation: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED'): S3Client {
  const env = fixture.gateway.stack.env;
  const client = observed(
    new S3Client({
      region: env.AWS_REGION,
      endpoint: env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
      requestChecksumCalculation,
    }),
  );
  clients.push(client);
  return client;
}

const partsOf = (bytes: Buffer) => Array.from({ length: Math.ceil(bytes.length / PART_SIZE) }, (_, i) => bytes.subarray(i * PART_SIZE, (i + 1) * PART_SIZE));

async function stored(key: string): Promise<Buffer> {
  const { Body } = await localS3('WHEN_SUPPORTED').send(new GetObjectCommand({ Bucket: fixture.gateway.stack.names.bucket, Key: key }));
  return Buffer.from(await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

describe('multipart checksums', () => {
  it('the handler uploads a multi-part attachment by the rules: CRC32 declared at create, sent with each part, listed at complete', async () => {
    const attachment = randomBytes(2 * PART_SIZE + 12_345);
    const raw = await composeMime({
      from: 'alice@example.com',
      to: 'support@helpdesk.example',
      subject: 'Re: [support-42] the full log',
      messageId: newMessageId('multipart'),
      text: 'Attached.\n',
      attachments: [{ filename: 'full.log.gz', content: attachment }],
    });
    const { result: report, requests } = await requestsDuring(() => fixture.gateway.deliver('multipart.eml', raw));
    expect(report.outcome.kind).toBe('followup');

    const uploads = multipartUploads(requests);
    expect(uploads).toHaveLength(1);
    const [upload] = uploads;
    if (!upload) throw new Error('no multipart upload was sent');
    expect(upload.declared).toBe('crc32');
    expect(upload.parts.map((p) => p.number)).toEqual([1, 2, 3]);
    expect(multipartRuleViolations(upload, partsOf(attachment))).toEqual([]);
    // Each part as it is, checksum in a header: no aws-chunked body with a trailer (which s3rver would store corrupted).
    for (const part of requests.filter((r) => r.command === 'UploadPartCommand')) {
      expect(part.headers['content-encoding'] ?? '').not.toMatch(/aws-chunked/);
      expect(part.headers['x-amz-trailer']).toBeUndefined();
    }
    expect((await stored(upload.key.replace(/^\/[^/]+\//, ''))).equals(attachment)).toBe(true);
  });

  it('keeps to the rules whatever the client checksum setting (WHEN_REQUIRED, as a local run used to set it)', async () => {
    const bytes = randomBytes(PART_SIZE + 1);
    const key = 'attachments/when-required.bin';
    const s3 = localS3('WHEN_REQUIRED');
    const { requests } = await requestsDuring(() =>
      streamToS3(s3, { Bucket: fixture.gateway.stack.names.bucket, Key: key, ContentType: 'application/octet-stream', ContentDisposition: 'attachment' }, Readable.from([bytes])),
    );
    const [upload] = multipartUploads(requests);
    expect(upload?.declared).toBe('crc32');
    expect(upload ? multipartRuleViolations(upload, partsOf(bytes)) : ['no upload']).toEqual([]);
    expect((await stored(key)).equals(bytes)).toBe(true);
  });

  it('catches the sequence the SDK defaults make of a plain upload: no algorithm at create, a CRC32 trailer on each part, none at complete', async () => {
    // The requests the adapter sent before it declared its checksums, as the SDK's defaults turn them out.
    const s3 = localS3('WHEN_SUPPORTED');
    const Bucket = fixture.gateway.stack.names.bucket;
    const Key = 'attachments/sdk-defaults.bin';
    const part = randomBytes(PART_SIZE);
    const { requests } = await requestsDuring(async () => {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const parts: CompletedPart[] = [];
      for (const PartNumber of [1, 2]) {
        const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber, Body: Readable.from([part]), ContentLength: part.length }));
        parts.push({ ETag, PartNumber });
      }
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
    });
    const [upload] = multipartUploads(requests);
    expect(upload ? multipartRuleViolations(upload) : []).toEqual([
      'UploadPart 1 sends a crc32 checksum, but CreateMultipartUpload declared no algorithm',
      'UploadPart 2 sends a crc32 checksum, but CreateMultipartUpload declared no algorithm',
    ]);
  });
});
