/**
 * Forwarded mail whose original sender is not one clear address: no ticket is opened for anyone
 * the text names, and the detail says why (the skip reason an operator reads).
 */
import { describe, expect, it } from 'vitest';
import { findInlineForward } from '../../lib/mail/forwarded.js';

const gmailForward = (note: string, from: string) =>
  `${note}---------- Forwarded message ---------\nFrom: ${from}\nDate: Mon, Mar 2, 2026 at 10:00 AM\nSubject: Refund\nTo: <tess@staff.example.com>\n\n\nPlease pay the refund.\n`;

describe('findInlineForward: ambiguous or unusable senders', () => {
  it('refuses a forwarded From that names two mailboxes', () => {
    const text = gmailForward('FYI\n\n', 'Victim <victim@bank.example>, Mallory <mallory@evil.example>');
    expect(findInlineForward('Fwd: Refund', text)).toEqual({ forwarded: false, detail: 'the forwarded From names several addresses' });
  });

  it('refuses a two-mailbox From in an Outlook block with no note above it', () => {
    const text = 'From: Victim <victim@bank.example>, Mallory <mallory@evil.example>\nSent: Monday, March 2, 2026 10:00 AM\nTo: Agent <agent@helpdesk.example>\nSubject: Refund\n\nPlease pay the refund.\n';
    expect(findInlineForward('FW: Refund', text)).toEqual({ forwarded: false, detail: 'the forwarded From names several addresses' });
  });

  it('judges the From line of the block, not a line of the note that names the sender beside someone else', () => {
    const text = gmailForward('Dan (dan@customer.example) asked us; copy lead@helpdesk.example.\n\n', 'Dan Customer <dan@customer.example>');
    expect(findInlineForward('Fwd: Refund', text)).toMatchObject({
      forwarded: true,
      original: { from: 'dan@customer.example', subject: 'Refund', body: 'Please pay the refund.', note: 'Dan (dan@customer.example) asked us; copy lead@helpdesk.example.' },
    });
  });

  it('refuses when another header block sits above the one the parser took', () => {
    // Outlook's block, which the parser does not know, above a Gmail block inside the quoted mail.
    const text = gmailForward('Hi,\n\n-----Original Message-----\nFrom: Mallory <mallory@evil.example>\nSent: Monday, March 2, 2026 9:00 AM\n\nHi,\n\n', 'Victim <victim@bank.example>');
    expect(findInlineForward('FW: Refund', text)).toEqual({ forwarded: false, detail: 'another header block above the forwarded one: ambiguous' });
  });

  it('refuses a forwarded From that has a name but no address', () => {
    const text = gmailForward('', 'Dan Customer');
    expect(findInlineForward('Fwd: Refund', text)).toEqual({ forwarded: false, detail: 'the forwarded header block names no From address' });
  });

  it('says why a forwarded From cannot be compared', () => {
    const text = gmailForward('', 'Eve <=?utf-8?q?dan?=@customer.example>');
    expect(findInlineForward('Fwd: Refund', text)).toEqual({ forwarded: false, detail: 'the forwarded From is not comparable: an RFC 2047 encoded word in the local part' });
  });

  it('answers an empty subject when neither the mail nor the forwarded block has one', () => {
    const text = 'FYI\n\n---------- Forwarded message ---------\nFrom: Dan Customer <dan@customer.example>\nDate: Mon, Mar 2, 2026 at 10:00 AM\nTo: <tess@staff.example.com>\n\n\nThe toner leaks.\n';
    expect(findInlineForward('', text)).toEqual({
      forwarded: true,
      original: { via: 'inline', from: 'dan@customer.example', subject: '', body: 'The toner leaks.', date: 'Mon, Mar 2, 2026 at 10:00 AM', note: 'FYI' },
    });
  });

  it('takes the original subject from the block when the mail has none, without its forward prefix', () => {
    const text = 'FYI\n\n---------- Forwarded message ---------\nFrom: Dan Customer <dan@customer.example>\nDate: Mon, Mar 2, 2026 at 10:00 AM\nSubject: Fwd: Toner leaks\nTo: <tess@staff.example.com>\n\n\nThe toner leaks.\n';
    expect(findInlineForward('', text)).toMatchObject({ forwarded: true, original: { subject: 'Toner leaks' } });
  });
});
