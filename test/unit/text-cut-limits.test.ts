/**
 * The limits of cutText and oneLine at their edges: a limit that leaves room for the ellipsis
 * alone, a text exactly at the limit, long texts (cut through a window, not segmented whole),
 * and the message of the RangeError.
 */
import { describe, expect, it } from 'vitest';
import { cutText, oneLine } from '../../lib/mail/unicode-text.js';

describe('cutText at its edges', () => {
  it('gives the ellipsis alone when the limit is its size', () => {
    expect(cutText('abcdef', 1, 'code-points', '…')).toEqual({ text: '…', cut: true });
    expect(cutText('abcdef', 3, 'utf8-bytes', '…')).toEqual({ text: '…', cut: true });
  });

  it('names the limit it refuses', () => {
    expect(() => cutText('x', -2)).toThrow('cutText: max must be a non-negative integer, got -2');
  });

  it('cuts a long text as one segmented whole would be cut, in each unit', () => {
    const text = `${'ab😀e\u0301'.repeat(5000)}`;
    expect(cutText(text, 100, 'code-points')).toEqual({ text: 'ab😀e\u0301'.repeat(20), cut: true });
    expect(cutText(text, 101, 'utf16')).toEqual({ text: `${'ab😀e\u0301'.repeat(16)}ab😀`, cut: true });
    expect(cutText(text, 30, 'utf8-bytes', '…')).toEqual({ text: `${'ab😀e\u0301'.repeat(3)}…`, cut: true });
  });
});

describe('oneLine at its edges', () => {
  it('keeps a title of exactly the limit whole', () => {
    expect(oneLine('abc', 3)).toBe('abc');
    expect(oneLine('Printer  jams', 12)).toBe('Printer jams');
  });

  it('gives the ellipsis alone when the limit is its size', () => {
    expect(oneLine('abc', 1)).toBe('…');
  });
});
