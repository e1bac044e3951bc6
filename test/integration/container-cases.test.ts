/**
 * Issue 12's own cases for parts that hold other parts, through the local run as a user runs it
 * (`npm start -- --json`): an opaque S/MIME signed mail and a winmail.dat holding a PDF. The
 * `stored` field shows what the follow-up or the new ticket holds.
 */
import { describe, expect, it } from 'vitest';
import { localRun } from '../helpers/fidelity-run.js';

describe('container parts through npm start -- --json', () => {
  it('opens tickets with the signed words of opaque S/MIME (the .p7m kept) and the PDF inside a winmail.dat', async () => {
    const results = await localRun('create', ['opaque-smime-signed-multipart.eml', 'winmail-dat-with-pdf.eml']);
    const signed = results.get('opaque-smime-signed-multipart.eml');
    expect(signed).toMatchObject({ outcome: 'created', stored: { text: 'The fuser readings are attached. Grüße, Dan\n' } });
    expect(signed?.stored?.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([
      ['smime.p7m', 'application/pkcs7-mime', expect.any(Number)],
      ['readings.csv', 'text/csv', 25],
    ]);
    const tnef = results.get('winmail-dat-with-pdf.eml');
    expect(tnef).toMatchObject({ outcome: 'created', stored: { text: 'Please find the quarterly report attached.\n' } });
    expect(tnef?.stored?.attachments.map((a) => [a.filename, a.contentType, a.refused])).toEqual([
      ['winmail.dat', 'application/ms-tnef', null],
      ['Quarterly report Köln.pdf', 'application/pdf', null],
      ['notes.txt', 'text/plain', null],
    ]);
  });

  it('opens the ticket of a mail an agent forwarded as an attachment for its original sender, with its subject', async () => {
    const results = await localRun('create', ['forwarded-as-attachment.eml', 'forwarded-as-attachment-base64.eml'], { env: { AGENT_ADDRESSES: 'agent@helpdesk.example' } });
    expect(results.get('forwarded-as-attachment.eml')).toMatchObject({ outcome: 'created', stored: { ticket: { title: 'Toner leaks', submitter: 'dan@customer.example' } } });
    const german = results.get('forwarded-as-attachment-base64.eml');
    expect(german).toMatchObject({ outcome: 'created', stored: { ticket: { title: 'Drucker stört', submitter: 'juergen@kunde.example' } } });
    // The attached mail is stored once, as the agent sent it; its own attachment is not stored again.
    expect(german?.stored?.attachments.map((a) => [a.filename, a.contentType])).toEqual([['Drucker stoert.eml', 'message/rfc822']]);
  });
});
