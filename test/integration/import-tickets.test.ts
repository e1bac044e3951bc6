/**
 * `npm run import-tickets`, run as a separate process against the embedded stack (through the
 * SDK's endpoint variables, as it runs against AWS), then mail through the real handler: imported
 * tickets take follow-ups by subject tag, merges and reopens work, and new tickets get ids after
 * the imported ones.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { TICKET_COUNTER_ID } from '../../lib/adapters/dynamodb-ticket-store.js';
import { useGateway } from '../helpers/gateway.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const DUMPDATA = join(ROOT, 'test/fixtures/import/django-helpdesk-dumpdata.json');

const fixture = useGateway({
  tickets: [],
  queues: ['support', 'billing'],
  env: { MAILBOXES: 'support@helpdesk.example=support:update-only,billing@helpdesk.example=billing:update-only,new@helpdesk.example=support:create' },
});

async function importTickets(...args: string[]): Promise<string> {
  const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['lib/cli/import-tickets.ts', ...args], { cwd: ROOT, env: { ...process.env, ...fixture.gateway.stack.env } });
  return stdout;
}

async function reply(from: string, subject: string, to = 'support@helpdesk.example') {
  const messageId = newMessageId('reply');
  const report = await fixture.gateway.deliver(`${messageId}.eml`, composeMail({ from, to, subject, messageId, body: `Reply from ${from}` }));
  return { report, messageId: bare(messageId) };
}

/** The file's one import of the dumpdata fixture, before any test: what it printed. */
let firstImport = '';
beforeAll(async () => {
  firstImport = await importTickets(DUMPDATA);
});

/** The ticket id counter's value now. */
const counterNow = async () => Number((await fixture.aws.ticket(TICKET_COUNTER_ID))?.lastTicketId);

describe('importing a django-helpdesk dumpdata file', () => {
  it('loads the tickets, reports what it skipped, and raises the id counter to the highest id in the file', async () => {
    expect(firstImport).toContain('django-helpdesk dumpdata, 5 tickets in 2 queues (billing, support)');
    expect(firstImport).toContain('imported  ticket 16 [support-16] duplicate → 3 "Printer jams again"');
    expect(firstImport).toContain('skipped   ticket 21: status 7 is none of');
    expect(firstImport).toContain('ticket id counter: 0 → 21');
    expect(firstImport).toContain('5 imported, 0 already present, 1 skipped');
    expect(await fixture.aws.ticket(7)).toMatchObject({ queue: 'support', status: 'reopened', submitter: 'bob@customer.example', cc: ['linus@helpdesk.example.com'], importedFrom: 'django-helpdesk dumpdata' });
    expect(await fixture.aws.ticket(16)).toMatchObject({ status: 'duplicate', mergedInto: 3 });
    expect(await counterNow()).toBeGreaterThanOrEqual(21);
  });

  it('imports nothing twice on a re-run', async () => {
    const counter = await counterNow();
    const stdout = await importTickets(DUMPDATA);
    expect(stdout).toContain('0 imported, 5 already present, 1 skipped');
    // Ticket 7 takes no mail in these tests: it is the same ticket the first import wrote.
    expect(stdout).toContain('present   ticket 7: already imported, unchanged');
    expect(stdout).toContain(`ticket id counter: ${counter} → ${counter}`);
  });

  it('gives a reply by subject tag to an imported ticket a follow-up on it', async () => {
    const { report, messageId } = await reply('Ada Lovelace <ada@customer.example>', 'Re: [support-3] Printer on the 3rd floor jams');
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 3 });
    expect((await fixture.aws.followups(3)).map((f) => f.messageKey)).toContain(messageId);
  });

  it('follows an imported merge, and reopens an imported closed ticket', async () => {
    const merged = await reply('erin@customer.example', 'Re: [support-16] Printer jams again');
    expect(merged.report.outcome).toMatchObject({ kind: 'followup', ticketId: 3 });
    expect(await fixture.aws.ledgerEntry(merged.messageId)).toMatchObject({ mergedFrom: [16] });
    const closed = await reply('dave@customer.example', 'Re: [support-15] Laptop battery swelling');
    expect(closed.report.outcome).toMatchObject({ kind: 'followup', ticketId: 15, reopened: true });
  });

  it('opens new tickets after the imported ids, and a later re-run overwrites nothing', async () => {
    const created = await reply('zoe@customer.example', 'Monitor flickers', 'new@helpdesk.example');
    expect(created.report.outcome).toMatchObject({ kind: 'created', ticketId: await counterNow() });
    expect(await counterNow()).toBeGreaterThan(21);
    // An agent changed ticket 12 in the helpdesk since the import: a re-run leaves it as it is.
    await fixture.aws.putTicket({ id: 12, status: 'closed', submitter: 'carol@customer.example', title: 'changed by an agent' });
    const counter = await counterNow();
    const stdout = await importTickets(DUMPDATA);
    expect(stdout).toContain('present   ticket 12: the id is taken by a different ticket (or it changed since): not overwritten');
    expect(await fixture.aws.ticket(12)).toMatchObject({ status: 'closed', title: 'changed by an agent' });
    expect(stdout).toContain(`ticket id counter: ${counter} → ${counter}`);
  });
});

describe('npm run import-tickets', () => {
  it('reads a tickets file too, and says what a dry run would do without writing', async () => {
    const counter = await counterNow();
    const stdout = await importTickets('--dry-run', join(ROOT, 'samples/tickets.json'));
    expect(stdout).toContain('samples/tickets.json: tickets file, 4 tickets in 2 queues (billing, support)');
    expect(stdout).toContain('would import ticket 44 [support-44] duplicate → 42 "Printer jams again"');
    expect(stdout).toContain('would raise the ticket id counter to 44');
    expect(await counterNow()).toBe(counter);
    expect(await fixture.aws.ticket(44)).toBeUndefined();
  });

  it('imports a tickets file with outbound Message-IDs, so that replies to those notifications thread in', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'import-'));
    try {
      const file = join(dir, 'tickets.json');
      // An id well above any the other tests' new tickets reach, so the counter is raised to it.
      await writeFile(file, JSON.stringify([{ id: 300, queue: 'support', status: 'open', title: 'Badge', submitter: 'yan@customer.example', outboundMessageIds: ['<notify-300-1@helpdesk.example>'] }]));
      const counter = await counterNow();
      const stdout = await importTickets(file);
      expect(stdout).toContain('1 imported, 0 already present, 0 skipped, 1 outbound Message-ID registered');
      expect(stdout).toContain(`ticket id counter: ${counter} → 300`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const threaded = await fixture.gateway.deliver('threaded.eml', composeMail({ from: 'yan@customer.example', subject: 'Re: your badge', inReplyTo: '<notify-300-1@helpdesk.example>' }));
    expect(threaded.outcome).toMatchObject({ kind: 'followup', ticketId: 300 });
  });

  it('refuses a file that is neither format, with exit code 2', async () => {
    await expect(run(join(ROOT, 'node_modules/.bin/tsx'), ['lib/cli/import-tickets.ts', join(ROOT, 'package.json')], { cwd: ROOT })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('expected a JSON array'),
    });
  });
});
