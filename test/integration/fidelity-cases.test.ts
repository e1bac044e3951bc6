/**
 * The fidelity cases of issue 12 (copied from the shared real-world cases into
 * test/fixtures/fidelity), through the local run as a user runs it: `npm start -- --json`, whose
 * `stored` field shows what the follow-up or the new ticket holds.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { JsonResult } from '../../lib/local/start.js';
import { hasLoneSurrogate } from '../../lib/mail/unicode-text.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const FIDELITY = join(ROOT, 'test/fixtures/fidelity');
const TICKETS = join(ROOT, 'test/fixtures/trust/tickets.json');

async function localRun(mode: 'update-only' | 'create', files: readonly string[]): Promise<Map<string, JsonResult>> {
  const args = ['lib/local/start.ts', '--json', '--mode', mode, '--tickets', TICKETS, ...files.map((f) => join(FIDELITY, f))];
  const { stdout } = await run(TSX, args, { cwd: ROOT });
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonResult);
  return new Map(lines.map((line) => [line.file.slice(line.file.lastIndexOf('/') + 1), line]));
}

describe('fidelity cases through npm start -- --json', () => {
  it('keeps an inline text file as an attachment, and reads the HTML when the text part is blank', async () => {
    const results = await localRun('update-only', ['inline-text-file-with-filename.eml', 'blank-text-part-with-html.eml']);
    const inline = results.get('inline-text-file-with-filename.eml');
    expect(inline).toMatchObject({ outcome: 'followup', ticketId: 42 });
    expect(inline?.stored?.text).toContain('The status page is attached.');
    expect(inline?.stored?.text).not.toContain('PRINTER STATUS PAGE');
    expect(inline?.stored?.attachments.map((a) => a.filename)).toContain('printer-status.txt');
    const blank = results.get('blank-text-part-with-html.eml');
    expect(blank).toMatchObject({ outcome: 'followup', ticketId: 42 });
    expect(blank?.stored?.text).toContain('Tray 2 jammed');
  });

  it('cuts a title on a character boundary, and takes the submitter from Reply-To when there is no From', async () => {
    const results = await localRun('create', ['emoji-at-title-cut.eml', 'no-from-header.eml']);
    const title = results.get('emoji-at-title-cut.eml')?.stored?.ticket?.title ?? '';
    expect(title.length).toBeGreaterThan(0);
    expect(hasLoneSurrogate(title)).toBe(false);
    expect(results.get('no-from-header.eml')).toMatchObject({ outcome: 'created', stored: { ticket: { submitter: 'dan@customer.example' } } });
  });
});
