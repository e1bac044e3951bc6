import { describe, expect, it } from 'vitest';
import { loadReplyTokenKeys } from '../../lib/adapters/reply-token-secrets.js';
import { findReplyToken, mintReplyAddress, replyTokenMac, verifyReplyToken } from '../../lib/screening/reply-token.js';

const current = Buffer.from('a'.repeat(32));
const previous = Buffer.from('b'.repeat(32));
const keys = { current, previous: null };
const own = (address: string) => address === 'support@helpdesk.example';

describe('signed reply addresses', () => {
  it('mints <local>+<ticket>.<mac>@<domain> and verifies it', () => {
    const address = mintReplyAddress('Support@helpdesk.example', 42, keys);
    expect(address).toMatch(/^support\+42\.[0-9a-f]{16}@helpdesk\.example$/);
    const token = findReplyToken(['someone@else.example', address], own);
    expect(token).toMatchObject({ ticketId: 42, address });
    expect(token && verifyReplyToken(token, keys)).toBe(true);
  });

  it('rejects a MAC for another ticket or another secret', () => {
    const forTicket41 = replyTokenMac(current, 41);
    const token = findReplyToken([`support+42.${forTicket41}@helpdesk.example`], own);
    expect(token && verifyReplyToken(token, keys)).toBe(false);
    const otherSecret = findReplyToken([mintReplyAddress('support@helpdesk.example', 42, { current: previous, previous: null })], own);
    expect(otherSecret && verifyReplyToken(otherSecret, keys)).toBe(false);
  });

  it('still accepts the previous secret during a rotation', () => {
    const old = findReplyToken([mintReplyAddress('support@helpdesk.example', 42, { current: previous, previous: null })], own);
    expect(old && verifyReplyToken(old, { current, previous })).toBe(true);
  });

  it('survives a lower- or upper-cased local part', () => {
    const address = mintReplyAddress('support@helpdesk.example', 7, keys).toUpperCase();
    const token = findReplyToken([address], own);
    expect(token && verifyReplyToken(token, keys)).toBe(true);
  });

  it('ignores plus addresses that are no tokens, and tokens on foreign domains', () => {
    expect(findReplyToken(['support+urgent@helpdesk.example', 'support+42@helpdesk.example'], own)).toBeNull();
    expect(findReplyToken([mintReplyAddress('support@other.example', 42, keys)], own)).toBeNull();
  });

  it('refuses to mint for a bad ticket id', () => {
    expect(() => mintReplyAddress('support@helpdesk.example', 0, keys)).toThrow(RangeError);
  });
});

/**
 * Known answers: every address already sent out must keep verifying, so what is signed may never
 * change unnoticed. The expected MACs were computed outside this code, with OpenSSL:
 *
 *     printf '%s' 'helpdesk-reply-token:v1:42' | openssl dgst -sha256 -hmac 'test-secret-of-at-least-thirty-two-characters'
 *     → 41e4385efdfe45c0d75b0a360b057a59f26fc84fadfc7fd0ec964f10e97be8ed
 *     printf '%s' 'helpdesk-reply-token:v1:123456789' | openssl dgst -sha256 -hmac 'Zürich-secret-with-non-ascii-chars-0123456789'
 *     → 397c3870bfc9743a300a62d9a5f9781cb61e29a14297b338988bee7693d7ce5f   (the key as UTF-8 bytes)
 *
 * The address carries the first 16 hex digits.
 */
describe('signed reply addresses, known answers', () => {
  const KNOWN = [
    { secret: 'test-secret-of-at-least-thirty-two-characters', mailbox: 'Support@HelpDesk.example', ticketId: 42, address: 'support+42.41e4385efdfe45c0@helpdesk.example' },
    { secret: 'Zürich-secret-with-non-ascii-chars-0123456789', mailbox: 'billing+old@helpdesk.example', ticketId: 123456789, address: 'billing+123456789.397c3870bfc9743a@helpdesk.example' },
  ] as const;

  it.each(KNOWN)('mints $address for ticket $ticketId', async ({ secret, mailbox, ticketId, address }) => {
    // The secret as the configuration hands it over (REPLY_TOKEN_SECRET, or an SSM parameter's value).
    const loaded = await loadReplyTokenKeys({ kind: 'environment', current: secret, previous: null });
    expect(loaded).not.toBeNull();
    expect(mintReplyAddress(mailbox, ticketId, loaded as NonNullable<typeof loaded>)).toBe(address);
  });

  it.each(KNOWN)('verifies $address, an address already sent out', async ({ secret, address, ticketId }) => {
    const loaded = await loadReplyTokenKeys({ kind: 'environment', current: 'x'.repeat(32), previous: secret });
    const token = findReplyToken([address], (base) => base.endsWith('@helpdesk.example'));
    expect(token).toMatchObject({ ticketId });
    expect(token && loaded && verifyReplyToken(token, loaded)).toBe(true);
  });
});
