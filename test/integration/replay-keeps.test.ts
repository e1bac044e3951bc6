/**
 * A replay never destroys information: `npm run replay` over entries whose cause it cannot fix
 * leaves each entry exactly as it was — a virus entry keeps its quarantine key, sender and
 * Message-ID (its object is gone from the inbound prefix, so a replay can only find it missing), an
 * object-missing entry keeps its time, and a skip that comes out the same is not rewritten. Only an
 * outcome that gets further with the mail replaces a skip. Against the embedded stack.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DeleteObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const fixture = useGateway({ mode: 'update-only' });

async function replay(args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  return run(join(ROOT, 'node_modules/.bin/tsx'), ['lib/cli/replay.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...fixture.gateway.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
  });
}

const before: Record<string, Record<string, unknown>> = {};
const noTagId = newMessageId('keeps-notag');
const laterId = newMessageId('keeps-later');

/** The one ledger entry of a stored object. */
async function entryOf(key: string): Promise<Record<string, unknown>> {
  const entries = (await fixture.aws.ledger()).filter((e) => e.key === key);
  expect(entries).toHaveLength(1);
  return entries[0] as Record<string, unknown>;
}

beforeAll(async () => {
  const virus = await fixture.gateway.deliver('virus.eml', await readFile(join(import.meta.dirname, '../fixtures/hygiene/ses-virus-verdict-fail.eml')));
  before.virus = await entryOf(virus.location.key);

  const event = await fixture.gateway.store('inbound/keeps-vanished.eml', composeMail());
  await fixture.aws.s3.send(new DeleteObjectCommand({ Bucket: fixture.gateway.stack.names.bucket, Key: 'inbound/keeps-vanished.eml' }));
  await fixture.gateway.handler(event);
  before.missing = await entryOf('inbound/keeps-vanished.eml');

  before.noTag = await entryOf((await fixture.gateway.deliver('keeps-notag.eml', composeMail({ messageId: noTagId, subject: 'no tag' }))).location.key);
  before.later = await entryOf((await fixture.gateway.deliver('keeps-later.eml', composeMail({ messageId: laterId, subject: 'Re: [support-88] soon' }))).location.key);
});

describe('a replay that cannot get further', () => {
  it('leaves the virus entry, the object-missing entry and an unchanged skip exactly as they were', async () => {
    expect(before.virus).toMatchObject({ reason: 'virus', from: 'alice@example.com', messageId: 'virus-1@example.com', quarantineKey: expect.stringMatching(/^quarantine\//) });
    const { stdout } = await replay(['--reason', 'virus']);
    expect(stdout).toContain('→ still skipped: virus');
    await replay(['--reason', 'object-missing']);
    await replay(['--reason', 'no-ticket-ref']);
    expect(await entryOf(String(before.virus?.key))).toEqual(before.virus);
    expect(await entryOf('inbound/keeps-vanished.eml')).toEqual(before.missing);
    expect(await entryOf(String(before.noTag?.key))).toEqual(before.noTag);
  });

  it('still replaces a skip with an applied outcome once the cause is fixed', async () => {
    await fixture.aws.db.send(
      new PutCommand({ TableName: fixture.gateway.stack.names.ticketsTable, Item: { id: 88, queue: 'support', status: 'open', title: 'later', submitter: 'alice@example.com', cc: [] } }),
    );
    const { stdout } = await replay(['--reason', 'ticket-not-found']);
    expect(stdout).toContain('followup on ticket 88');
    expect(await fixture.aws.ledgerEntry(bare(laterId))).toMatchObject({ state: 'applied', ticketId: 88 });
  });

  it('keeps the skip when the replayed mail must be retried, and exits 1', async () => {
    const messageId = newMessageId('keeps-retry');
    const key = (await fixture.gateway.deliver('keeps-retry.eml', composeMail({ messageId, subject: 'Re: [support-89] not yet' }))).location.key;
    await fixture.aws.putTicket({ id: 89, status: 'open', submitter: 'alice@example.com' });
    const skipped = await entryOf(key);
    expect(skipped).toMatchObject({ state: 'skipped', reason: 'ticket-not-found', ticketId: 89 });

    // S3 cannot be reached (nothing listens on port 1): reading the raw mail fails, a transient failure.
    const failed = (await replay(['--ticket', '89'], { AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:1', AWS_MAX_ATTEMPTS: '1' }).catch((error: unknown) => error)) as {
      code: number;
      stdout: string;
    };
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain(`${key} <${bare(messageId)}>: ticket-not-found → retry later:`);
    expect(failed.stdout).toContain('0 applied, 0 still skipped, 1 to retry');
    expect(await entryOf(key)).toEqual(skipped);

    // Once S3 is back, the same replay applies it.
    expect((await replay(['--ticket', '89'])).stdout).toContain('1 applied, 0 still skipped, 0 to retry');
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied', ticketId: 89 });
  });
});
