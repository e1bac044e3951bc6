/** Text cut to a byte budget for an event, without breaking a character. Pure. */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** Lone UTF-16 surrogates (invalid in UTF-8 and in JSON read by strict parsers). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** The text with each lone surrogate replaced by U+FFFD, so it encodes to valid UTF-8. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * The longest prefix of `text` (made {@link wellFormed}) whose UTF-8 encoding is at most
 * `maxBytes`, cut on a grapheme boundary (UAX #29, `Intl.Segmenter`) so that no character, emoji
 * or combining sequence is split; `truncated` tells whether anything was cut.
 */
export function cutToBytes(text: string, maxBytes: number): { readonly text: string; readonly truncated: boolean } {
  const whole = wellFormed(text);
  if (Buffer.byteLength(whole) <= maxBytes) return { text: whole, truncated: false };
  // Every UTF-16 code unit takes at least one byte: no more than maxBytes units can fit.
  const head = whole.slice(0, maxBytes + 1);
  let bytes = 0;
  let end = 0;
  for (const { segment, index } of graphemes.segment(head)) {
    const size = Buffer.byteLength(segment);
    if (bytes + size > maxBytes) break;
    bytes += size;
    end = index + segment.length;
  }
  return { text: wellFormed(whole.slice(0, end)), truncated: true };
}

/** {@link cutToBytes}, answering only the text; `null` stays `null`. */
export function capped(text: string | null, maxBytes: number): string | null {
  return text === null ? null : cutToBytes(text, maxBytes).text;
}
