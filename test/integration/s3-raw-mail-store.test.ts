/**
 * The S3 raw mail store (lib/adapters/s3-raw-mail-store.ts) against s3rver: opening and hashing a
 * mail, quarantining it, tagging its outcome, storing attachments and long bodies — what lands in
 * S3, and each failure as the error its operation names. Mutation testing showed these rules were
 * reached only through the handler (where a wrong fallback or message changed no outcome) or a CLI
 * child process: here the adapter is built directly and checked against stored state.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observed } from '../../lib/adapters/aws-clients.js';
import { S3RawMailStore } from '../../lib/adapters/s3-raw-mail-store.js';
import { ObjectMissingError, TransientError } from '../../lib/errors.js';
import type { MailLocation } from '../../lib/ledger-entry.js';
import { s3ClientAt, useAwsClients } from '../helpers/aws-clients.js';
import { failureOf } from '../helpers/failure.js';
import { NO_FAULTS, startFaultProxy, type Fault, type FaultProxy } from '../helpers/fault-proxy.js';
import { useGateway } from '../helpers/gateway.js';
import { requestsDuring } from '../helpers/observing.js';

const fixture = useGateway();
const clients = useAwsClients();

/** A bucket no test creates: s3rver answers `NoSuchBucket`, as S3 does for a bucket not deployed. */
const MISSING_BUCKET = 'no-such-bucket-for-raw-mail';

let store: S3RawMailStore;
/**
 * A proxy in front of s3rver that fails the requests a test picks, and a client that goes through
 * it (observed as the gateway's are: the tests see what it sent).
 */
let proxy: FaultProxy;
let proxied: S3Client;

beforeAll(async () => {
  const env = fixture.gateway.stack.env;
  store = new S3RawMailStore(clients.s3, fixture.gateway.stack.names.bucket);
  proxy = await startFaultProxy('s3', env.AWS_ENDPOINT_URL_S3 as string);
  proxied = observed(s3ClientAt(env, proxy.url));
});

afterAll(async () => {
  proxied.destroy();
  await proxy.close();
});

const bucket = () => fixture.gateway.stack.names.bucket;

/** A location of this test's own under inbound/. */
const fresh = (label: string): MailLocation => ({ bucket: bucket(), key: `inbound/${label}-${randomUUID()}.eml` });

async function put(location: MailLocation, body: Buffer | string): Promise<void> {
  await fixture.aws.s3.send(new PutObjectCommand({ Bucket: location.bucket, Key: location.key, Body: body }));
}

async function exists(key: string): Promise<boolean> {
  return fixture.aws.s3.send(new GetObjectCommand({ Bucket: bucket(), Key: key })).then(
    async ({ Body }) => {
      await (Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      return true;
    },
    (error: unknown) => {
      if ((error as Error).name === 'NoSuchKey') return false;
      throw error;
    },
  );
}

/** Runs `action` with the proxy failing the requests `fault` picks, then lets every request through again. */
async function withFaults<T>(fault: (request: IncomingMessage) => Fault, action: () => Promise<T>): Promise<T> {
  proxy.plan = { decide: (_service, request) => fault(request) };
  try {
    return await action();
  } finally {
    proxy.plan = NO_FAULTS;
  }
}

const readAll = async (body: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
};

describe('opening and hashing a raw mail', () => {
  it('opens the stored object as a stream with its size, and hashes its bytes', async () => {
    const location = fresh('open');
    const bytes = randomBytes(70_000);
    await put(location, bytes);
    const { body, size } = await store.open(location);
    expect(size).toBe(70_000);
    expect((await readAll(body)).equals(bytes)).toBe(true);
    expect(await store.hash(location)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('answers an ObjectMissingError for an object that is gone, with the answer of S3 as its cause', async () => {
    const location = fresh('gone');
    const failure = await failureOf(() => store.open(location));
    expect(failure).toBeInstanceOf(ObjectMissingError);
    expect(failure).toMatchObject({ bucket: location.bucket, key: location.key, message: `s3://${location.bucket}/${location.key} does not exist` });
    expect(failure.cause).toMatchObject({ name: 'NoSuchKey' });
    expect(await failureOf(() => store.hash(location))).toBeInstanceOf(ObjectMissingError);
  });

  it('turns any other GetObject failure into a TransientError naming the object', async () => {
    const location = { bucket: MISSING_BUCKET, key: 'inbound/x.eml' };
    const failure = await failureOf(() => store.open(location));
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure.message).toBe(`GetObject s3://${MISSING_BUCKET}/inbound/x.eml failed: NoSuchBucket: The specified bucket does not exist`);
  });

  it('refuses an answer without a stream body, naming the object', async () => {
    // An S3 server's answer always reaches the SDK's Node handler as a stream: a middleware on this
    // test's own client, around the real GetObject, drops the body (closing it) from the answer.
    const location = fresh('no-body');
    await put(location, 'body\r\n');
    const env = fixture.gateway.stack.env;
    const noBody = s3ClientAt(env, env.AWS_ENDPOINT_URL_S3);
    noBody.middlewareStack.add(
      (next) => async (args) => {
        const answer = await next(args);
        const { output } = answer;
        if ('Body' in output) {
          if (output.Body instanceof Readable) output.Body.destroy();
          delete output.Body;
        }
        return answer;
      },
      { step: 'initialize', name: 'dropBody' },
    );
    try {
      const failure = await failureOf(() => new S3RawMailStore(noBody, bucket()).open(location));
      expect(failure).toBeInstanceOf(TransientError);
      expect(failure.message).toBe(`GetObject s3://${location.bucket}/${location.key} failed: Error: GetObject returned no stream body`);
    } finally {
      noBody.destroy();
    }
  });

  it('fails the hash with a TransientError when the body breaks off while it is read, rather than hashing part of it', async () => {
    const location = fresh('cut');
    await put(location, randomBytes(200_000));
    const cutStore = new S3RawMailStore(proxied, bucket());
    const failure = await withFaults(
      (request) => (request.method === 'GET' && request.url?.includes(location.key) ? 'truncate-body' : 'none'),
      () => failureOf(() => cutStore.hash(location)),
    );
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure.message).toMatch(new RegExp(`^reading s3://${bucket()}/${location.key} failed: `));
  });
});

describe('quarantining a raw mail', () => {
  it('moves the object to the quarantine key', async () => {
    const location = fresh('virus ü');
    const quarantined = `quarantine/${randomUUID()}.eml`;
    await put(location, 'X-Virus: yes\r\n\r\nbody\r\n');
    await store.quarantine(location, quarantined);
    expect((await fixture.aws.objectBytes(quarantined)).toString()).toBe('X-Virus: yes\r\n\r\nbody\r\n');
    expect(await exists(location.key)).toBe(false);
  });

  it('does nothing for an object an earlier attempt moved already', async () => {
    const quarantined = `quarantine/${randomUUID()}.eml`;
    await store.quarantine(fresh('moved-already'), quarantined);
    expect(await exists(quarantined)).toBe(false);
  });

  it('turns a failed copy into a TransientError naming both keys, and deletes nothing', async () => {
    const location = fresh('uncopyable');
    const quarantined = `quarantine/${randomUUID()}.eml`;
    await put(location, 'body\r\n');
    const deniedBefore = proxy.stats.faults['deny-access'];
    // The copy (a PUT naming its source in x-amz-copy-source) refused as for a role without the permission.
    const { result: failure, requests } = await withFaults(
      (request) => (request.method === 'PUT' && request.headers['x-amz-copy-source'] !== undefined ? 'deny-access' : 'none'),
      () => requestsDuring(() => failureOf(() => new S3RawMailStore(proxied, bucket()).quarantine(location, quarantined))),
    );
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure.message).toBe(`copying s3://${bucket()}/${location.key} to ${quarantined} failed: AccessDenied: Access Denied`);
    expect(proxy.stats.faults['deny-access'] - deniedBefore).toBe(1);
    // One copy attempt (a refusal is not retried), and no DeleteObject after it.
    expect(requests.map((r) => r.command)).toEqual(['CopyObjectCommand']);
    expect((await fixture.aws.objectBytes(location.key)).toString()).toBe('body\r\n');
    expect(await exists(quarantined)).toBe(false);
  });

  it('turns a failed delete after the copy into a TransientError, leaving the mail in place for the next attempt', async () => {
    const location = fresh('undeletable');
    const quarantined = `quarantine/${randomUUID()}.eml`;
    await put(location, 'body\r\n');
    const failure = await withFaults(
      (request) => (request.method === 'DELETE' ? 'deny-access' : 'none'),
      () => failureOf(() => new S3RawMailStore(proxied, bucket()).quarantine(location, quarantined)),
    );
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure.message).toBe(`deleting s3://${bucket()}/${location.key} after quarantine failed: AccessDenied: Access Denied`);
    expect(await exists(location.key)).toBe(true);
    expect(await exists(quarantined)).toBe(true);
  });
});

describe('tagging the outcome of a raw mail', () => {
  it('stores the tags, with each value cut to what S3 allows: letters, digits, white space and + - = . _ : / @, at most 256 characters', async () => {
    const location = fresh('tags');
    await put(location, 'body\r\n');
    await store.markOutcome(location, {
      outcome: 'skipped',
      reason: 'sender-not-allowed',
      kept: 'Grüße 42 a+b-c=d.e_f:g/h@i',
      replaced: 'a!b#c,d;e<f>g"h(i)j*k',
      long: 'x'.repeat(300),
    });
    expect(await fixture.aws.tags(location.key)).toEqual({
      outcome: 'skipped',
      reason: 'sender-not-allowed',
      kept: 'Grüße 42 a+b-c=d.e_f:g/h@i',
      replaced: 'a_b_c_d_e_f_g_h_i_j_k',
      long: 'x'.repeat(256),
    });
  });

  it('tags nothing and does not fail for an object that is gone', async () => {
    const location = fresh('gone-tags');
    // Resolves (S3's NoSuchKey is the answer the store takes as "nothing to tag"), after the one
    // tagging request: not retried, and nothing written to make the object taggable.
    const { requests } = await requestsDuring(() => store.markOutcome(location, { outcome: 'skipped' }));
    expect(requests.map((r) => [r.command, r.method, r.path])).toEqual([['PutObjectTaggingCommand', 'PUT', `/${location.bucket}/${location.key}`]]);
  });

  it('turns any other failure into a TransientError naming the object', async () => {
    const failure = await failureOf(() => store.markOutcome({ bucket: MISSING_BUCKET, key: 'inbound/x.eml' }, { outcome: 'applied' }));
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure.message).toBe(`PutObjectTagging s3://${MISSING_BUCKET}/inbound/x.eml failed: NoSuchBucket: The specified bucket does not exist`);
  });
});

describe('storing attachments and long bodies', () => {
  it('stores an attachment as opaque bytes, to be downloaded under its name (RFC 6266, with \' ( ) * encoded too), its type in metadata', async () => {
    const cases: [string | null, string, number][] = [
      [null, 'attachment', 1_000],
      ['', 'attachment', 1_000],
      ["it's (1)*.txt", "attachment; filename*=UTF-8''it%27s%20%281%29%2A.txt", 1_000],
      ['Grüße.pdf', "attachment; filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf", 1_000],
      // Past one part: a multipart upload, whose type the SDK does not default as it does PutObject's.
      ['big.bin', "attachment; filename*=UTF-8''big.bin", 5 * 1024 * 1024 + 1],
    ];
    for (const [filename, disposition, size] of cases) {
      const key = `attachments/${randomUUID()}`;
      const bytes = randomBytes(size);
      await store.putAttachment(key, Readable.from([bytes]), { contentType: 'text/html', filename });
      const head = await fixture.aws.objectHead(key);
      expect(head.ContentType).toBe('application/octet-stream');
      expect(head.ContentDisposition).toBe(disposition);
      expect(head.Metadata).toEqual({ 'original-content-type': 'text/html' });
      expect(Buffer.from(await (head.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()).equals(bytes)).toBe(true);
    }
  });

  it('turns a failed attachment upload into a TransientError naming the object', async () => {
    const content = Readable.from([Buffer.from('attached')]);
    const failure = await failureOf(() => new S3RawMailStore(clients.s3, MISSING_BUCKET).putAttachment('attachments/x', content, { contentType: 'text/plain', filename: 'x.txt' }));
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure.message).toBe(`upload of s3://${MISSING_BUCKET}/attachments/x failed: NoSuchBucket: The specified bucket does not exist`);
  });

  it('stores a long body as UTF-8 text of its media type', async () => {
    const plain = `bodies/${randomUUID()}.txt`;
    const html = `bodies/${randomUUID()}.html`;
    await store.putText(plain, 'Grüße\n');
    await store.putText(html, '<p>Grüße</p>', 'text/html');
    expect((await fixture.aws.objectBytes(plain)).toString('utf8')).toBe('Grüße\n');
    expect((await fixture.aws.objectHead(plain)).ContentType).toBe('text/plain; charset=utf-8');
    expect((await fixture.aws.objectHead(html)).ContentType).toBe('text/html; charset=utf-8');
  });

  it('turns a failed text upload into a TransientError naming the object', async () => {
    const failure = await failureOf(() => new S3RawMailStore(clients.s3, MISSING_BUCKET).putText('bodies/x.txt', 'text'));
    expect(failure).toBeInstanceOf(TransientError);
    expect(failure.message).toBe(`PutObject s3://${MISSING_BUCKET}/bodies/x.txt failed: NoSuchBucket: The specified bucket does not exist`);
  });
});
