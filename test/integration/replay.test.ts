/**
 * `npm run replay`, run as a separate process against the embedded stack (the same command runs
 * against AWS): skipped mail is re-driven through the pipeline once its cause is fixed.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const fixture = useGateway({ mode: 'update-only', env: { MAX_MAIL_BYTES: '20000' } });

async function replay(args: readonly string[], env: Record<string, string> = {}) {
  return run(join(ROOT, 'node_modules/.bin/tsx'), ['lib/cli/replay.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...fixture.gateway.env, POWERTOOLS_LOG_LEVEL: 'SILENT', ...env },
  });
}

const ids = { unknownTicket: newMessageId('replay-unknown'), noTag: newMessageId('replay-notag'), big: newMessageId('replay-big') };
const keys: Record<string, string> = {};

beforeAll(async () => {
  keys.unknownTicket = (await fixture.gateway.deliver('unknown.eml', composeMail({ messageId: ids.unknownTicket, subject: 'Re: [support-77] where is it' }))).location.key;
  keys.noTag = (await fixture.gateway.deliver('notag.eml', composeMail({ messageId: ids.noTag, subject: 'no tag' }))).location.key;
  keys.big = (await fixture.gateway.deliver('big.eml', composeMail({ messageId: ids.big, subject: '[support-42] big', body: 'y'.repeat(30_000) }))).location.key;
});

describe('npm run replay', () => {
  it('lists what it would replay in a dry run, and writes nothing', async () => {
    // Mail of its own, so that the listing does not depend on what other tests replayed.
    const noTagId = newMessageId('dry-notag');
    const noTag = (await fixture.gateway.deliver('dry-notag.eml', composeMail({ messageId: noTagId, subject: 'no tag, listed' }))).location.key;
    const big = (await fixture.gateway.deliver('dry-big.eml', composeMail({ subject: 'no tag, big', body: 'z'.repeat(30_000) }))).location.key;
    const ledger = await fixture.aws.ledger();
    const skipped = ledger.filter((e) => e.state === 'skipped');

    const { stdout } = await replay(['--dry-run']);
    expect(stdout).toContain(`${noTag} <${bare(noTagId)}>: no-ticket-ref`);
    expect(stdout).toContain(`${big} <no Message-ID>: too-large`);
    for (const entry of skipped) expect(stdout).toContain(`${String(entry.key)} <`);
    expect(stdout).toContain(`${skipped.length} skipped mails would be replayed (dry run: nothing written)`);
    expect(await fixture.aws.ledger()).toEqual(ledger);
  });

  it('applies mail for a ticket once the ticket exists, filtered by --ticket', async () => {
    await fixture.aws.db.send(
      new PutCommand({ TableName: fixture.gateway.stack.names.ticketsTable, Item: { id: 77, queue: 'support', status: 'open', title: 'restored', submitter: 'alice@example.com', cc: [] } }),
    );
    const { stdout } = await replay(['--ticket', '77']);
    expect(stdout).toContain(`${keys.unknownTicket} <${bare(ids.unknownTicket)}>: ticket-not-found → followup on ticket 77`);
    expect(stdout).toContain('1 applied, 0 still skipped, 0 to retry');
    expect(await fixture.aws.ledgerEntry(bare(ids.unknownTicket))).toMatchObject({ state: 'applied', outcome: 'followup', ticketId: 77 });
    expect(await fixture.aws.followups(77)).toHaveLength(1);
    expect(await fixture.aws.tags(keys.unknownTicket as string)).toEqual({ [RAW_MAIL_TAGS.outcome]: 'followup', [RAW_MAIL_TAGS.ticket]: '77' });
    expect(await fixture.aws.ledgerEntry(bare(ids.noTag))).toMatchObject({ state: 'skipped', reason: 'no-ticket-ref' });
  });

  it('reports mail whose cause is not fixed as still skipped, keeping one entry', async () => {
    const { stdout } = await replay(['--reason', 'no-ticket-ref']);
    expect(stdout).toContain(`${keys.noTag} <${bare(ids.noTag)}>: no-ticket-ref → still skipped: no-ticket-ref`);
    expect((await fixture.aws.ledger()).filter((e) => e.key === keys.noTag)).toEqual([expect.objectContaining({ state: 'skipped', reason: 'no-ticket-ref' })]);
  });

  it('applies a too-large mail once the limit is raised, leaving one ledger entry for it', async () => {
    const { stdout } = await replay(['--reason', 'too-large'], { MAX_MAIL_BYTES: String(10 * 1024 * 1024) });
    expect(stdout).toContain(`${keys.big} <no Message-ID>: too-large → followup on ticket 42`);
    expect((await fixture.aws.ledger()).filter((e) => e.key === keys.big)).toEqual([expect.objectContaining({ state: 'applied', messageKey: bare(ids.big) })]);
  });

  it('re-drives a duplicate recorded under the Message-ID rule that the content rule calls a distinct mail', async () => {
    // The first mail under this Message-ID was applied; a later, different mail under it was
    // recorded as a duplicate by the rule before content fingerprints (a ledger entry as it wrote it).
    const messageId = newMessageId('replay-reused');
    await fixture.gateway.deliver('reused-first.eml', composeMail({ messageId, subject: '[support-42] first of two' }));
    const second = 'inbound/reused-second.eml';
    await fixture.gateway.store(second, composeMail({ messageId, subject: '[support-42] another mail', body: 'Other words.' }));
    const at = new Date().toISOString();
    await fixture.aws.db.send(
      new PutCommand({
        TableName: fixture.gateway.stack.names.messagesTable,
        Item: { messageKey: 'duplicate:legacy-second', direction: 'inbound', state: 'skipped', reason: 'duplicate', detail: 'this Message-ID was already handled', bucket: fixture.gateway.stack.names.bucket, key: second, messageId: bare(messageId), from: 'alice@example.com', subject: '[support-42] another mail', receivedAt: at, recordedAt: at },
      }),
    );
    const { stdout } = await replay(['--reason', 'duplicate']);
    expect(stdout).toContain(`${second} <${bare(messageId)}>: duplicate → followup on ticket 42`);
    const entries = (await fixture.aws.ledger()).filter((e) => e.key === second);
    expect(entries).toEqual([expect.objectContaining({ state: 'applied', ticketId: 42, messageKey: expect.stringMatching(new RegExp(`^${bare(messageId)}#[0-9a-f]{64}$`)) })]);
    // Threading by that Message-ID still points at the first mail's entry.
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ key: expect.not.stringContaining('reused-second'), state: 'applied' });
  });

  it('finds nothing more to do afterwards, or before --since', async () => {
    const messageId = newMessageId('replay-once');
    await fixture.gateway.deliver('replay-once.eml', composeMail({ messageId, subject: 'Re: [support-78] once' }));
    await fixture.aws.putTicket({ id: 78, status: 'open', submitter: 'alice@example.com' });
    expect((await replay(['--ticket', '78'])).stdout).toContain('1 applied, 0 still skipped, 0 to retry');
    expect((await replay(['--ticket', '78'])).stdout).toContain('0 applied, 0 still skipped, 0 to retry');
    expect(await fixture.aws.ledgerEntry(bare(messageId))).toMatchObject({ state: 'applied', ticketId: 78 });
    expect((await replay(['--since', '2999-01-01', '--dry-run'])).stdout).toContain('0 skipped mails would be replayed');
  });

  it.each([
    [['--reason', 'bored'], '--reason must be one of virus, bounce'],
    [['--since', 'last tuesday'], 'expected a date'],
    [['--ticket', '0'], 'expected a ticket id'],
  ])('rejects %j with a usage error', async (args, message) => {
    const failure = (await replay(args).catch((error: unknown) => error)) as { code: number; stderr: string };
    expect(failure.code).toBe(2);
    expect(failure.stderr).toContain(message);
  });
});
