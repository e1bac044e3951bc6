/**
 * Reading a bounce (lib/screening/bounce.ts): which recipients of a delivery-status report failed,
 * where the bounced Message-ID comes from, qmail's plain-text fallback, Exim's header, and the
 * limits on what is read and kept.
 */
import { describe, expect, it } from 'vitest';
import { failedRecipientsFromHeaders, isDeliveryReport, readBounceReport, REPORT_PART_TYPES } from '../../lib/screening/bounce.js';

const status = (text: string) => ({ contentType: 'message/delivery-status', text });

describe('readBounceReport', () => {
  it('takes a recipient without an Action, and one whose Action starts with failed', () => {
    const report = readBounceReport([status('Final-Recipient: rfc822; a@x.example\n\nFinal-Recipient: rfc822;b@x.example\nAction: Failed (permanent)\n\nFinal-Recipient: rfc822; c@x.example\nAction: delivered')], '');
    expect(report.failedRecipients).toEqual(['a@x.example', 'b@x.example']);
  });

  it('prefers Final-Recipient to Original-Recipient, in either order, and strips the type and brackets', () => {
    const finalFirst = readBounceReport([status('Final-Recipient: rfc822; <final@x.example>\r\nOriginal-Recipient: rfc822; orig@x.example\r\nAction: failed')], '');
    const originalFirst = readBounceReport([status('Original-Recipient: rfc822; orig@x.example\r\nFinal-Recipient: rfc822; <final@x.example>\r\nAction: failed')], '');
    expect(finalFirst.failedRecipients).toEqual(['final@x.example']);
    expect(originalFirst.failedRecipients).toEqual(['final@x.example']);
    expect(readBounceReport([status('Original-Recipient: rfc822; Orig@X.example\nAction: failed')], '').failedRecipients).toEqual(['orig@x.example']);
  });

  it('reads the global delivery-status of RFC 6533, and blocks separated by lines of white space', () => {
    const report = readBounceReport([{ contentType: 'message/global-delivery-status', text: 'Final-Recipient: utf-8; a@x.example\r\n \r\nFinal-Recipient: utf-8; b@x.example' }], '');
    expect(report.failedRecipients).toEqual(['a@x.example', 'b@x.example']);
  });

  it('skips lines that are no field, and a block without a recipient', () => {
    expect(readBounceReport([status('garbage line\nAction: failed\n\nnot: a recipient')], '').failedRecipients).toEqual([]);
  });

  it('lists each failed recipient once, at most 50', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => `Final-Recipient: rfc822; r${i}@x.example`).join('\n\n');
    const report = readBounceReport([status(`Final-Recipient: rfc822; r0@x.example\n\n${blocks}`)], '');
    expect(report.failedRecipients).toHaveLength(50);
    expect(report.failedRecipients.slice(0, 2)).toEqual(['r0@x.example', 'r1@x.example']);
  });

  it('takes the Message-ID from the first part that quotes one, then from the text', () => {
    const parts = [
      { contentType: 'text/rfc822-headers', text: 'Subject: x\nMessage-ID: <first@helpdesk.example>' },
      { contentType: 'message/rfc822', text: 'Message-Id: <second@helpdesk.example>' },
    ];
    expect(readBounceReport(parts, 'Message-ID: <text@x>').originalMessageId).toBe('first@helpdesk.example');
    expect(readBounceReport([{ contentType: 'text/rfc822-headers', text: 'Subject: none' }], 'quoted:\nmessage-id:\t<text@helpdesk.example>').originalMessageId).toBe('text@helpdesk.example');
    expect(readBounceReport([], 'no id here').originalMessageId).toBeNull();
  });

  it('reads only the first 64 KB of a part and of the text for the Message-ID', () => {
    const far = `${'x'.repeat(65_536)}\nMessage-ID: <far@x.example>`;
    expect(readBounceReport([{ contentType: 'message/rfc822', text: far }], far).originalMessageId).toBeNull();
    const near = `${'x'.repeat(65_000)}\nMessage-ID: <near@x.example>`;
    expect(readBounceReport([{ contentType: 'message/rfc822', text: near }], '').originalMessageId).toBe('near@x.example');
    expect(readBounceReport([], near).originalMessageId).toBe('near@x.example');
  });

  it("falls back to qmail's recipient lines only when the report named none", () => {
    const qmail = 'Hi. This is the qmail-send program.\n\n<Gone@X.example>:\nSorry, no mailbox here.\n\n<other@x.example>:  \n';
    expect(readBounceReport([], qmail).failedRecipients).toEqual(['gone@x.example', 'other@x.example']);
    expect(readBounceReport([status('Final-Recipient: rfc822; a@x.example')], qmail).failedRecipients).toEqual(['a@x.example']);
    expect(readBounceReport([], 'see <a@x.example>: in a sentence').failedRecipients).toEqual([]);
  });
});

describe('failedRecipientsFromHeaders', () => {
  it("reads Exim's X-Failed-Recipients, every value, lower-cased, addresses only", () => {
    expect(failedRecipientsFromHeaders({ extra: { 'x-failed-recipients': ['A@x.example, b@x.example', ' c@x.example ,not-an-address'] } })).toEqual(['a@x.example', 'b@x.example', 'c@x.example']);
    expect(failedRecipientsFromHeaders({ extra: {} })).toEqual([]);
  });
});

describe('isDeliveryReport', () => {
  const headers = (fields: Partial<Parameters<typeof isDeliveryReport>[0]>) => ({ contentType: { value: 'text/plain', params: {} }, extra: {}, from: null, subject: '', ...fields });

  it('takes a multipart/report only of report-type delivery-status', () => {
    expect(isDeliveryReport(headers({ contentType: { value: 'multipart/report', params: {} } }))).toBe(false);
    expect(isDeliveryReport(headers({ contentType: { value: 'multipart/mixed', params: { 'report-type': 'delivery-status' } } }))).toBe(false);
  });

  it('needs both a bounce sender and a bounce subject for a plain-text bounce', () => {
    const postmaster = { address: 'Postmaster@mx.example', name: '' };
    expect(isDeliveryReport(headers({ from: postmaster, subject: '  Returned mail: see transcript' }))).toBe(true);
    expect(isDeliveryReport(headers({ from: postmaster, subject: 'Re: returned mail' }))).toBe(false);
    expect(isDeliveryReport(headers({ from: { address: 'no-reply@shop.example', name: '' }, subject: 'Undeliverable' }))).toBe(false);
    expect(isDeliveryReport(headers({ from: null, subject: 'Undeliverable' }))).toBe(false);
  });

  it('keeps the machine-readable report parts', () => {
    for (const type of ['message/delivery-status', 'message/global-delivery-status', 'message/rfc822', 'text/rfc822-headers']) expect(REPORT_PART_TYPES.has(type)).toBe(true);
    expect(REPORT_PART_TYPES.has('text/plain')).toBe(false);
  });
});

describe('readBounceReport: recipients as written', () => {
  it('strips only the brackets around the whole address', () => {
    expect(readBounceReport([status('Final-Recipient: rfc822; a<b>c@x.example')], '').failedRecipients).toEqual(['a<b>c@x.example']);
  });
});
