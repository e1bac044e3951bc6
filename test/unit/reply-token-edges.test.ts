/**
 * The edges of signed reply addresses (lib/screening/reply-token.ts): what minting refuses and
 * how it spells the address, which recipient's token is found, and verification by the previous
 * secret alone or with none.
 */
import { describe, expect, it } from 'vitest';
import { findReplyToken, mintReplyAddress, replyTokenMac, verifyReplyToken, type ReplyTokenKeys } from '../../lib/screening/reply-token.js';

const keys: ReplyTokenKeys = { current: Buffer.from('a'.repeat(32)), previous: null };
const own = (address: string) => address === 'support@helpdesk.example';

describe('mintReplyAddress', () => {
  it('refuses ids that are not positive safe integers, naming them', () => {
    for (const id of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN]) {
      expect(() => mintReplyAddress('support@helpdesk.example', id, keys)).toThrow(new RangeError(`ticket id ${id} is not a positive integer`));
    }
    expect(mintReplyAddress('support@helpdesk.example', 1, keys)).toBe(`support+1.${replyTokenMac(keys.current, 1)}@helpdesk.example`);
  });

  it('refuses a mailbox that is not an address, naming it', () => {
    expect(() => mintReplyAddress('@helpdesk.example', 1, keys)).toThrow(new RangeError('@helpdesk.example is not an address'));
    expect(() => mintReplyAddress('support', 1, keys)).toThrow(new RangeError('support is not an address'));
  });

  it('drops a +tag of the mailbox, splits at the last @, and lower-cases the address', () => {
    expect(mintReplyAddress('Support+old@Helpdesk.Example', 7, keys)).toBe(`support+7.${replyTokenMac(keys.current, 7)}@helpdesk.example`);
    expect(mintReplyAddress('"a@b"@helpdesk.example', 7, keys)).toBe(`"a@b"+7.${replyTokenMac(keys.current, 7)}@helpdesk.example`);
  });
});

describe('findReplyToken', () => {
  const token = (id: number) => mintReplyAddress('support@helpdesk.example', id, keys);

  it('takes the first recipient with a token on our mailbox, lower-cased', () => {
    const found = findReplyToken(['alice@example.com', token(5).toUpperCase(), token(6)], own);
    expect(found).toEqual({ address: token(5), ticketId: 5, mac: replyTokenMac(keys.current, 5) });
  });

  it('passes the mailbox to the check without its token, lower-cased', () => {
    const asked: string[] = [];
    findReplyToken([token(5).toUpperCase()], (address) => {
      asked.push(address);
      return false;
    });
    expect(asked).toEqual(['support@helpdesk.example']);
  });

  it('skips a token for ticket 0 and goes on to the next recipient', () => {
    const zero = `support+0.${replyTokenMac(keys.current, 0)}@helpdesk.example`;
    expect(findReplyToken([zero, token(9)], own)?.ticketId).toBe(9);
    expect(findReplyToken([zero], own)).toBeNull();
  });

  it('takes ids of up to 15 digits and a MAC of exactly 16 hex digits', () => {
    const mac = replyTokenMac(keys.current, 1);
    expect(findReplyToken([`support+123456789012345.${mac}@helpdesk.example`], own)?.ticketId).toBe(123456789012345);
    expect(findReplyToken([`support+1234567890123456.${mac}@helpdesk.example`], own)).toBeNull();
    expect(findReplyToken([`support+1.${mac}0@helpdesk.example`], own)).toBeNull();
    expect(findReplyToken([`support+1.${mac.slice(1)}@helpdesk.example`], own)).toBeNull();
    expect(findReplyToken([` support+1.${mac}@helpdesk.example`], own)).toBeNull();
  });
});

describe('verifyReplyToken', () => {
  const previous = Buffer.from('b'.repeat(32));

  it('accepts a MAC of the previous secret, and of the current one when there is a previous one', () => {
    const old = { address: '', ticketId: 3, mac: replyTokenMac(previous, 3) };
    expect(verifyReplyToken(old, { current: keys.current, previous })).toBe(true);
    expect(verifyReplyToken(old, keys)).toBe(false);
    expect(verifyReplyToken({ address: '', ticketId: 3, mac: replyTokenMac(keys.current, 3) }, { current: keys.current, previous })).toBe(true);
  });

  it('refuses a MAC of another length without comparing', () => {
    const mac = replyTokenMac(keys.current, 3);
    expect(verifyReplyToken({ address: '', ticketId: 3, mac: mac.slice(0, 15) }, keys)).toBe(false);
    expect(verifyReplyToken({ address: '', ticketId: 3, mac: `${mac}0` }, keys)).toBe(false);
  });
});
