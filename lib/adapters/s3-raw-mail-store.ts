/** {@link RawMailStore} on S3. */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ObjectMissingError } from '../errors.js';
import type { MailLocation } from '../ledger-entry.js';
import type { RawMailStore } from '../ports.js';
import { asAwsFailure, asTransient, awsErrorName } from './aws-errors.js';
import { s3MetadataValue } from '../record-caps.js';
import { streamToS3 } from './s3-streaming-upload.js';
import { onAwsDeadline } from './aws-deadline.js';


/** S3 tag values allow letters, digits, white space and `+ - = . _ : / @`, up to 256 characters. */
function tagValue(value: string): string {
  return value.replace(/[^\p{L}\p{N}\s+\-=._:/@]/gu, '_').slice(0, 256);
}

/** `attachment; filename*=UTF-8''…` (RFC 6266), so browsers download rather than render. */
function contentDisposition(filename: string | null): string {
  if (!filename) return 'attachment';
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename*=UTF-8''${encoded}`;
}

export class S3RawMailStore implements RawMailStore {
  /** `derivedBucket` receives attachments and long bodies (the mail bucket). */
  constructor(
    private readonly s3: S3Client,
    private readonly derivedBucket: string,
  ) {}

  async open(location: MailLocation): Promise<{ body: Readable; size: number | null }> {
    try {
      const response = await this.s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
      const body = response.Body;
      if (!(body instanceof Readable)) throw new Error('GetObject returned no stream body');
      // At the invocation's deadline the SDK cuts the connection, which the body reports as a bare
      // "aborted": fail it with the deadline instead, so that the log says why.
      body.once('close', onAwsDeadline((reason) => body.destroy(reason)));
      return { body, size: response.ContentLength ?? null };
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchKey') throw new ObjectMissingError(location.bucket, location.key, { cause: error });
      throw asAwsFailure(`GetObject s3://${location.bucket}/${location.key}`, error);
    }
  }

  async hash(location: MailLocation): Promise<string> {
    const { body } = await this.open(location);
    const hash = createHash('sha256');
    try {
      await pipeline(body, async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) hash.update(chunk);
      });
    } catch (error) {
      throw asTransient(`reading s3://${location.bucket}/${location.key}`, error);
    }
    return hash.digest('hex');
  }

  async quarantine(location: MailLocation, key: string): Promise<void> {
    const { bucket } = location;
    try {
      await this.s3.send(
        new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${location.key.split('/').map(encodeURIComponent).join('/')}` }),
      );
    } catch (error) {
      // Gone from the inbound prefix: an earlier attempt moved it already.
      if (awsErrorName(error) === 'NoSuchKey') return;
      throw asAwsFailure(`copying s3://${bucket}/${location.key} to ${key}`, error);
    }
    try {
      await this.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: location.key }));
    } catch (error) {
      throw asAwsFailure(`deleting s3://${bucket}/${location.key} after quarantine`, error);
    }
  }

  async markOutcome(location: MailLocation, tags: Readonly<Record<string, string>>): Promise<void> {
    const TagSet = Object.entries(tags).map(([Key, Value]) => ({ Key, Value: tagValue(Value) }));
    try {
      await this.s3.send(new PutObjectTaggingCommand({ Bucket: location.bucket, Key: location.key, Tagging: { TagSet } }));
    } catch (error) {
      // A vanished object has nothing left to tag (its skip is `object-missing`).
      if (awsErrorName(error) === 'NoSuchKey') return;
      throw asAwsFailure(`PutObjectTagging s3://${location.bucket}/${location.key}`, error);
    }
  }

  async putAttachment(key: string, content: Readable, meta: { contentType: string; filename: string | null }): Promise<void> {
    try {
      await streamToS3(
        this.s3,
        {
          Bucket: this.derivedBucket,
          Key: key,
          // Served as opaque bytes: nothing stored from a mail is ever rendered by a browser from S3.
          ContentType: 'application/octet-stream',
          ContentDisposition: contentDisposition(meta.filename),
          // Metadata travels as HTTP headers: US-ASCII only, and at most 2 KB in all.
          Metadata: { 'original-content-type': s3MetadataValue(meta.contentType) },
        },
        content,
      );
    } catch (error) {
      content.resume();
      throw asAwsFailure(`upload of s3://${this.derivedBucket}/${key}`, error);
    }
  }

  async putText(key: string, text: string, mediaType: 'text/plain' | 'text/html' = 'text/plain'): Promise<void> {
    try {
      await this.s3.send(
        new PutObjectCommand({ Bucket: this.derivedBucket, Key: key, Body: text, ContentType: `${mediaType}; charset=utf-8` }),
      );
    } catch (error) {
      throw asAwsFailure(`PutObject s3://${this.derivedBucket}/${key}`, error);
    }
  }
}

