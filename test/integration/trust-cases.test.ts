/**
 * The trust cases of issue 10 (copied from the shared real-world cases into test/fixtures/trust),
 * each through the local run exactly as a user runs it: `npm start -- --json`, a separate process,
 * SES's receipt simulated for files that carry none of its headers (as for a sender that passes).
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const TRUST = join(ROOT, 'test/fixtures/trust');

interface JsonLine {
  file: string;
  outcome: string;
  reason: string | null;
  ticketId: number | null;
}

/** Runs the local run on the named trust fixtures; answers each file's JSON line by file name. */
async function localRun(mode: 'update-only' | 'create', files: readonly string[], env: Record<string, string> = {}): Promise<Map<string, JsonLine>> {
  const args = ['lib/local/start.ts', '--json', '--mode', mode, '--tickets', join(TRUST, 'tickets.json'), ...files.map((f) => join(TRUST, f))];
  const { stdout } = await run(TSX, args, { cwd: ROOT, env: { ...process.env, ...env } });
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonLine);
  expect(lines).toHaveLength(files.length);
  return new Map(lines.map((line) => [line.file.slice(line.file.lastIndexOf('/') + 1), line]));
}

describe('trust cases through npm start -- --json', () => {
  it('refuses a From whose domain only decodes to a participant\'s (punycode), and trusts SES\'s dmarc=fail over a dmarc=pass in the envelope-from', async () => {
    const results = await localRun('update-only', ['punycode-from.eml', 'dmarc-masked-by-envelope-from.eml']);
    expect(results.get('punycode-from.eml')).toMatchObject({ outcome: 'skipped', reason: 'sender-not-allowed', ticketId: null });
    expect(results.get('dmarc-masked-by-envelope-from.eml')).toMatchObject({ outcome: 'skipped', reason: 'dmarc-fail' });
  });

  it("does not let a stranger's mail under a participant's Message-ID swallow the participant's mail", async () => {
    const results = await localRun('update-only', ['preempted-message-id-a.eml', 'preempted-message-id-b.eml']);
    expect(results.get('preempted-message-id-a.eml')).toMatchObject({ outcome: 'skipped', reason: 'sender-not-allowed' });
    expect(results.get('preempted-message-id-b.eml')).toMatchObject({ outcome: 'followup', ticketId: 42 });
  });

  it('opens a ticket for each of two different mails that reuse one Message-ID', async () => {
    const results = await localRun('create', ['reused-message-id-a.eml', 'reused-message-id-b.eml']);
    const a = results.get('reused-message-id-a.eml');
    const b = results.get('reused-message-id-b.eml');
    expect(a).toMatchObject({ outcome: 'created' });
    expect(b).toMatchObject({ outcome: 'created' });
    expect(a?.ticketId).not.toBe(b?.ticketId);
  });

  it('routes by the recipient SES received the mail for, not by a forged X-Original-To', async () => {
    const MAILBOXES = 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create';
    const results = await localRun('update-only', ['forged-x-original-to.eml'], { MAILBOXES });
    expect(results.get('forged-x-original-to.eml')).toMatchObject({ outcome: 'skipped', reason: 'no-ticket-ref' });
  });

  it('distrusts SES\'s results when the HELO it recorded could have written a clause into them', async () => {
    const results = await localRun('update-only', ['helo-injects-dkim-pass.eml', 'helo-injects-dkim-pass-spaced.eml']);
    for (const file of ['helo-injects-dkim-pass.eml', 'helo-injects-dkim-pass-spaced.eml']) {
      expect(results.get(file), file).toMatchObject({ outcome: 'skipped', reason: 'sender-unverified' });
    }
  });

  it('does not let an unreadable mail under a participant\'s Message-ID swallow the participant\'s mail', async () => {
    const results = await localRun('update-only', ['malformed-preempts-message-id.eml', 'preempted-message-id-b.eml']);
    // Its header block decides (no ticket reference in an update-only mailbox): its broken body is
    // never parsed, so it is that skip rather than `malformed` (issue 17); either way it swallows nothing.
    expect(results.get('malformed-preempts-message-id.eml')).toMatchObject({ outcome: 'skipped', reason: 'no-ticket-ref' });
    expect(results.get('preempted-message-id-b.eml')).toMatchObject({ outcome: 'followup', ticketId: 42 });
  });

  it('routes by nothing the sender wrote when SES\'s recipient cannot be read: the default queue\'s mode decides', async () => {
    const MAILBOXES = 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create';
    const results = await localRun('update-only', ['unreadable-ses-recipient.eml'], { MAILBOXES });
    // X-Original-To and To say new@ (create mode); SES said x=?y@, no mailbox: the default queue (update-only).
    expect(results.get('unreadable-ses-recipient.eml')).toMatchObject({ outcome: 'skipped', reason: 'no-ticket-ref' });
  });
});
