/**
 * Valid text everywhere (issue 12, point 5): cuts that never split a user-perceived character,
 * and strings that hold only valid Unicode. Pure.
 *
 * A JavaScript string is UTF-16 code units; `slice(0, n)` can cut a surrogate pair (half an
 * emoji, a lone surrogate that UTF-8 cannot encode: DynamoDB and S3 would store U+FFFD or refuse
 * it), or split a grapheme cluster (a ZWJ family emoji, a flag, a letter from its combining
 * accent). Cuts here step over extended grapheme clusters (Unicode UAX #29) with
 * `Intl.Segmenter`, which Node ships with full ICU.
 */

/** An unpaired UTF-16 surrogate: a high one not followed by a low one, or a low one not after a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether a string holds a lone surrogate (is not well-formed UTF-16, so not valid Unicode). */
export function hasLoneSurrogate(text: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(text);
}

/**
 * The string with every lone surrogate replaced by U+FFFD, as `String.prototype.toWellFormed`
 * (ES2024) does and as a UTF-8 encoder would; other characters are left as they are.
 */
export function toWellFormed(text: string): string {
  return hasLoneSurrogate(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text;
}

/** How a limit counts: UTF-16 code units (JavaScript `length`), code points (Python's `len`), or UTF-8 bytes. */
export type LengthUnit = 'utf16' | 'code-points' | 'utf8-bytes';

/** The size of a string in a unit. */
export function measure(text: string, unit: LengthUnit): number {
  switch (unit) {
    case 'utf16':
      return text.length;
    case 'utf8-bytes':
      return Buffer.byteLength(text, 'utf8');
    case 'code-points': {
      let count = 0;
      for (const _ of text) count++;
      return count;
    }
  }
}

const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** What a cut gives: the text and whether anything was cut off. */
export interface CutText {
  readonly text: string;
  readonly cut: boolean;
}

/**
 * The longest prefix of `text` (made well-formed first, see {@link toWellFormed}) that ends on a
 * grapheme cluster boundary and measures at most `max` in `unit`, `ellipsis` included when
 * something was cut off. A cluster is never split: one that alone is over the limit is left out
 * with everything after it. `max` below the size of the ellipsis gives the empty string when
 * something must be cut.
 * @throws RangeError when `max` is negative or not an integer.
 */
export function cutText(text: string, max: number, unit: LengthUnit = 'code-points', ellipsis = ''): CutText {
  if (!Number.isInteger(max) || max < 0) throw new RangeError(`cutText: max must be a non-negative integer, got ${max}`);
  const valid = toWellFormed(text);
  if (measure(valid, unit) <= max) return { text: valid, cut: false };
  const budget = max - measure(ellipsis, unit);
  if (budget < 0) return { text: '', cut: true };
  // Only a window that surely holds every grapheme that fits is segmented (segmenting a whole
  // long text is slow). A prefix that fits the budget is at most 2 × budget code units long (a
  // code point is at most 2 units, and counts at least 1 code point or 1 UTF-8 byte), so the
  // window's last grapheme, which the window may have cut, never fits and is never taken.
  const window = valid.slice(0, Math.min(valid.length, 2 * budget + 64));
  let used = 0;
  let end = 0;
  for (const { segment, index } of GRAPHEMES.segment(window)) {
    const size = measure(segment, unit);
    if (used + size > budget) break;
    used += size;
    end = index + segment.length;
  }
  return { text: valid.slice(0, end) + ellipsis, cut: true };
}

/**
 * A one-line field (a ticket title): white space runs, line breaks and control characters
 * become one space, the ends are trimmed, then the text is cut to `max` code points on a
 * grapheme boundary with `…` when it was longer (django-helpdesk's title is 200 characters).
 */
export function oneLine(text: string, max: number, ellipsis = '…'): string {
  const flat = toWellFormed(text)
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\s]+/gu, ' ')
    .trim();
  if (measure(flat, 'code-points') <= max) return flat;
  const room = max - measure(ellipsis, 'code-points');
  return room < 0 ? '' : cutText(flat, room, 'code-points').text.trimEnd() + ellipsis;
}
