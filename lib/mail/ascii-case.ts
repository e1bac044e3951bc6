/**
 * ASCII-only case folding, for text whose offsets must not move and for the parts of mail that
 * compare case-insensitively in ASCII only (RFC 5321 §2.4 domains, RFC 5322 keywords).
 */

/**
 * The text with A-Z lower-cased and every other character as it is: the result has the same
 * length as the input, so an offset found in it is an offset in the input. (`toLowerCase` can
 * lengthen a string: 'İ' becomes 'i̇', two code units.)
 */
export function asciiLowerCase(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
