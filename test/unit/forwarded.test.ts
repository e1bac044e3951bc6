/** Forwarded mail (issue 12, point 6): the original sender, subject and body of what an agent forwards. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { CanonicalAddress } from '../../lib/mail/canonical-address.js';
import {
  findInlineForward,
  forwardedOriginal,
  hasForwardPrefix,
  MAX_FORWARD_SCAN_CHARS,
  normalizeForScan,
  originalOfAttachedMessage,
  stripForwardPrefix,
  type AttachedMessage,
  type ForwardInput,
} from '../../lib/mail/forwarded.js';
import { readRawHeaders } from '../../lib/mail/raw-headers.js';
import { FORWARD_CASES } from '../helpers/forward-cases.js';
import { headerLinesOf } from '../helpers/header-lines.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/fidelity', name));
const AGENTS = new Set(['agent@helpdesk.example', 'new@helpdesk.example']);
const isAgentOrOwn = (address: CanonicalAddress) => AGENTS.has(address);

/** A parsed attached message, as the pipeline would read it. */
async function attachedMessage(raw: Buffer): Promise<AttachedMessage> {
  const parsed = await simpleParser(raw);
  return { raw: readRawHeaders(await headerLinesOf(raw)), subject: parsed.subject ?? '', text: parsed.text ?? '', date: parsed.date?.toISOString() ?? null };
}

describe('findInlineForward: clients and languages', () => {
  it.each(FORWARD_CASES.map((c) => [c.client, c] as const))('%s', (_client, { subject, text, original, note }) => {
    const result = findInlineForward(subject, text);
    expect(result).toMatchObject({ forwarded: true, original: { via: 'inline', from: original.from, subject: original.subject, body: original.body, note } });
  });

  it('reads the forwarded mail in the gateway fixture (forwarded-inline-gmail)', async () => {
    const parsed = await simpleParser(fixture('forwarded-inline-gmail.eml'));
    const result = findInlineForward(parsed.subject ?? '', parsed.text ?? '');
    expect(result).toMatchObject({ forwarded: true, original: { from: 'dan@customer.example', subject: 'Toner leaks', note: 'Please open a ticket for Dan.' } });
  });

  it('answers not forwarded for an ordinary mail', () => {
    expect(findInlineForward('Re: Toner', 'Thanks, fixed.\n')).toEqual({ forwarded: false, detail: 'no forwarded header block in the text' });
  });

  it('refuses a forwarded From it cannot compare', () => {
    const text = '---------- Forwarded message ---------\nFrom: Eve <=?utf-8?q?dan?=@customer.example>\nDate: Mon, Mar 2, 2026\nSubject: x\nTo: <a@b.example>\n\nbody\n';
    expect(findInlineForward('Fwd: x', text)).toMatchObject({ forwarded: false });
  });

  it('keeps the body past the scanned head, as written', () => {
    const [gmail] = FORWARD_CASES;
    const tail = `${'A long line of the original mail.\n'.repeat(400)}THE END`;
    const text = `${gmail?.text ?? ''}${tail}`;
    expect(text.length).toBeGreaterThan(MAX_FORWARD_SCAN_CHARS);
    const result = findInlineForward('Fwd: Toner leaks', text);
    expect(result.forwarded && result.original.body.endsWith('THE END')).toBe(true);
    expect(result.forwarded && result.original.body.startsWith('The replacement toner')).toBe(true);
  });

  it('finishes on white space made to be slow for the parser (no timing asserted)', () => {
    expect(findInlineForward('Fwd: x', ' \n'.repeat(200_000)).forwarded).toBe(false);
  });
});

describe('originalOfAttachedMessage', () => {
  it('reads a message/rfc822 attachment (forwarded-as-attachment)', async () => {
    const outer = await simpleParser(fixture('forwarded-as-attachment.eml'));
    const [attachment] = outer.attachments;
    expect(attachment?.contentType).toBe('message/rfc822');
    const result = originalOfAttachedMessage(await attachedMessage(attachment?.content as Buffer), outer.text ?? '');
    expect(result).toEqual({
      forwarded: true,
      original: {
        via: 'attached-message',
        from: 'dan@customer.example',
        subject: 'Toner leaks',
        body: 'The replacement toner cartridge leaks onto the paper path.\nOrder 5531.',
        date: '2026-03-02T09:00:00.000Z',
        note: 'Please open a ticket for Dan.',
      },
    });
  });

  it('refuses an attached message without a usable From', async () => {
    const message = await attachedMessage(Buffer.from('Subject: x\r\n\r\nbody\r\n'));
    expect(originalOfAttachedMessage(message, '')).toEqual({ forwarded: false, detail: "the attached message's sender is not comparable: no From header" });
  });
});

describe('forwardedOriginal', () => {
  const [gmail] = FORWARD_CASES;
  const base: ForwardInput = { fromAuthenticatedAgent: true, subject: gmail?.subject ?? '', text: gmail?.text ?? '', attachedMessages: [], attachedMessageParts: 0, isAgentOrOwn };

  it('opens for the original sender of an authenticated agent\'s forward', () => {
    expect(forwardedOriginal(base)).toMatchObject({ forwarded: true, original: { from: 'dan@customer.example' } });
  });

  it('is an ordinary mail from anyone but an authenticated agent', () => {
    expect(forwardedOriginal({ ...base, fromAuthenticatedAgent: false })).toEqual({ forwarded: false, detail: 'not from an authenticated agent' });
  });

  it('prefers the one attached message, and gives up on several', async () => {
    const message = await attachedMessage(Buffer.from('From: Erin <erin@customer.example>\r\nSubject: Fwd: Paper\r\n\r\nOut of paper.\r\n'));
    expect(forwardedOriginal({ ...base, attachedMessages: [message], attachedMessageParts: 1 })).toMatchObject({ forwarded: true, original: { via: 'attached-message', from: 'erin@customer.example', subject: 'Paper' } });
    expect(forwardedOriginal({ ...base, attachedMessages: [message, message], attachedMessageParts: 2 })).toEqual({ forwarded: false, detail: '2 attached messages' });
  });

  it('counts the attached messages it could not read: one read beside one too large to read is not the customer', async () => {
    const message = await attachedMessage(Buffer.from('From: Erin <erin@customer.example>\r\nSubject: Paper\r\n\r\nOut of paper.\r\n'));
    expect(forwardedOriginal({ ...base, attachedMessages: [message], attachedMessageParts: 2 })).toEqual({ forwarded: false, detail: '2 attached messages' });
    expect(forwardedOriginal({ ...base, attachedMessages: [], attachedMessageParts: 1 })).toEqual({ forwarded: false, detail: 'the attached message could not be read' });
  });

  it('never opens a ticket for an agent or our own address', () => {
    const text = (gmail?.text ?? '').replace('dan@customer.example', 'agent@helpdesk.example');
    expect(forwardedOriginal({ ...base, text })).toEqual({ forwarded: false, detail: 'the original sender agent@helpdesk.example is an agent or our own address' });
  });
});

describe('subject prefixes', () => {
  it('strips forward prefixes of the major languages, repeated', () => {
    for (const subject of ['Fwd: Toner', 'FW: Toner', 'WG: Toner', 'TR : Toner', 'RV: Toner', 'Doorst: Toner', '転送： Toner', 'Fwd: FW: Toner']) {
      expect(stripForwardPrefix(subject)).toBe('Toner');
      expect(hasForwardPrefix(subject)).toBe(true);
    }
    expect(stripForwardPrefix('Re: Toner')).toBe('Re: Toner');
    expect(hasForwardPrefix('Forward planning')).toBe(false);
  });
});

describe('normalizeForScan', () => {
  it('trims line ends, shortens blank runs and blank lines', () => {
    expect(normalizeForScan(`a   \r\nb${' '.repeat(20)}c\n\n\n\nd`)).toBe('a\nb        c\n\nd');
  });
});
