/**
 * P3: AWS calls per mail, counted through the SDK (the clients' call observer) while the real
 * handler processes one mail of each kind. Writes the counts to the file named by argv[2].
 * Runs with the gateway's environment pointing at the benchmark's stack.
 */
import { writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { withSimulatedSesReceipt } from '../../lib/local/ses-receipt.js';
import { encodeS3Key } from '../../lib/intake.js';
import { LOCAL_NAMES } from '../../lib/local/embedded-stack.js';
import { composeMime } from '../helpers/compose.js';
import { composeMail, newMessageId } from '../helpers/mail.js';
import { DUPLICATE_ORIGINAL, MAIL_FOR_REASON, REASON_ENV } from '../helpers/mail-for-each-reason.js';

Object.assign(process.env, REASON_ENV);
const { observeAwsCalls } = await import('../../lib/adapters/aws-clients.js');
const { handler } = (await import('../../functions/ingest-mail.js')) as { handler: (event: unknown) => Promise<{ mails?: { outcome: { kind: string; reason?: string } }[] }> };

const s3 = new S3Client({ forcePathStyle: true });
let n = 0;

/** Stores `raw` (unless null: a missing object) and counts the calls the handler makes for it. */
async function count(raw: string | Buffer | null): Promise<{ calls: number; outcome: string }> {
  n += 1;
  const key = `inbound/calls-${n}.eml`;
  // Stored as SES stores mail, with its receipt headers (mail-for-each-reason's fixtures keep their own).
  const mailboxes = ['support@helpdesk.example', 'new@helpdesk.example'];
  if (raw !== null) await s3.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: key, Body: withSimulatedSesReceipt(Buffer.from(raw), { mailboxes, region: 'us-east-1', now: new Date() }) }));
  let calls = 0;
  const stop = observeAwsCalls(() => {
    calls += 1;
  });
  try {
    const result = await handler({ Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: LOCAL_NAMES.bucket }, object: { key: encodeS3Key(key) } } }] });
    const outcome = result.mails?.[0]?.outcome;
    return { calls, outcome: outcome?.kind === 'skipped' ? String(outcome.reason) : String(outcome?.kind) };
  } finally {
    stop();
  }
}

const followup = await count(composeMail({ subject: 'Re: [support-42] hi' }));
const followupAttachments = await count(
  await composeMime({ from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'Re: [support-42] files', messageId: newMessageId('calls'), text: 'x', attachments: [{ content: randomBytes(2000) }, { content: randomBytes(2000) }] }),
);
const created = await count(composeMail({ to: 'new@helpdesk.example', subject: 'a new request' }));
await count(DUPLICATE_ORIGINAL);
const skips: Record<string, number> = {};
for (const reason of Object.keys(MAIL_FOR_REASON) as (keyof typeof MAIL_FOR_REASON)[]) {
  const result = await count(await MAIL_FOR_REASON[reason]());
  if (result.outcome !== reason) throw new Error(`the ${reason} mail came to ${result.outcome}`);
  skips[reason] = result.calls;
}
for (const [name, result] of Object.entries({ followup, followupAttachments, created })) {
  const expected = name === 'created' ? 'created' : 'followup';
  if (result.outcome !== expected) throw new Error(`the ${name} mail came to ${result.outcome}`);
}
await writeFile(process.argv[2] as string, JSON.stringify({ followup: followup.calls, followupAttachments: followupAttachments.calls, created: created.calls, skips }));
s3.destroy();
