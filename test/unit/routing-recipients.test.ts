import { describe, expect, it } from 'vitest';
import { readRawHeaders } from '../../lib/mail/raw-headers.js';
import { routingRecipients, sesReceivedFor } from '../../lib/mail/routing-recipients.js';
import { headerLinesOf, trustFixture } from '../helpers/header-lines.js';

const SES_RECEIVED =
  'from mx.sender.example (mx.sender.example [192.0.2.1]) by inbound-smtp.eu-west-1.amazonaws.com with SMTP id abcdef0123456789 for support@helpdesk.example; Thu, 26 Nov 2026 08:34:00 +0000 (UTC)';

describe('sesReceivedFor', () => {
  it.each([
    ['SES\'s header', SES_RECEIVED, 'support@helpdesk.example'],
    ['SES\'s header, folded as stored', SES_RECEIVED.replace(' by ', '\r\n by ').replace(' for ', '\r\n for ').replace(/\r\n/g, ' '), 'support@helpdesk.example'],
    ['an angle-bracketed recipient', SES_RECEIVED.replace('for support@', 'for <Support@').replace('; Thu', '>; Thu'), 'support@helpdesk.example'],
    ['another region', SES_RECEIVED.replace('eu-west-1', 'us-east-1'), 'support@helpdesk.example'],
    ['a plus-addressed recipient', SES_RECEIVED.replace('support@', 'support+42.abc@'), 'support+42.abc@helpdesk.example'],
    ['another receiver', SES_RECEIVED.replace('inbound-smtp.eu-west-1.amazonaws.com', 'mx.google.com'), null],
    ['a look-alike receiver', SES_RECEIVED.replace('inbound-smtp.eu-west-1.amazonaws.com', 'inbound-smtp.eu-west-1.amazonaws.com.attacker.example'), null],
    ['no for clause', SES_RECEIVED.replace(' for support@helpdesk.example', ''), null],
    ['no date', SES_RECEIVED.slice(0, SES_RECEIVED.indexOf(';')), null],
    ['a recipient that is not comparable', SES_RECEIVED.replace('support@helpdesk.example', '=?utf-8?q?new?=@helpdesk.example'), null],
  ])('%s', (_what, received, expected) => {
    expect(sesReceivedFor(received)).toBe(expected);
  });

  it('is not fooled by a HELO that imitates SES\'s clause', () => {
    const helo = 'x by inbound-smtp.eu-west-1.amazonaws.com with SMTP id 1 for new@helpdesk.example; Thu, 26 Nov 2026 08:00:00 +0000';
    expect(sesReceivedFor(`from ${helo} (mx.attacker.example [192.0.2.1]) by inbound-smtp.eu-west-1.amazonaws.com with SMTP id abc for support@helpdesk.example; Thu, 26 Nov 2026 08:34:00 +0000 (UTC)`)).toBe(
      'support@helpdesk.example',
    );
    // Without SES's own clause at the end, the imitation is not read either.
    expect(sesReceivedFor(`from ${helo} (mx.attacker.example [192.0.2.1]) by mx.other.example with SMTP id abc; Thu, 26 Nov 2026 08:34:00 +0000`)).toBeNull();
  });
});

describe('routingRecipients', () => {
  const SENDER_HEADERS = {
    'x-original-to': ['new@helpdesk.example'],
    'delivered-to': ['Delivered <other@helpdesk.example>'],
    to: ['Support <support@helpdesk.example>, new@helpdesk.example'],
    cc: ['=?utf-8?q?x?=@helpdesk.example, cc@helpdesk.example'],
  };

  it('never falls back to sender-written headers once SES wrote the topmost Received, even when its recipient cannot be read', () => {
    const odd = 'from mx.attacker.example (mx.attacker.example [192.0.2.1]) by inbound-smtp.eu-west-1.amazonaws.com with SMTP id abc123 for x=?y@helpdesk.example; Thu, 26 Nov 2026 08:34:00 +0000 (UTC)';
    expect(routingRecipients({ raw: { received: [odd], ...SENDER_HEADERS } })).toEqual({ recipients: [], source: 'received' });
  });

  it('takes the receipt\'s recipients first, canonical and once each', () => {
    expect(routingRecipients({ receiptRecipients: ['Support@Helpdesk.example', 'support@helpdesk.example', 'new@helpdesk.example'], raw: { received: [SES_RECEIVED], ...SENDER_HEADERS } })).toEqual({
      recipients: ['support@helpdesk.example', 'new@helpdesk.example'],
      source: 'receipt',
    });
  });

  it('else the for clause of the topmost Received header, when SES wrote it', () => {
    expect(routingRecipients({ receiptRecipients: [], raw: { received: [SES_RECEIVED, 'from a by b for new@helpdesk.example; date'], ...SENDER_HEADERS } })).toEqual({
      recipients: ['support@helpdesk.example'],
      source: 'received',
    });
  });

  it('never reads a Received header below the topmost one', () => {
    const forgedBelow = { received: ['from mx.sender.example by mx.other.example with ESMTP id 1; Thu, 26 Nov 2026 08:34:00 +0000', SES_RECEIVED.replace('support@', 'new@')] };
    expect(routingRecipients({ raw: forgedBelow })).toEqual({ recipients: [], source: 'none' });
  });

  it('falls back to the headers a sender writes, flagged as such, in their order', () => {
    expect(routingRecipients({ raw: SENDER_HEADERS })).toEqual({
      recipients: ['new@helpdesk.example', 'other@helpdesk.example', 'support@helpdesk.example', 'cc@helpdesk.example'],
      source: 'sender-headers',
    });
    expect(routingRecipients({ raw: {} })).toEqual({ recipients: [], source: 'none' });
  });

  it('routes the forged-x-original-to mail by SES\'s Received header, not its X-Original-To', async () => {
    const raw = readRawHeaders(await headerLinesOf(trustFixture('forged-x-original-to.eml')));
    expect(raw['x-original-to']).toEqual(['new@helpdesk.example']);
    expect(routingRecipients({ raw })).toEqual({ recipients: ['support@helpdesk.example'], source: 'received' });
  });
});
