/**
 * Header fields as the sender's bytes wrote them, before mailparser decodes anything. mailparser
 * decodes RFC 2047 encoded words and IDN (`xn--`) labels, even inside addresses (RFC 2047 §5
 * forbids encoded words there), so whatever decides trust — who sent a mail, what SES wrote
 * about it, whom SES received it for — reads the raw form kept here. Pure.
 */

/**
 * One header field as mailparser's `headerLines` event (or the `MailParser#headerLines`
 * property, set before the `headers` event fires) hands it over: the lower-case field name and
 * the whole line, name and folding included, as a binary string (one character per byte, as
 * mailsplit reads the header block).
 */
export interface RawHeaderLine {
  readonly key: string;
  readonly line: string;
}

/** Raw header values by lower-case field name, topmost field first. */
export type RawHeaders = Readonly<Record<string, readonly string[]>>;

/** Mailing-list fields (RFC 2369, RFC 2919): mail through a list never gets a sender notice. */
export const LIST_HEADERS = ['list-id', 'list-post', 'list-unsubscribe', 'list-help'] as const;

/** The header fields the trust decisions read raw. */
export const TRUST_HEADERS = [
  'from',
  'reply-to',
  'sender',
  'date',
  'to',
  'cc',
  'authentication-results',
  'received',
  'x-original-to',
  'delivered-to',
  // Read raw: mailparser folds them into one `list` value.
  ...LIST_HEADERS,
] as const;

/** Most values kept per field name: `Received` may repeat, the others should appear once. */
export const MAX_RAW_VALUES = 50;

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const UTF8_REPLACING = new TextDecoder('utf-8');

/**
 * The bytes of a binary string read as UTF-8 (RFC 6532 allows UTF-8 in header values). Invalid
 * UTF-8 comes out with U+FFFD in place of the bad bytes, which no canonical address accepts. A
 * string that already holds characters above U+00FF is taken as decoded and returned as it is.
 */
export function decodeHeaderBytes(binary: string): string {
  if (/[^\u0000-\u00ff]/.test(binary)) return binary;
  if (!/[\u0080-\u00ff]/.test(binary)) return binary;
  const bytes = Buffer.from(binary, 'latin1');
  try {
    return UTF8.decode(bytes);
  } catch {
    return UTF8_REPLACING.decode(bytes);
  }
}

/**
 * The value of one raw header line: the text after the first colon, unfolded (RFC 5322 §2.2.3:
 * a CRLF followed by white space is removed) and trimmed, its bytes read as UTF-8.
 */
export function rawHeaderValue(line: string): string {
  const colon = line.indexOf(':');
  const value = colon < 0 ? '' : line.slice(colon + 1);
  return decodeHeaderBytes(value.replace(/\r?\n(?=[ \t])/g, '')).trim();
}

/**
 * Keeps the raw values of the named fields (`TRUST_HEADERS` by default), topmost first, at most
 * `maxPerName` of each (the topmost ones). Values are never cut: a cut address could read as
 * another one (`alice@example.com.attacker.example`); mailparser's `maxHeadSize` bounds them.
 */
export function readRawHeaders(
  lines: readonly RawHeaderLine[],
  names: readonly string[] = TRUST_HEADERS,
  maxPerName: number = MAX_RAW_VALUES,
): RawHeaders {
  const wanted = new Set(names.map((name) => name.toLowerCase()));
  const out: Record<string, string[]> = {};
  for (const { key, line } of lines) {
    const name = key.trim().toLowerCase();
    if (!wanted.has(name)) continue;
    const values = (out[name] ??= []);
    if (values.length < maxPerName) values.push(rawHeaderValue(line));
  }
  return out;
}
