/**
 * Streams an object of unknown length into S3 with flat memory: a small object goes up in one
 * PutObject; a larger one as a multipart upload through one reusable part buffer (S3's minimum
 * part size), so memory does not grow with the object. (lib-storage's Upload concatenates each
 * part anew, which doubles its memory and leaves garbage behind.)
 */
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';

/** S3's minimum part size (all parts but the last). */
export const PART_SIZE = 5 * 1024 * 1024;

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
    uploadId ??= (await s3.send(new CreateMultipartUploadCommand(target))).UploadId;
    const PartNumber = parts.length + 1;
    // A stream body of known length is sent as UNSIGNED-PAYLOAD: no SHA-256 over every part.
    const { ETag } = await s3.send(
      new UploadPartCommand({ Bucket: target.Bucket, Key: target.Key, UploadId: uploadId, PartNumber, Body: Readable.from([data]), ContentLength: data.length }),
    );
    parts.push({ ETag, PartNumber });
  };

  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      if (part === null) {
        // Below one part, keep the chunks as they are; past it, switch to the reusable buffer.
        small.push(chunk);
        filled += chunk.length;
        if (filled < partSize) continue;
        part = Buffer.allocUnsafe(partSize);
        const pending = Buffer.concat(small);
        small.length = 0;
        filled = 0;
        await copyInto(pending);
        continue;
      }
      await copyInto(chunk);
    }
    if (part === null) {
      await s3.send(new PutObjectCommand({ ...target, Body: Buffer.concat(small), ContentLength: filled }));
      return;
    }
    if (filled > 0 || parts.length === 0) await sendPart(part.subarray(0, filled));
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
