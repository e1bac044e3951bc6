import { describe, expect, it } from 'vitest';
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
