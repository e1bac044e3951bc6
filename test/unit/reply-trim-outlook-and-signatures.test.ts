/**
 * Reply trimming around email-reply-parser's gaps: Outlook header blocks it does not know,
 * attribution lines it does not know, mobile signatures it does not know. Each answer is the new
 * part a reader of the ticket should see.
 */
import { describe, expect, it } from 'vitest';
import { trimReply } from '../../lib/mail/reply-trim.js';

const OLD_BODY = 'Please restart the printer and tell us whether tray 2 still jams.\n\nHelpdesk\n';

describe('trimReply: Outlook header blocks', () => {
  it('cuts the separator line above the block too, whatever its length', () => {
    // 40 underscores: no signature line for email-reply-parser, which knows 2-4 and 32.
    const text = `The jam is gone.\n\nAlice\n\n${'_'.repeat(40)}\nFrom: Helpdesk Support\nSent: Tuesday, March 3, 2026 9:15 AM\nTo: Alice Example\nSubject: RE: Printer jams\n\n${OLD_BODY}`;
    expect(trimReply(text)).toEqual({ full: text, reply: 'The jam is gone.\n\nAlice', trimmed: true });
  });

  it('keeps the line right above a block that has no separator', () => {
    const text = `The jam is gone.\nThanks, Alice\nFrom: Helpdesk Support\nSent: Tuesday, March 3, 2026 9:15 AM\nSubject: RE: Printer jams\n\n${OLD_BODY}`;
    expect(trimReply(text).reply).toBe('The jam is gone.\nThanks, Alice');
  });

  it('needs both a From line and a Sent line right below it', () => {
    // A From-like or a Sent-like line alone is the reply's own words.
    for (const text of ['The tray is empty.\nFrom: the second floor, again.\nPlease send paper.\n', 'The tray is empty.\nPlease send paper.\nSent: a request to IT as well.\n']) {
      expect(trimReply(text)).toEqual({ full: text, reply: text.trim(), trimmed: false });
    }
  });

  it('keeps the full text of a bare forward that starts with a block the parser does not know, a quote below it included', () => {
    const text = 'From: Vendor Sales\nSent: Tuesday, March 3, 2026 9:15 AM\nSubject: Quote\n\nThe price is 40 EUR.\n\n> Can you send a quote?\n';
    expect(trimReply(text)).toEqual({ full: text, reply: text.trim(), trimmed: false });
  });
});

describe('trimReply: attribution lines the parser does not know', () => {
  it('drops the attribution and keeps every line of a reply above it, in order', () => {
    const text = 'Thanks, will do.\nAlso tray 3.\n\n2026年3月3日(火) 9:15 Support <support@helpdesk.example>:\n\n> Please restart the printer.\n';
    expect(trimReply(text)).toEqual({ full: text, reply: 'Thanks, will do.\nAlso tray 3.', trimmed: true });
  });

  it('drops the attribution of a one-line reply written right above it', () => {
    const text = 'ありがとう。\n2026年3月3日(火) 9:15 Support <support@helpdesk.example>:\n> Please restart the printer.\n';
    expect(trimReply(text).reply).toBe('ありがとう。');
  });
});

describe('trimReply: attribution lines the parser does not know, above one it knows', () => {
  it('drops the unknown attribution when a blank line and a known attribution follow it', () => {
    const text = 'Thanks.\n2026年3月3日(火) 9:15 Support <support@helpdesk.example>:\n\nOn Tue, Mar 3, 2026 at 9:15 AM Support <support@helpdesk.example> wrote:\n> Please restart the printer.\n';
    expect(trimReply(text).reply).toBe('Thanks.');
  });
});

describe('trimReply: white space around the reply', () => {
  it('answers the reply without the indentation of its first line', () => {
    expect(trimReply('  Thanks, fixed.\n\n> Please restart the printer.')).toEqual({ full: '  Thanks, fixed.\n\n> Please restart the printer.', reply: 'Thanks, fixed.', trimmed: true });
  });
});

describe('trimReply: mobile signatures the parser does not know', () => {
  it('drops a signature written right below the last line of the reply', () => {
    const text = 'Ok, done.\nInviato da iPhone\n';
    expect(trimReply(text)).toEqual({ full: text, reply: 'Ok, done.', trimmed: true });
  });

  it('drops an indented signature line', () => {
    expect(trimReply('Ok, done.\n\n   Inviato da iPhone\n').reply).toBe('Ok, done.');
  });

  it('drops stacked signature lines and the blank lines between them', () => {
    const text = 'Grazie.\n\nInviato da iPhone\n\nVerzonden met BlueMail\n';
    expect(trimReply(text).reply).toBe('Grazie.');
  });

  it('keeps a mail that is only a signature line, never throwing', () => {
    expect(trimReply('Inviato da iPhone\n')).toEqual({ full: 'Inviato da iPhone\n', reply: 'Inviato da iPhone', trimmed: false });
    expect(trimReply('\n\nInviato da iPhone')).toEqual({ full: '\n\nInviato da iPhone', reply: 'Inviato da iPhone', trimmed: false });
  });

  it('drops the trailing tildes email-reply-parser drops from its visible text', () => {
    expect(trimReply('Price is 40 EUR.\n~~~').reply).toBe('Price is 40 EUR.');
  });
});

describe('trimReply: line ends', () => {
  it('reads a lone carriage return as a line end', () => {
    expect(trimReply('Thanks\r\r> Please restart the printer.')).toEqual({ full: 'Thanks\n\n> Please restart the printer.', reply: 'Thanks', trimmed: true });
  });

  it('keeps the last line of a text that does not end in a line break', () => {
    expect(trimReply('Thanks, that fixed it.\nAlice')).toEqual({ full: 'Thanks, that fixed it.\nAlice', reply: 'Thanks, that fixed it.\nAlice', trimmed: false });
  });
});
