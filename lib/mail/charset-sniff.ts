/**
 * The charset of a text part that declares none (issue 12, point 1). RFC 2045 §5.2 makes such a
 * part US-ASCII, but real mail without a charset is Japanese ISO-2022-JP (RFC 1468; 7-bit, so it
 * passes as "ASCII" with its escape codes showing), UTF-8, or a Windows code page. Sniffed in
 * this order, as the WHATWG Encoding Standard sniffs a byte stream: a byte-order mark, then
 * ISO-2022-JP escape sequences, then UTF-8 validity, then the default, windows-1252 (what the
 * WHATWG standard makes of `us-ascii` and `iso-8859-1` labels). Pure.
 *
 * Decoders: `encoding-japanese` for ISO-2022-JP (which `iconv-lite` lacks; both are the ones
 * mailparser's libmime uses), `iconv-lite` for windows-1252 and UTF-16, and the platform's
 * `TextDecoder` for UTF-8.
 */
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';
import { toWellFormed } from './unicode-text.js';

/** The charsets a sniff can answer. */
export type SniffedCharset = 'us-ascii' | 'utf-8' | 'utf-16le' | 'utf-16be' | 'iso-2022-jp' | 'windows-1252';

/** The charset an undeclared part is read in when it is neither ISO-2022-JP nor UTF-8. */
export const DEFAULT_UNDECLARED_CHARSET = 'windows-1252' satisfies SniffedCharset;

const ESC = 0x1b;
/**
 * The ISO-2022-JP escape sequences that switch to a double-byte or katakana set (RFC 1468;
 * RFC 2237 adds JIS X 0212): ESC $ @, ESC $ B, ESC $ ( D, ESC ( I. `ESC ( B` and `ESC ( J`
 * switch back to ASCII and Roman and prove nothing alone.
 */
const JIS_SHIFT = /\x1b\$[@B]|\x1b\$\(D|\x1b\(I/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function hasByteAbove7f(bytes: Uint8Array): boolean {
  for (const byte of bytes) if (byte > 0x7f) return true;
  return false;
}

/** Whether 7-bit bytes hold an ISO-2022-JP shift into a Japanese character set. */
function hasJisShift(bytes: Uint8Array): boolean {
  const first = bytes.indexOf(ESC);
  return first >= 0 && JIS_SHIFT.test(Buffer.from(bytes.buffer, bytes.byteOffset + first, bytes.length - first).toString('latin1'));
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    STRICT_UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The charset of bytes that declare none: a BOM, then ISO-2022-JP, then UTF-8, then windows-1252. */
export function sniffCharset(bytes: Uint8Array): SniffedCharset {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (!hasByteAbove7f(bytes)) return hasJisShift(bytes) ? 'iso-2022-jp' : 'us-ascii';
  return isUtf8(bytes) ? 'utf-8' : DEFAULT_UNDECLARED_CHARSET;
}

/** ISO-2022-JP bytes as text; a byte pair no JIS table maps comes out as `?` (encoding-japanese). */
function decodeIso2022jp(bytes: Uint8Array): string {
  return Encoding.convert(bytes, { to: 'UNICODE', from: 'JIS', type: 'string' });
}

/**
 * Decodes the bytes of a text part that declares no charset, in the charset {@link sniffCharset}
 * finds; a byte-order mark is dropped. Never throws; the text holds no lone surrogate.
 */
export function decodeUndeclared(bytes: Uint8Array): { readonly charset: SniffedCharset; readonly text: string } {
  const charset = sniffCharset(bytes);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  switch (charset) {
    case 'iso-2022-jp':
      return { charset, text: decodeIso2022jp(bytes) };
    case 'us-ascii':
    // Stryker disable next-line ConditionalExpression: iconv-lite decodes sniffed UTF-8 (a BOM, U+FFFD for bad bytes) as TextDecoder does
    case 'utf-8':
      return { charset, text: new TextDecoder('utf-8').decode(bytes) };
    default:
      // iconv-lite strips a BOM by default and turns an unpaired UTF-16 surrogate into U+FFFD.
      return { charset, text: toWellFormed(iconv.decode(buffer, charset)) };
  }
}

/** Maximal runs of 7-bit characters (a run holding a {@link JIS_SHIFT} is ISO-2022-JP). */
const SEVEN_BIT_RUN = /[\x00-\x7f]+/g;

/**
 * Repairs text that a parser decoded as ASCII or UTF-8 although it was ISO-2022-JP: each run
 * of 7-bit characters holding a JIS shift sequence is decoded as ISO-2022-JP. This is exact,
 * because ISO-2022-JP is 7-bit (RFC 1468), so reading it as ASCII lost nothing; text without an
 * ESC character is returned as it is (escape codes are never words). For mailparser's
 * `MessageText.text`, whose text parts without a charset are read as UTF-8.
 */
export function repairIso2022jp(text: string): string {
  // Stryker disable next-line StringLiteral: includes('') is true, the same as a text without ESC taking the slow path, which changes nothing
  if (!text.includes('\x1b')) return text;
  return text.replace(SEVEN_BIT_RUN, (run) => (JIS_SHIFT.test(run) ? decodeIso2022jp(Buffer.from(run, 'latin1')) : run));
}
