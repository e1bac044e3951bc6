/** {@link InboundListing} on S3: ListObjectsV2 under the inbound prefix, and each object's tags. */
import { GetObjectTaggingCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { MailLocation } from '../ledger-entry.js';
import type { InboundListing, ListedMail } from '../ports.js';
import { asAwsFailure, awsErrorName } from './aws-errors.js';

export class S3InboundListing implements InboundListing {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async *list(prefix: string): AsyncIterable<ListedMail> {
    let ContinuationToken: string | undefined;
    do {
      let page;
      try {
        page = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken }));
      } catch (error) {
        throw asAwsFailure(`ListObjectsV2 s3://${this.bucket}/${prefix}`, error);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined && object.LastModified !== undefined) yield { key: object.Key, lastModified: object.LastModified };
      }
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
  }

  async tags(location: MailLocation): Promise<Record<string, string> | null> {
    try {
      const { TagSet } = await this.s3.send(new GetObjectTaggingCommand({ Bucket: location.bucket, Key: location.key }));
      return Object.fromEntries((TagSet ?? []).flatMap((tag) => (tag.Key !== undefined && tag.Value !== undefined ? [[tag.Key, tag.Value]] : [])));
    } catch (error) {
      if (awsErrorName(error) === 'NoSuchKey') return null;
      throw asAwsFailure(`GetObjectTagging s3://${location.bucket}/${location.key}`, error);
    }
  }
}
