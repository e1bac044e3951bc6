/**
 * Which words of a mail are its body, so that none are lost (issue 12, point 1). Pure.
 *
 * - The text part wins when it holds any non-white-space character.
 * - Otherwise the HTML part is converted to text, after its embedded blobs (`data:` URIs, the
 *   base64 of a pasted photo) are cut out, so that any size cap applies to the words, not to the
 *   pictures: a 4 MB pasted photo no longer pushes a two-line mail over the converter's cap.
 * - A `text/plain` part with a file name or `Content-Disposition: attachment` is an attachment,
 *   never body (RFC 2183 §2.3: a file name is a suggestion for storing the part as a file).
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';
import { asciiLowerCase } from './ascii-case.js';
import { nestsDeeperThan } from './html-depth.js';

/** The text and HTML content mailparser hands over in its final `text` item (`MessageText`). */
export interface BodyParts {
  /** `MessageText.text`: every inline `text/plain` part, joined. */
  readonly text?: string | null | false;
  /** `MessageText.html`: every inline `text/html` part, joined. */
  readonly html?: string | null | false;
}

/** The body chosen, and where it came from. */
export interface SelectedBody {
  readonly text: string;
  /** `text` the text part, `html` the converted HTML part, `none` neither held a word. */
  readonly source: 'text' | 'html' | 'none';
  /** How many characters of embedded blobs were cut out of the HTML before converting it. */
  readonly blobCharsRemoved: number;
  /** Whether the HTML was converted crudely (tags stripped) because it was too deep or too long. */
  readonly crude: boolean;
}

/** Limits of the HTML-to-text conversion. */
export interface HtmlConversionLimits {
  /** Most characters of HTML (after blob removal) that are converted; the rest is cut. */
  readonly maxHtmlChars: number;
  /**
   * Deepest element nesting handed to html-to-text. htmlparser2 is quadratic in the nesting
   * depth (100,000 nested `<b>`, 300 KB, take seconds) and html-to-text's recursive walk
   * overflows the stack near 2,000 levels; deeper HTML is converted crudely instead.
   */
  readonly maxDepth: number;
}

/** 1 MiB of markup is far more than any human writes in one mail, once pictures are out. */
export const DEFAULT_HTML_LIMITS: HtmlConversionLimits = { maxHtmlChars: 1024 * 1024, maxDepth: 1000 };

/** Converts HTML to text; injectable so that a per-mail conversion budget (issue 11) can be used. */
export type HtmlToText = (html: string) => { readonly text: string; readonly crude: boolean };

/** Whether a string holds any character other than white space (Unicode `White_Space`). */
export function hasWords(text: string | null | undefined | false): text is string {
  return typeof text === 'string' && /[^\s\u200B\u200C\u200D\u2060\uFEFF]/u.test(text);
}

/**
 * Picks the body: the text part when it has words, else the HTML converted to text (blobs
 * removed first), else `''`. Never throws on hostile HTML: deep or long markup is converted
 * crudely (see {@link htmlToPlainText}).
 */
export function selectBody(parts: BodyParts, toText: HtmlToText = (html) => htmlToPlainText(html)): SelectedBody {
  if (hasWords(parts.text)) return { text: parts.text, source: 'text', blobCharsRemoved: 0, crude: false };
  if (typeof parts.html === 'string' && parts.html.length > 0) {
    const { html, removed } = stripEmbeddedBlobs(parts.html);
    const converted = toText(html);
    if (hasWords(converted.text)) return { text: converted.text, source: 'html', blobCharsRemoved: removed, crude: converted.crude };
  }
  return { text: typeof parts.text === 'string' ? parts.text : '', source: 'none', blobCharsRemoved: 0, crude: false };
}

/** Where a `data:` URI ends, by the character before it: its closing quote or parenthesis, else white space or `>`. */
const URI_CLOSERS: Readonly<Record<string, RegExp>> = { '"': /["]/g, "'": /[']/g, '(': /[)]/g, '=': /[\s>"']/g, ',': /[\s>"']/g };
const DATA = 'data:';

/**
 * Cuts the payload of every `data:` URI in markup down to `data:,` (RFC 2397's empty URI),
 * leaving the markup around it intact; returns how many characters were removed. A URI is a
 * `data:` inside a tag after a quote, `=` or `,` (attribute values, `srcset`), or anywhere after
 * `url(` (CSS); one that stands in running text (`"data: none"`, `metadata:`) is left alone.
 * Linear in the length of `html`: the scan only moves forward.
 */
export function stripEmbeddedBlobs(html: string): { readonly html: string; readonly removed: number } {
  // Offsets found in `lower` cut `html`: only an ASCII fold keeps them in step.
  const lower = asciiLowerCase(html);
  const pieces: string[] = [];
  let removed = 0;
  let copied = 0;
  let scanned = 0;
  let inTag = false;
  for (let at = lower.indexOf(DATA); at >= 0; at = lower.indexOf(DATA, Math.max(at + DATA.length, copied))) {
    for (const c of lower.slice(scanned, at)) {
      if (c === '<') inTag = true;
      else if (c === '>') inTag = false;
    }
    scanned = at;
    // White space back to the character before the URI ('' at the start: charAt(-1)).
    let before = at - 1;
    while (/\s/.test(lower.charAt(before))) before--;
    const opener = lower.charAt(before);
    const isUri = opener === '(' ? lower.slice(Math.max(0, before - 3), before + 1) === 'url(' : inTag && opener in URI_CLOSERS;
    const closer = URI_CLOSERS[opener];
    if (!isUri || closer === undefined) continue;
    closer.lastIndex = at + DATA.length;
    const closed = closer.exec(lower)?.index;
    const tagEnd = lower.indexOf('>', at);
    const end = closed ?? (tagEnd === -1 ? lower.length : tagEnd);
    pieces.push(html.slice(copied, at), 'data:,');
    removed += Math.max(0, end - at - 'data:,'.length);
    copied = end;
    scanned = end;
  }
  pieces.push(html.slice(copied));
  return { html: pieces.join(''), removed };
}

const CONVERT_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    // Pictures are shown from the kept HTML and attachments; in the text they would be noise.
    { selector: 'img', format: 'skip' },
    { selector: 'a', options: { ignoreHref: false, hideLinkHrefIfSameAsText: true, noAnchorUrl: true } },
    // Layout tables are the rule in mail: each cell on its own line keeps its words apart.
    ...['table', 'tr', 'td', 'th'].map((selector) => ({ selector, format: 'block', options: { leadingLineBreaks: 1, trailingLineBreaks: 1 } })),
  ],
};

/** Named and numeric character references the crude conversion decodes. */
const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

function decodeEntity(entity: string, name: string): string {
  if (name.startsWith('#')) {
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
    // The pattern's 1-7 digits always parse to an integer.
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : entity;
  }
  return ENTITIES[name.toLowerCase()] ?? entity;
}

/**
 * Text of markup by stripping it: script, style and head content and comments dropped, block
 * starts and ends become line breaks, other tags removed, common entities decoded. Linear; for HTML the
 * real converter must not be given (too deep, too long).
 */
export function crudeHtmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?(?:-->|$)/g, '')
    .replace(/<(script|style|head|title)\b[^>]*>[\s\S]*?(?:<\/\1\s*>|$)/gi, '')
    .replace(/<(?:br|\/?(?:p|div|li|tr|td|th|h[1-6]|blockquote|table|ul|ol))\b[^>]*>/gi, '\n')
    .replace(/<[^>]*>?/g, '')
    .replace(/&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,6});/g, decodeEntity)
    .replace(/[ \t\u00a0]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/**
 * HTML to plain text with html-to-text (the converter mailparser uses), no word wrap, images
 * skipped, link targets shown after their text. Markup longer than `limits.maxHtmlChars` is cut
 * there first (a dangling tag at the cut is harmless); markup that may nest deeper than
 * `limits.maxDepth`, or that the converter fails on, is converted by {@link crudeHtmlToText}.
 */
export function htmlToPlainText(html: string, limits: HtmlConversionLimits = DEFAULT_HTML_LIMITS): { text: string; crude: boolean } {
  const cut = html.slice(0, limits.maxHtmlChars);
  if (nestsDeeperThan(cut, limits.maxDepth)) return { text: crudeHtmlToText(cut), crude: true };
  try {
    const text = convert(cut, { ...CONVERT_OPTIONS, limits: { maxDepth: limits.maxDepth, maxInputLength: limits.maxHtmlChars } });
    // A paragraph that held only a (skipped) picture leaves its line breaks behind.
    return { text: text.replace(/\n{3,}/g, '\n\n').trim(), crude: false };
  } catch {
    return { text: crudeHtmlToText(cut), crude: true };
  }
}

/** What a MIME leaf part says about itself: mailsplit's node fields of the same names. */
export interface PartDescription {
  /** The media type, lower case (`text/plain`); `false`/`null` when the part has none. */
  readonly contentType: string | false | null;
  /** The `Content-Disposition` value, lower case (`inline`, `attachment`), or `false`/`null`. */
  readonly disposition: string | false | null;
  /** The `filename` of `Content-Disposition`, else the `name` of `Content-Type`, or `false`/`null`. */
  readonly filename: string | false | null;
}

/**
 * Whether a `text/plain` or `text/html` part is a file rather than body: it carries a file name
 * (RFC 2183 §2.3, or the older `Content-Type; name=`), or `Content-Disposition: attachment`
 * (RFC 2183 §2.2). mailparser 3.14.2 makes a text part an attachment only for a disposition
 * other than `inline` (its `createNode`), so an inline text file with a name is glued onto the
 * body; this rule is the one to apply instead. Other media types are not judged here (mailparser
 * already makes every non-text part an attachment).
 */
export function isTextPartAttachment(part: PartDescription): boolean {
  const type = (part.contentType || 'text/plain').toLowerCase();
  if (type !== 'text/plain' && type !== 'text/html') return false;
  if (typeof part.filename === 'string' && part.filename.trim() !== '') return true;
  const disposition = (part.disposition || '').toLowerCase();
  return disposition !== '' && disposition !== 'inline';
}
