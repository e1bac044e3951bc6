/**
 * `npm start -- --smtp`: the local SMTP intake, run as a separate process as a developer runs it,
 * with nodemailer as the mail client. Checked against real stored state: the ledger entry of the
 * applied mail, read through the environment lines the intake prints.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

let child: ChildProcess;
let stdout = '';
let port = 0;
const exited = { code: null as number | null, signal: null as string | null };
let exitPromise: Promise<void>;
/** The stack's environment, from the `export NAME=value` lines the intake printed. */
const reach: Record<string, string> = {};

/** Resolves once stdout matches `pattern` (the child prints as it goes). */
function waitForOutput(pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, reject) => {
    const check = () => {
      const match = stdout.match(pattern);
      if (match) {
        child.stdout?.off('data', check);
        child.off('exit', fail);
        resolvePromise(match);
      }
    };
    const fail = () => reject(new Error(`the intake exited before printing ${pattern}:\n${stdout}`));
    child.stdout?.on('data', check);
    child.once('exit', fail);
    check();
  });
}

function transport() {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}

beforeAll(async () => {
  child = spawn(TSX, ['lib/local/start.ts', '--smtp', '0'], { cwd: ROOT, env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.resume();
  exitPromise = new Promise((resolvePromise) => {
    child.once('exit', (code, signal) => {
      exited.code = code;
      exited.signal = signal;
      resolvePromise();
    });
  });
  const match = await waitForOutput(/listening on 127\.0\.0\.1:(\d+)/);
  port = Number(match[1]);
  for (const [, name, value] of stdout.matchAll(/^export (\w+)=(.*)$/gm)) reach[name as string] = value as string;
}, 60_000);

afterAll(async () => {
  if (exited.code === null && exited.signal === null) {
    child.kill('SIGKILL');
    await exitPromise;
  }
});

// In the written order: the last test stops the server the others talk to (shuffled, it could run
// first and leave them a closed port).
describe('npm start -- --smtp', { shuffle: false }, () => {
  it('prints the environment lines that reach its stack', () => {
    expect(stdout).toMatch(/^unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL$/m);
    for (const name of ['AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_DYNAMODB', 'MAIL_BUCKET', 'TICKETS_TABLE', 'MESSAGES_TABLE', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'MAILBOXES']) {
      expect(reach[name], name).toBeTruthy();
    }
    expect(reach.AWS_ENDPOINT_URL_S3).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('applies a mail to a mailbox (+tag included): the ledger holds the follow-up, the raw mail has SES’s headers for the envelope recipient', async () => {
    const info = await transport().sendMail({
      from: 'alice@example.com',
      to: 'someone-else@example.com',
      bcc: 'support+printer@helpdesk.example',
      subject: 'Re: [support-42] Printer on the 3rd floor jams',
      text: 'It jams again.',
      messageId: '<smtp-intake-1@example.com>',
    });
    expect(info.accepted).toEqual(['support+printer@helpdesk.example']);
    await waitForOutput(/^smtp-0001\.eml +followup +42 .*It jams again\./m);

    const credentials = { accessKeyId: reach.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: reach.AWS_SECRET_ACCESS_KEY ?? '' };
    const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: reach.AWS_REGION, endpoint: reach.AWS_ENDPOINT_URL_DYNAMODB, credentials }));
    const s3 = new S3Client({ region: reach.AWS_REGION, endpoint: reach.AWS_ENDPOINT_URL_S3, forcePathStyle: true, credentials });
    try {
      const { Item } = await db.send(new GetCommand({ TableName: reach.MESSAGES_TABLE, Key: { messageKey: 'smtp-intake-1@example.com' }, ConsistentRead: true }));
      expect(Item).toMatchObject({ state: 'applied', outcome: 'followup', ticketId: 42, bucket: reach.MAIL_BUCKET });
      const { Contents } = await s3.send(new ListObjectsV2Command({ Bucket: reach.MAIL_BUCKET, Prefix: 'inbound/' }));
      expect(Contents?.map((c) => c.Key)).toEqual(['inbound/0001-smtp-0001.eml']);
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: reach.MAIL_BUCKET, Key: 'inbound/0001-smtp-0001.eml' }));
      const raw = (await Body?.transformToString('latin1')) ?? '';
      // SES names the envelope recipient (a Bcc here), not the To header.
      expect(raw).toMatch(/^Received: from localhost[^]*?by inbound-smtp\.us-east-1\.amazonaws\.com[^]*?for support\+printer@helpdesk\.example;/);
      expect(raw).toMatch(/^X-SES-Spam-Verdict: PASS\r$/m);
    } finally {
      db.destroy();
      s3.destroy();
    }
  });

  it('refuses an unknown recipient at RCPT TO with 550', async () => {
    const sent = transport().sendMail({ from: 'alice@example.com', to: 'sales@helpdesk.example', subject: 'Hello', text: 'Hi' });
    await expect(sent).rejects.toMatchObject({ code: 'EENVELOPE', responseCode: 550, rejected: ['sales@helpdesk.example'] });
  });

  it('stops the SMTP server and the stack on SIGTERM, exit 0', async () => {
    child.kill('SIGTERM');
    await exitPromise;
    expect(exited.code).toBe(0);
    expect(stdout).toContain('SIGTERM: stopping the SMTP intake and the local stack.');
    await expect(transport().verify()).rejects.toMatchObject({ code: 'ESOCKET' });
  });
});
