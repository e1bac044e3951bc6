/**
 * What the benchmark (`run.ts`) and the profiler (`profile.ts`) share: the local stack in a process
 * of its own, the deployed bundle, the mails they measure, and storing a mail as SES stores it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { withSimulatedSesReceipt } from '../../lib/local/ses-receipt.js';
import { encodeS3Key } from '../../lib/intake.js';
import { LOCAL_NAMES } from '../../lib/local/embedded-stack.js';
import { composeMime } from '../helpers/compose.js';
import { newMessageId } from '../helpers/mail.js';
import { extractZip } from '../helpers/unzip.js';

export const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, '../..');
export const HERE = import.meta.dirname;

/** The mailboxes of the measured gateway: an update-only one (ticket 42 lives in its queue) and a create one. */
export const BENCH_MAILBOXES = 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create';

export function startStack(): Promise<{ child: ChildProcess; env: Record<string, string> }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(HERE, 'stack.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolvePromise({ child, env: JSON.parse(line) as Record<string, string> });
    });
    child.once('exit', (code) => reject(new Error(`the stack process exited (${code})`)));
  });
}

/** The gateway's environment against the stack's endpoints. */
export function gatewayEnvironment(stackEnv: Record<string, string>): Record<string, string> {
  return {
    ...stackEnv,
    PATH: process.env.PATH ?? '',
    INBOUND_PREFIX: 'inbound/',
    MAILBOXES: BENCH_MAILBOXES,
    UPDATE_ONLY: 'true',
    POWERTOOLS_LOG_LEVEL: 'INFO',
  };
}

/** The deployed bundle, built by `serverless package` and unpacked from the function's zip (entry and chunks). */
export async function packagedBundle(dir: string): Promise<string> {
  await run(join(ROOT, 'node_modules/.bin/serverless'), ['package', '--package', join(dir, 'package')], { cwd: ROOT });
  await extractZip(join(dir, 'package', 'ingestMail.zip'), join(dir, 'function'));
  return join(dir, 'function', 'functions', 'ingest-mail.mjs');
}

/** Bytes of base64 attachment that make a mail of about `bytes` bytes. */
function attachmentBytesFor(bytes: number): number {
  return Math.max(0, Math.floor(((bytes - 1500) * 3 * 76) / (4 * 78)));
}

/** A reply to ticket 42 of about `bytes` bytes, most of it one base64 attachment (or text, for small ones). */
export async function mailOfSize(bytes: number): Promise<Buffer> {
  return composeMime({
    from: 'alice@example.com',
    to: 'support@helpdesk.example',
    subject: `Re: [support-42] report of ${bytes} bytes`,
    messageId: newMessageId(`bench-${bytes}`),
    text: 'The logs are attached.\n',
    attachments: [{ filename: 'logs.tar.gz', content: randomBytes(attachmentBytesFor(bytes)) }],
  });
}

/**
 * A new question of about `bytes` bytes to the update-only mailbox: no ticket reference, so the
 * gateway skips it (`no-ticket-ref`), a decision its headers already make. Most of it is one
 * base64 attachment, as a customer's first mail with a screenshot or a log.
 */
export async function skippedMailOfSize(bytes: number, n: number): Promise<Buffer> {
  return composeMime({
    from: 'bob@example.org',
    to: 'support@helpdesk.example',
    subject: `The export fails (${n})`,
    messageId: newMessageId(`bench-skip-${bytes}-${n}`),
    text: 'Hello, the nightly export fails since Monday; the log is attached.\n\nBob\n',
    attachments: [{ filename: 'export.log.gz', content: randomBytes(attachmentBytesFor(bytes)) }],
  });
}

/**
 * A typical 5 KB reply as Gmail or Outlook send it: multipart/alternative, a short answer above the
 * quoted thread, in plain text and in HTML.
 */
export function typicalMail(n: number): Promise<Buffer> {
  const lines = Array.from({ length: 24 }, (_, i) => `line ${i} of the earlier message in this thread, quoted by the mail client`);
  return composeMime({
    from: 'Alice Example <alice@example.com>',
    to: 'support@helpdesk.example',
    subject: `Re: [support-42] Printer jams (${n})`,
    messageId: newMessageId(`typical-${n}`),
    inReplyTo: '<notification-42-1.5f2c9e1b7a@helpdesk.example>',
    text: `Thanks, that helped.\n\nAlice\n\nOn Thu, 26 Nov 2026, Helpdesk wrote:\n${lines.map((l) => `> ${l}`).join('\n')}\n`,
    html: `<div dir="ltr">Thanks, that helped.<br><br>Alice</div><br><div class="gmail_quote"><blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">${lines.map((l) => `<div>${l}</div>`).join('')}</blockquote></div>`,
  });
}

export function s3Event(bucket: string, key: string, size: number) {
  return { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', eventTime: new Date().toISOString(), s3: { bucket: { name: bucket }, object: { key: encodeS3Key(key), size } } }] };
}

/** An S3 client on the stack, and `store`: puts a mail as SES stores it (with its receipt headers, a sender that passes) and returns its S3 event. */
export function benchStore(stackEnv: Record<string, string>) {
  const s3 = new S3Client({
    region: stackEnv.AWS_REGION,
    endpoint: stackEnv.AWS_ENDPOINT_URL_S3,
    forcePathStyle: true,
    credentials: { accessKeyId: stackEnv.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: stackEnv.AWS_SECRET_ACCESS_KEY ?? '' },
  });
  const mailboxes = ['support@helpdesk.example', 'new@helpdesk.example'];
  const store = async (key: string, raw: Buffer | string) => {
    const body = withSimulatedSesReceipt(typeof raw === 'string' ? Buffer.from(raw) : raw, { mailboxes, region: stackEnv.AWS_REGION ?? 'us-east-1', now: new Date() });
    await s3.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: key, Body: body }));
    return s3Event(LOCAL_NAMES.bucket, key, body.length);
  };
  return { s3, store };
}
