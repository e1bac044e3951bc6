/**
 * Where SES and the relays say a mail was delivered (Delivered-To, X-Original-To, the `for`
 * clause of Received): the envelope recipients readMailHeaders reports as `deliveredTo`.
 * Hand-built header maps in the shapes mailparser hands over.
 */
import type { AddressObject, HeaderValue, Headers } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { readMailHeaders } from '../../lib/mail/headers.js';

const headers = (entries: Record<string, unknown>): Headers => new Map(Object.entries(entries)) as Headers;
const deliveredTo = (entries: Record<string, unknown>): readonly string[] => readMailHeaders(headers(entries), []).deliveredTo;
const received = (...lines: string[]): HeaderValue => lines;

describe('envelope recipients from the for clause of Received', () => {
  it('reads the recipient after any run of white space, with or without angle brackets', () => {
    expect(deliveredTo({ received: received('from a by mx.example for \t <Support@Helpdesk.example>; Mon, 30 Nov 2026') })).toEqual(['support@helpdesk.example']);
    expect(deliveredTo({ received: received('from a by mx.example for help@helpdesk.example; Mon, 30 Nov 2026') })).toEqual(['help@helpdesk.example']);
    expect(deliveredTo({ received: received('from a by mx.example for <help@helpdesk.example>  ; Mon, 30 Nov 2026') })).toEqual(['help@helpdesk.example']);
  });

  it('takes the whole local part and domain, not one character of either', () => {
    expect(deliveredTo({ received: received('by mx.example with ESMTP id 1 for <first.last+tag@support.helpdesk.example>; Mon') })).toEqual([
      'first.last+tag@support.helpdesk.example',
    ]);
  });

  it('needs white space after for, an @, and the semicolon that ends the clause', () => {
    expect(deliveredTo({ received: received('by mx.example for<a@helpdesk.example>; Mon') })).toEqual([]);
    expect(deliveredTo({ received: received('by mx.example for <postmaster>; Mon') })).toEqual([]);
    expect(deliveredTo({ received: received('by mx.example for <a@helpdesk.example> Mon') })).toEqual([]);
    expect(deliveredTo({ received: received('by mx.example transport <a@helpdesk.example>; Mon') })).toEqual([]);
  });

  it('skips values of a repeated field that are not text', () => {
    const mixed = ['by mx.example for <a@helpdesk.example>; Mon', new Date(0), 'by relay.example for <b@helpdesk.example>; Mon'];
    expect(deliveredTo({ received: mixed })).toEqual(['a@helpdesk.example', 'b@helpdesk.example']);
  });
});

describe('envelope recipients from X-Original-To and Delivered-To', () => {
  it('keeps only the entries of X-Original-To that are addresses', () => {
    expect(deliveredTo({ 'x-original-to': 'undisclosed-recipients, Help@Helpdesk.example, support' })).toEqual(['help@helpdesk.example']);
    expect(deliveredTo({ 'x-original-to': 'support' })).toEqual([]);
  });

  it('lists an address named by several fields once, in the order found', () => {
    const delivered: AddressObject = { value: [{ address: 'help@helpdesk.example', name: '' }], text: 'help@helpdesk.example', html: '' };
    expect(
      deliveredTo({
        'delivered-to': delivered,
        'x-original-to': 'HELP@helpdesk.example, other@helpdesk.example',
        received: received('by mx.example for <other@helpdesk.example>; Mon'),
      }),
    ).toEqual(['help@helpdesk.example', 'other@helpdesk.example']);
  });
});
