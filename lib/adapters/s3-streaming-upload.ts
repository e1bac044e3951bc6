/**
 * Streams an object of unknown length into S3 with flat memory: a small object goes up in one
 * PutObject; a larger one as a multipart upload through one reusable part buffer (S3's minimum
 * part size), so memory does not grow with the object. (lib-storage's Upload concatenates each
 * part anew, which doubles its memory and leaves garbage behind.)
 *
 * Checksums follow the S3 API's multipart rules, as lib-storage sends them under the SDK's default
 * `requestChecksumCalculation` (WHEN_SUPPORTED), whatever the client's setting:
 * - CreateMultipartUpload declares the algorithm (`x-amz-checksum-algorithm: CRC32`);
 * - each UploadPart carries that algorithm's checksum of the part (`x-amz-checksum-crc32`), which
 *   "must be the same for all parts and match the checksum value supplied in the
 *   CreateMultipartUpload request" (S3 API Reference, UploadPart, ChecksumAlgorithm);
 * - CompleteMultipartUpload lists each part's checksum with its ETag (CompletedPart.ChecksumCRC32:
 *   "present if the multipart upload request was created with the CRC32 checksum algorithm").
 * The part's CRC32 is computed here, from the part buffer, as a header: the SDK then sends the
 * part as it is (no aws-chunked body with a trailing checksum), still without a SHA-256 payload hash.
 */
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

/** S3's minimum part size (all parts but the last): 5 MiB. */
export const PART_SIZE = 5_242_880;

/** The multipart upload's checksum algorithm, declared at create and used for every part. */
export const MULTIPART_CHECKSUM_ALGORITHM = 'CRC32';

/** The base64 of the big-endian CRC32 of `data`: S3's `x-amz-checksum-crc32` value. */
export function crc32Base64(data: Uint8Array): string {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(crc32(data) >>> 0);
  return value.toString('base64');
}

/** What the uploaded object is and how it is served. */
export interface UploadTarget {
  readonly Bucket: string;
  readonly Key: string;
  readonly ContentType: string;
  readonly ContentDisposition: string;
  readonly Metadata?: Record<string, string>;
}

/** Uploads `body` to `target`; aborts a started multipart upload when anything fails. */
export async function streamToS3(s3: S3Client, target: UploadTarget, body: Readable, partSize = PART_SIZE): Promise<void> {
  let part: Buffer | null = null;
  let filled = 0;
  const small: Buffer[] = [];
  let uploadId: string | undefined;
  const parts: CompletedPart[] = [];

  const sendPart = async (data: Buffer) => {
    uploadId ??= (await s3.send(new CreateMultipartUploadCommand({ ...target, ChecksumAlgorithm: MULTIPART_CHECKSUM_ALGORITHM }))).UploadId;
    const PartNumber = parts.length + 1;
    const ChecksumCRC32 = crc32Base64(data);
    // A stream body of known length is sent as UNSIGNED-PAYLOAD: no SHA-256 over every part.
    const { ETag } = await s3.send(
      new UploadPartCommand({
        Bucket: target.Bucket,
        Key: target.Key,
        UploadId: uploadId,
        PartNumber,
        Body: Readable.from([data]),
        ContentLength: data.length,
        ChecksumAlgorithm: MULTIPART_CHECKSUM_ALGORITHM,
        ChecksumCRC32,
      }),
    );
    parts.push({ ETag, PartNumber, ChecksumCRC32 });
  };

  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (part === null) {
        // Below one part, keep the chunks as they are; past it, switch to the reusable buffer.
        small.push(chunk);
        filled += chunk.length;
        if (filled < partSize) continue;
        // Copied chunk by chunk (no concatenated copy of the first part: 5 MB less at the peak).
        part = Buffer.allocUnsafe(partSize);
        const pending = small.splice(0);
        filled = 0;
        for (const held of pending) await copyInto(held);
        continue;
      }
      await copyInto(chunk);
    }
    if (part === null) {
      await s3.send(new PutObjectCommand({ ...target, Body: Buffer.concat(small), ContentLength: filled }));
      return;
    }
    // Past one part, at least one part has been sent: a last one only if bytes are left over.
    if (filled > 0) await sendPart(part.subarray(0, filled));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }));
  } catch (error) {
    if (uploadId !== undefined) {
      await s3.send(new AbortMultipartUploadCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: uploadId })).catch(() => undefined);
    }
    throw error;
  }

  async function copyInto(chunk: Buffer): Promise<void> {
    const buffer = part as Buffer;
    for (let offset = 0; offset < chunk.length; ) {
      const n = Math.min(chunk.length - offset, partSize - filled);
      chunk.copy(buffer, filled, offset, offset + n);
      filled += n;
      offset += n;
      if (filled === partSize) {
        await sendPart(buffer);
        filled = 0;
      }
    }
  }
}
