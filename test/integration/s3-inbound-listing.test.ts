/**
 * The S3 inbound listing (lib/adapters/s3-inbound-listing.ts) against s3rver: a listing and its
 * pages, an object's tags, a vanished object, and its failures named by operation. Mutation
 * testing showed these rules were reached only through the sweep, in a CLI child process, where
 * Stryker sees nothing: here the adapter is built directly and checked against stored state.
 */
import { randomUUID } from 'node:crypto';
import {
  PutObjectCommand,
  PutObjectTaggingCommand,
  type ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  type ListObjectsV2CommandOutput,
  type S3Client,
  type Tag,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { S3InboundListing } from '../../lib/adapters/s3-inbound-listing.js';
import { TransientError } from '../../lib/errors.js';
import type { ListedMail } from '../../lib/ports.js';
import { useAwsClients } from '../helpers/aws-clients.js';
import { failureOf } from '../helpers/failure.js';
import { useGateway } from '../helpers/gateway.js';

const fixture = useGateway();
const clients = useAwsClients();

/** A bucket no test creates: s3rver answers `NoSuchBucket`, as S3 does for a bucket not deployed. */
const MISSING_BUCKET = 'no-such-bucket-for-listing';

let listing: S3InboundListing;

beforeAll(() => {
  listing = new S3InboundListing(clients.s3, fixture.gateway.stack.names.bucket);
});

/** A prefix of this test's own under inbound/. */
const freshPrefix = (label: string) => `inbound/${label}-${randomUUID()}/`;

async function put(key: string, body = 'From: a@example.com\r\n\r\nhi\r\n'): Promise<void> {
  await fixture.aws.s3.send(new PutObjectCommand({ Bucket: fixture.gateway.stack.names.bucket, Key: key, Body: body }));
}

async function listed(under: S3InboundListing, prefix: string): Promise<ListedMail[]> {
  const mails: ListedMail[] = [];
  for await (const mail of under.list(prefix)) mails.push(mail);
  return mails;
}

describe('the S3 inbound listing', () => {
  it('lists every object under the prefix with its time, and nothing beside it', async () => {
    const prefix = freshPrefix('one-page');
    const keys = ['a.eml', 'b c.eml', 'sub/d.eml'].map((name) => `${prefix}${name}`);
    for (const key of keys) await put(key);
    await put(`${prefix.slice(0, -1)}-beside.eml`);

    const mails = await listed(listing, prefix);
    expect(mails.map((m) => m.key)).toEqual(keys);
    for (const mail of mails) expect(mail.lastModified).toBeInstanceOf(Date);
  });

  it('follows the continuation token page after page (S3 answers at most 1,000 keys a page), until a page is not truncated', async () => {
    // A stand-in client: s3rver cannot page (its continuation tokens use DES, which Node's OpenSSL 3 refuses: HTTP 500).
    const at = new Date('2026-12-01T10:00:00Z');
    const pages: ListObjectsV2CommandOutput[] = [
      { $metadata: {}, Contents: [{ Key: 'inbound/p/1.eml', LastModified: at }, { Key: 'inbound/p/2.eml', LastModified: at }], IsTruncated: true, NextContinuationToken: 'page-2' },
      { $metadata: {}, Contents: [{ Key: 'inbound/p/3.eml', LastModified: at }], IsTruncated: true, NextContinuationToken: 'page-3' },
      // Not truncated: a token sent along anyway is not followed.
      { $metadata: {}, Contents: [{ Key: 'inbound/p/4.eml', LastModified: at }], IsTruncated: false, NextContinuationToken: 'page-4' },
    ];
    const asked: ListObjectsV2CommandInput[] = [];
    const paging = {
      send: async (command: ListObjectsV2Command) => {
        asked.push(command.input);
        return pages[asked.length - 1];
      },
    } as unknown as S3Client;

    const mails = await listed(new S3InboundListing(paging, 'mail-bucket'), 'inbound/p/');
    expect(mails).toEqual(['1', '2', '3', '4'].map((n) => ({ key: `inbound/p/${n}.eml`, lastModified: at })));
    expect(asked).toEqual([
      { Bucket: 'mail-bucket', Prefix: 'inbound/p/', ContinuationToken: undefined },
      { Bucket: 'mail-bucket', Prefix: 'inbound/p/', ContinuationToken: 'page-2' },
      { Bucket: 'mail-bucket', Prefix: 'inbound/p/', ContinuationToken: 'page-3' },
    ]);
  });

  it('lists nothing under a prefix that holds no object', async () => {
    expect(await listed(listing, freshPrefix('empty'))).toEqual([]);
  });

  it("answers an object's tags as a record, an untagged object's as an empty one", async () => {
    const prefix = freshPrefix('tags');
    const bucket = fixture.gateway.stack.names.bucket;
    await put(`${prefix}tagged.eml`);
    await put(`${prefix}untagged.eml`);
    await fixture.aws.s3.send(
      new PutObjectTaggingCommand({ Bucket: bucket, Key: `${prefix}tagged.eml`, Tagging: { TagSet: [{ Key: 'outcome', Value: 'skipped' }, { Key: 'reason', Value: '' }] } }),
    );
    expect(await listing.tags({ bucket, key: `${prefix}tagged.eml` })).toEqual({ outcome: 'skipped', reason: '' });
    expect(await listing.tags({ bucket, key: `${prefix}untagged.eml` })).toEqual({});
  });

  it('leaves out a tag without a key or without a value rather than naming one "undefined"', async () => {
    // Real S3 refuses such a tag set, but s3rver keeps the tagging XML as sent: the SDK's types allow
    // a tag without either, and this is how one would come back.
    const prefix = freshPrefix('incomplete-tags');
    const bucket = fixture.gateway.stack.names.bucket;
    const key = `${prefix}odd.eml`;
    await put(key);
    const incomplete = [{ Key: 'no-value' }, { Value: 'no-key' }] as unknown as Tag[];
    await fixture.aws.s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: key, Tagging: { TagSet: [{ Key: 'outcome', Value: 'applied' }, ...incomplete] } }));
    expect(await listing.tags({ bucket, key })).toEqual({ outcome: 'applied' });
  });

  it('answers null for the tags of an object that is gone', async () => {
    const bucket = fixture.gateway.stack.names.bucket;
    expect(await listing.tags({ bucket, key: `${freshPrefix('gone')}never-stored.eml` })).toBeNull();
  });

  it('turns any other failure into a TransientError naming the operation and the object', async () => {
    const key = `${freshPrefix('no-bucket')}x.eml`;
    const tagsFailure = await failureOf(() => listing.tags({ bucket: MISSING_BUCKET, key }));
    expect(tagsFailure).toBeInstanceOf(TransientError);
    expect(tagsFailure.message).toBe(`GetObjectTagging s3://${MISSING_BUCKET}/${key} failed: NoSuchBucket: The specified bucket does not exist`);

    const listFailure = await failureOf(() => listed(new S3InboundListing(clients.s3, MISSING_BUCKET), 'inbound/'));
    expect(listFailure).toBeInstanceOf(TransientError);
    expect(listFailure.message).toBe(`ListObjectsV2 s3://${MISSING_BUCKET}/inbound/ failed: NoSuchBucket: The specified bucket does not exist`);
  });
});
