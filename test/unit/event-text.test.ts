/**
 * The text of an event's fields (lib/events/text.ts): cut to a byte budget and made well-formed
 * UTF-16, so that every field encodes to valid UTF-8 that strict JSON parsers of EventBridge's
 * consumers accept. Pins which surrogates count as lone (only those: a valid pair, an emoji, is
 * kept), that a text of exactly the budget is kept whole and not reported cut, and that a cut keeps
 * as much as fits — never less, never a split character.
 */
import { describe, expect, it } from 'vitest';
import { capped, cutToBytes, wellFormed } from '../../lib/events/text.js';

const HIGH = '\uD83D';
const LOW = '\uDE00';
const GRIN = `${HIGH}${LOW}`; // 😀, one valid surrogate pair
const FFFD = '\uFFFD';

describe('a well-formed event text', () => {
  it('keeps text without surrogates as it is', () => {
    expect(wellFormed('Printer on fire, café ✓')).toBe('Printer on fire, café ✓');
  });

  it('keeps a valid surrogate pair (an emoji) as it is', () => {
    expect(wellFormed(`ok ${GRIN} ok`)).toBe(`ok ${GRIN} ok`);
    expect(wellFormed(GRIN)).toBe(GRIN);
  });

  it('replaces a lone high surrogate, in the middle or at the end, by U+FFFD', () => {
    expect(wellFormed(`ab${HIGH}cd`)).toBe(`ab${FFFD}cd`);
    expect(wellFormed(`ab${HIGH}`)).toBe(`ab${FFFD}`);
  });

  it('replaces a lone low surrogate, at the start or in the middle, by U+FFFD', () => {
    expect(wellFormed(`${LOW}ab`)).toBe(`${FFFD}ab`);
    expect(wellFormed(`ab${LOW}cd`)).toBe(`ab${FFFD}cd`);
  });

  it('replaces lone surrogates next to a valid pair and keeps the pair', () => {
    expect(wellFormed(`${LOW}${GRIN}${HIGH}`)).toBe(`${FFFD}${GRIN}${FFFD}`);
    expect(wellFormed(`${HIGH}${GRIN}`)).toBe(`${FFFD}${GRIN}`);
    // A pair in the wrong order is two lone surrogates.
    expect(wellFormed(`${LOW}${HIGH}`)).toBe(`${FFFD}${FFFD}`);
  });

  it('is valid UTF-8 once encoded: decoding gives back the same text', () => {
    const text = wellFormed(`a${HIGH}b${LOW}c${GRIN}`);
    expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
  });
});

describe('a text cut to a byte budget', () => {
  it('keeps a text of exactly the budget whole, and says it was not cut', () => {
    expect(cutToBytes('abc', 3)).toEqual({ text: 'abc', truncated: false });
    expect(cutToBytes('é', 2)).toEqual({ text: 'é', truncated: false });
  });

  it('keeps as many characters as fit, and says it was cut', () => {
    expect(cutToBytes('abcdef', 3)).toEqual({ text: 'abc', truncated: true });
    expect(cutToBytes('x'.repeat(5000), 1024).text).toBe('x'.repeat(1024));
  });

  it('never splits a character: an emoji, a flag, an accent sequence, a family', () => {
    expect(cutToBytes(`ab${GRIN}`, 5)).toEqual({ text: 'ab', truncated: true });
    expect(cutToBytes('a🇫🇷', 6)).toEqual({ text: 'a', truncated: true });
    expect(cutToBytes('ae\u0301', 3)).toEqual({ text: 'a', truncated: true });
    expect(cutToBytes('x👩‍👩‍👧‍👦', 20)).toEqual({ text: 'x', truncated: true });
  });

  it('counts a lone surrogate as the U+FFFD it becomes', () => {
    expect(cutToBytes(`ab${HIGH}cd`, 10)).toEqual({ text: `ab${FFFD}cd`, truncated: false });
    expect(cutToBytes(`ab${HIGH}cd`, 5)).toEqual({ text: `ab${FFFD}`, truncated: true });
  });

  it('leaves null as null when capped', () => {
    expect(capped(null, 3)).toBeNull();
    expect(capped('abcdef', 3)).toBe('abc');
  });
});
