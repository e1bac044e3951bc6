/**
 * The exact edges of Message-ID handling (lib/mail/message-id.ts): the ledger key's byte limit,
 * the id length counted in characters (not UTF-16 units), the bracketed id's length limit, and
 * what counts as white space between unbracketed ids.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { extractMessageIds, isDegenerateMessageId, ledgerKeyOfMessageId, MAX_MESSAGE_ID_LENGTH, normalizeMessageId, sha256Hex } from '../../lib/mail/message-id.js';

const idOfBytes = (bytes: number, filler = 'x') => `${filler.repeat(bytes - '@host'.length)}@host`;

describe('ledgerKeyOfMessageId', () => {
  it('keeps an id of exactly 1,000 bytes, and hashes one byte more', () => {
    expect(ledgerKeyOfMessageId(idOfBytes(1000))).toBe(idOfBytes(1000));
    const over = idOfBytes(1001);
    expect(ledgerKeyOfMessageId(over)).toBe(`sha256-id:${createHash('sha256').update(over).digest('hex')}`);
  });

  it('counts bytes of UTF-8, not characters', () => {
    const umlauts = `${'ü'.repeat(500)}@host`; // 505 characters, 1,005 bytes
    expect(ledgerKeyOfMessageId(umlauts)).toMatch(/^sha256-id:[0-9a-f]{64}$/);
  });
});

describe('sha256Hex', () => {
  it('hashes strings and bytes alike', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(new TextEncoder().encode('abc'))).toBe(sha256Hex('abc'));
  });
});

describe('isDegenerateMessageId', () => {
  it('counts the length in characters: 250 astral characters are within it', () => {
    const astral = `${'😀'.repeat(MAX_MESSAGE_ID_LENGTH - '@x.example'.length)}@x.example`;
    expect(astral.length).toBeGreaterThan(MAX_MESSAGE_ID_LENGTH);
    expect(isDegenerateMessageId(astral)).toBe(false);
    expect(isDegenerateMessageId(`😀${astral}`)).toBe(true);
  });

  it('takes the last @ for the right side', () => {
    expect(isDegenerateMessageId('a@b@')).toBe(true);
    expect(isDegenerateMessageId('@a@b')).toBe(false);
  });
});

describe('extractMessageIds', () => {
  it('takes a bracketed id of up to 2,000 characters, and no longer one', () => {
    const longest = `${'x'.repeat(1995)}@host`;
    expect(extractMessageIds(`<${longest}>`)).toEqual([longest]);
    expect(extractMessageIds(`<x${longest}>`)).toEqual([`<x${longest}>`]);
  });

  it('splits unbracketed ids on any white space, and keeps only tokens with an @', () => {
    expect(extractMessageIds('a@x\r\n\tb@y  c')).toEqual(['a@x', 'b@y']);
    expect(extractMessageIds(['a@x', 'a@x'])).toEqual(['a@x']);
  });

  it('takes bracketed ids only, when there are any', () => {
    expect(extractMessageIds('loose@x <bracketed@y>')).toEqual(['bracketed@y']);
  });
});

describe('normalizeMessageId', () => {
  it('takes the first bracketed id', () => {
    expect(normalizeMessageId('<a@x> <b@y>')).toBe('a@x');
    expect(normalizeMessageId(null)).toBeNull();
  });
});
