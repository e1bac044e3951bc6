/**
 * Routing a mail to its mailbox (lib/mailbox.ts) against a hand-written routing table: the `+tag`
 * stripped only from the local part, the first configured recipient winning, and the default route.
 */
import { describe, expect, it } from 'vitest';
import { baseAddress, QUEUE_SLUG_PATTERN, routeMail, type RoutingTable } from '../../lib/mailbox.js';

const routing: RoutingTable = {
  mailboxes: [
    { address: 'support@helpdesk.example', queue: 'support', mode: 'update-only' },
    { address: 'billing@helpdesk.example', queue: 'billing', mode: 'create' },
  ],
  defaultQueue: null,
  defaultMode: 'create',
};

describe('baseAddress', () => {
  it('lower-cases and drops the +tag of the local part, however long', () => {
    expect(baseAddress('Support+42.ABCDEF@Helpdesk.Example')).toBe('support@helpdesk.example');
    expect(baseAddress('support+@helpdesk.example')).toBe('support@helpdesk.example');
    expect(baseAddress('support+a+b@helpdesk.example')).toBe('support@helpdesk.example');
  });

  it('leaves an address without a tag, and a + in the domain, alone', () => {
    expect(baseAddress('support@helpdesk.example')).toBe('support@helpdesk.example');
    expect(baseAddress('support@help+desk.example')).toBe('support@help+desk.example');
  });
});

describe('routeMail', () => {
  it('takes the first recipient, in the order given, that is a mailbox', () => {
    expect(routeMail(['billing@helpdesk.example', 'support@helpdesk.example'], routing)?.queue).toBe('billing');
    expect(routeMail(['stranger@example.com', 'Support+7.abc@helpdesk.example', 'billing@helpdesk.example'], routing)?.queue).toBe('support');
  });

  it('answers nothing without a configured recipient and without a default queue', () => {
    expect(routeMail([], routing)).toBeNull();
    expect(routeMail(['stranger@example.com'], routing)).toBeNull();
  });

  it('takes the default route, with its mode, when no recipient is a mailbox', () => {
    expect(routeMail(['stranger@example.com'], { ...routing, defaultQueue: 'general' })).toEqual({ address: null, queue: 'general', mode: 'create' });
    expect(routeMail([], { ...routing, defaultQueue: 'general', defaultMode: 'update-only' })).toEqual({ address: null, queue: 'general', mode: 'update-only' });
  });

  it('prefers a configured mailbox over the default route', () => {
    expect(routeMail(['support@helpdesk.example'], { ...routing, defaultQueue: 'general' })).toEqual(routing.mailboxes[0]);
  });
});

describe('QUEUE_SLUG_PATTERN', () => {
  it('takes queue slugs as django-helpdesk writes them (a Django SlugField, 1-50 characters)', () => {
    for (const slug of ['support', 'Support_EU-2', 'a', 'x'.repeat(50)]) expect(QUEUE_SLUG_PATTERN.test(slug)).toBe(true);
    for (const slug of ['', 'x'.repeat(51), 'sup port', 'support.eu', 'ünï', 'a]']) expect(QUEUE_SLUG_PATTERN.test(slug)).toBe(false);
  });
});
