/** Valid text everywhere (issue 12, point 5): grapheme-safe cuts, no lone surrogates. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { cutText, hasLoneSurrogate, measure, oneLine, toWellFormed } from '../../lib/mail/unicode-text.js';

const FAMILY = '👨‍👩‍👧‍👦'; // four emoji joined by ZWJ: one grapheme, 11 UTF-16 code units
const FLAG = '🇩🇪'; // two regional indicators
const E_ACUTE = 'e\u0301'; // e + combining acute accent
const THUMBS = '👍🏽'; // emoji + skin-tone modifier

describe('toWellFormed and hasLoneSurrogate', () => {
  it('replaces lone high and low surrogates with U+FFFD and keeps pairs', () => {
    expect(toWellFormed('a\uD83Db')).toBe('a\uFFFDb');
    expect(toWellFormed('a\uDCA9b')).toBe('a\uFFFDb');
    expect(toWellFormed('\uDCA9\uD83D')).toBe('\uFFFD\uFFFD');
    expect(toWellFormed('😀 ok')).toBe('😀 ok');
    expect(hasLoneSurrogate('😀')).toBe(false);
    expect(hasLoneSurrogate('😀'.slice(0, 1))).toBe(true);
  });

  it('answers the same on repeated calls (the global pattern keeps no state between them)', () => {
    expect([hasLoneSurrogate('x\uD800'), hasLoneSurrogate('x\uD800'), hasLoneSurrogate('x')]).toEqual([true, true, false]);
  });

  it('gives a string that UTF-8 round-trips, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const valid = toWellFormed(text);
        expect(Buffer.from(valid, 'utf8').toString('utf8')).toBe(valid);
        expect(hasLoneSurrogate(valid)).toBe(false);
      }),
    );
  });
});

describe('measure', () => {
  it('counts code units, code points and UTF-8 bytes', () => {
    expect([measure(FAMILY, 'utf16'), measure(FAMILY, 'code-points'), measure(FAMILY, 'utf8-bytes')]).toEqual([11, 7, 25]);
  });
});

describe('cutText', () => {
  it('never splits an emoji, a ZWJ sequence, a flag, a skin tone or a combining mark', () => {
    for (const cluster of [FAMILY, FLAG, E_ACUTE, THUMBS, '😀']) {
      const text = `ab${cluster}cd`;
      for (const unit of ['utf16', 'code-points', 'utf8-bytes'] as const) {
        const before = measure('ab', unit);
        const whole = measure(`ab${cluster}`, unit);
        for (let max = before; max < whole; max++) expect(cutText(text, max, unit)).toEqual({ text: 'ab', cut: true });
        expect(cutText(text, whole, unit)).toEqual({ text: `ab${cluster}`, cut: true });
      }
    }
  });

  it('keeps text that fits as it is', () => {
    expect(cutText('short', 5)).toEqual({ text: 'short', cut: false });
    expect(cutText('', 0)).toEqual({ text: '', cut: false });
  });

  it('counts the ellipsis within the limit', () => {
    expect(cutText('abcdef', 4, 'code-points', '…')).toEqual({ text: 'abc…', cut: true });
    expect(cutText('abcdef', 4, 'utf8-bytes', '…')).toEqual({ text: 'a…', cut: true });
    expect(cutText('abcdef', 0, 'code-points', '…')).toEqual({ text: '', cut: true });
  });

  it('leaves out a cluster that alone is over the limit', () => {
    expect(cutText(`${FAMILY}x`, 5, 'utf16')).toEqual({ text: '', cut: true });
  });

  it('makes its input well-formed first', () => {
    expect(cutText('a\uD800b', 10)).toEqual({ text: 'a\uFFFDb', cut: false });
  });

  it('refuses a negative or fractional limit', () => {
    expect(() => cutText('x', -1)).toThrow(RangeError);
    expect(() => cutText('x', 1.5)).toThrow(RangeError);
  });

  it('for any string and limit: within the limit, a prefix on a grapheme boundary, well-formed', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    const alphabet = fc.constantFrom('a', ' ', FAMILY, FLAG, E_ACUTE, THUMBS, '\u0301', '\u200d', '日', '\uD800');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 30 }), fc.nat(60), fc.constantFrom('utf16', 'code-points', 'utf8-bytes'), (parts, max, unit) => {
        const text = toWellFormed(parts.join(''));
        const { text: out } = cutText(text, max, unit);
        expect(measure(out, unit)).toBeLessThanOrEqual(max);
        expect(text.startsWith(out)).toBe(true);
        const boundaries = new Set([...segmenter.segment(text)].map((s) => s.index).concat(text.length));
        expect(boundaries.has(out.length)).toBe(true);
        expect(hasLoneSurrogate(out)).toBe(false);
      }),
    );
  });
});

describe('oneLine', () => {
  it('flattens line breaks and control characters, trims, and cuts with an ellipsis', () => {
    expect(oneLine('  Printer\r\n\tjams\u2028again\u0000 ', 200)).toBe('Printer jams again');
    expect(oneLine('abc def ghi', 8)).toBe('abc def…');
    expect(oneLine('abc def ghi', 5)).toBe('abc…');
    expect(oneLine('abc', 0)).toBe('');
  });

  it('cuts the subject of emoji-at-title-cut on a character boundary (django-helpdesk: 200 characters)', async () => {
    const parsed = await simpleParser(readFileSync(join(import.meta.dirname, '../fixtures/fidelity/emoji-at-title-cut.eml')));
    const subject = parsed.subject ?? '';
    // The naive cut of today: 200 UTF-16 code units end inside the camera emoji.
    expect(hasLoneSurrogate(subject.slice(0, 200))).toBe(true);
    const title = oneLine(subject, 200);
    expect(hasLoneSurrogate(title)).toBe(false);
    expect(measure(title, 'code-points')).toBeLessThanOrEqual(200);
    expect(title.endsWith('…')).toBe(true);
    expect(subject.startsWith(title.slice(0, -1).trimEnd())).toBe(true);
  });
});
