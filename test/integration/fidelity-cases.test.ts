/**
 * The fidelity cases of issue 12 (copied from the shared real-world cases into
 * test/fixtures/fidelity), through the local run as a user runs it: `npm start -- --json`, whose
 * `stored` field shows what the follow-up or the new ticket holds.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localRun } from '../helpers/fidelity-run.js';
import { hasLoneSurrogate } from '../../lib/mail/unicode-text.js';

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

  it('reads ISO-2022-JP that declares no charset as Japanese, not escape codes', async () => {
    // Ticket 42 is Taro's here, so that his reply is applied.
    const tickets = join(mkdtempSync(join(tmpdir(), 'fidelity-')), 'tickets.json');
    writeFileSync(tickets, JSON.stringify([{ id: 42, queue: 'support', status: 'open', title: 'Printer jams', submitter: 'taro@customer.example', cc: [] }]));
    const results = await localRun('update-only', ['iso-2022-jp-without-charset.eml'], { tickets });
    expect(results.get('iso-2022-jp-without-charset.eml')).toMatchObject({ outcome: 'followup', ticketId: 42 });
    const stored = results.get('iso-2022-jp-without-charset.eml')?.stored;
    expect(stored?.text).toContain('トレイ2で紙詰まりが再発しました');
    expect(stored?.text).not.toMatch(/\$B|\u001b/);
    expect(stored?.text).not.toContain('\ufffd');
  });

  it('reads the words of an HTML-only mail carrying a 4 MB photo as a data: URI, and keeps its HTML', async () => {
    const photo = Buffer.alloc(3 * 1024 * 1024, 7).toString('base64').replace(/.{76}/g, '$&\n');
    const raw = [
      'From: Alice Example <alice@example.com>',
      'To: support@helpdesk.example',
      'Subject: Re: [support-42] Label printer',
      'Date: Tue, 03 Mar 2026 09:15:00 +0100',
      'Message-ID: <data-uri-4mb.1@mail.example.com>',
      'MIME-Version: 1.0',
      'Content-Type: text/html; charset=utf-8',
      '',
      `<html><body><p>The label printed like this:</p><p><img alt="photo" src="data:image/png;base64,${photo}"></p><p>Ticket text after the photo.</p></body></html>`,
      '',
    ].join('\n');
    expect(raw.length).toBeGreaterThan(4 * 1024 * 1024);
    const file = join(mkdtempSync(join(tmpdir(), 'fidelity-')), 'data-uri-4mb.eml');
    writeFileSync(file, raw);
    const stored = (await localRun('update-only', [file])).get('data-uri-4mb.eml')?.stored;
    expect(stored?.text).toContain('The label printed like this:');
    expect(stored?.text).toContain('Ticket text after the photo.');
    expect(stored?.text).not.toContain('base64');
    expect(stored?.html).toBe(true);
  });
});
