/** Submitter selection (issue 12, point 5): From, else Reply-To, else Sender; never an empty submitter. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRawHeaders, TRUST_HEADERS } from '../../lib/mail/raw-headers.js';
import { SUBMITTER_FIELDS, selectSubmitter } from '../../lib/mail/submitter.js';
import { headerLinesOf } from '../helpers/header-lines.js';

/** The trust headers plus the two this module needs (the integrator adds them to TRUST_HEADERS). */
const NAMES = [...new Set([...TRUST_HEADERS, ...SUBMITTER_FIELDS])];

async function submitterOf(headerBlock: string) {
  const raw = readRawHeaders(await headerLinesOf(`${headerBlock}\r\nSubject: x\r\n\r\nbody\r\n`), NAMES);
  return selectSubmitter(raw);
}

describe('selectSubmitter', () => {
  it('takes the one From mailbox, canonical', async () => {
    expect(await submitterOf('From: Alice <Alice@Example.COM>\r\nReply-To: other@example.com')).toEqual({ found: true, address: 'alice@example.com', field: 'from' });
  });

  it('takes Reply-To when there is no From (no-from-header)', async () => {
    const raw = readRawHeaders(await headerLinesOf(readFileSync(join(import.meta.dirname, '../fixtures/fidelity/no-from-header.eml'))), NAMES);
    expect(selectSubmitter(raw)).toEqual({ found: true, address: 'dan@customer.example', field: 'reply-to' });
  });

  it('takes Sender when there is neither From nor Reply-To', async () => {
    expect(await submitterOf('Sender: Shop <mailer@shop.example>')).toEqual({ found: true, address: 'mailer@shop.example', field: 'sender' });
  });

  it('falls back past a From that names no mailbox (an empty group, an empty value)', async () => {
    expect(await submitterOf('From: undisclosed-recipients:;\r\nReply-To: dan@customer.example')).toMatchObject({ found: true, field: 'reply-to' });
    expect(await submitterOf('From: \r\nSender: mailer@shop.example')).toMatchObject({ found: true, field: 'sender' });
  });

  it('takes Sender for a From with several mailboxes (RFC 5322 §3.6.2 requires it then)', async () => {
    expect(await submitterOf('From: a@example.com, b@example.com\r\nSender: a@example.com\r\nReply-To: c@example.com')).toEqual({ found: true, address: 'a@example.com', field: 'sender' });
    expect(await submitterOf('From: a@example.com, b@example.com\r\nReply-To: c@example.com')).toEqual({ found: false, detail: 'From names several mailboxes and no sender header' });
  });

  it('falls back past a Reply-To with several mailboxes to Sender', async () => {
    expect(await submitterOf('Reply-To: a@example.com, b@example.com\r\nSender: s@example.com')).toMatchObject({ found: true, address: 's@example.com', field: 'sender' });
  });

  it('never falls back past a From mailbox it cannot compare, nor past two From fields', async () => {
    expect(await submitterOf('From: =?utf-8?q?alice?=@example.com\r\nReply-To: dan@customer.example')).toEqual({
      found: false,
      detail: 'from: an RFC 2047 encoded word in the local part',
    });
    expect(await submitterOf('From: a@example.com\r\nFrom: b@example.com\r\nReply-To: dan@customer.example')).toEqual({ found: false, detail: '2 From headers' });
    expect(await submitterOf('From: <<<\r\nReply-To: dan@customer.example')).toEqual({ found: false, detail: 'From: not an RFC 5322 address' });
  });

  it('answers none, naming each field, when no field names a usable mailbox', async () => {
    expect(await submitterOf('To: support@helpdesk.example')).toEqual({ found: false, detail: 'no From header, no reply-to header, no sender header' });
    expect(await submitterOf('Reply-To: a@[192.0.2.1]\r\nSender: a@example.com, b@example.com')).toEqual({
      found: false,
      detail: 'no From header, reply-to: a domain literal [192.0.2.1], sender: more than one address',
    });
  });
});
