/**
 * The HTML of a mail, kept beside its follow-up for a UI to show (issue 12, point 3), sanitized
 * by allow-list with `sanitize-html` (maintained by ApostropheCMS, htmlparser2 underneath, no
 * DOM needed on Lambda). Pure.
 *
 * Policy:
 * - Kept: text formatting, lists, tables, quotes, links (`http`, `https`, `mailto`, `tel`; each
 *   opens in a new tab with `rel="noopener noreferrer nofollow"`), and a short list of inline
 *   style properties that do not load anything or move anything over the page.
 * - Removed with their content: `script`, `style`, `title`, `head` content, `iframe`, `object`,
 *   `embed`, `form` controls, `svg`, `math`, `template`, `noscript`, `textarea`, `select`.
 *   Every event handler (`on…`), `class`, `id` and any attribute not listed is dropped.
 * - Images: only `cid:` sources are kept (RFC 2392: a part of the same mail, stored as an
 *   attachment with its Content-ID, so a UI can show it in place). A remote image is removed
 *   (a tracking pixel, and a request to the sender's server the moment an agent opens the
 *   ticket); a `data:` image is removed (its bytes are a picture, not words: the pipeline strips
 *   them before anything else reads the HTML). Its `alt` text stays as text.
 * - Too long or too deeply nested HTML is not kept at all (`null`): the text body has its words.
 */
import sanitizeHtml, { type IOptions } from 'sanitize-html';
import { stripEmbeddedBlobs } from './body-selection.js';
import { nestsDeeperThan } from './html-depth.js';
import { referencedCids } from './inline-images.js';

/** Most characters of HTML (blobs removed) that are sanitized and kept. */
export const MAX_KEPT_HTML_CHARS = 2 * 1024 * 1024;
/** Deepest nesting handed to the parser (htmlparser2 is quadratic in depth, see body-selection.ts). */
export const MAX_KEPT_HTML_DEPTH = 1000;

/**
 * Style values that cannot load a resource, run anything or escape their box: no functions that
 * load or compute, no negative lengths (a link pulled over the rest of the page).
 */
const SAFE_STYLE_VALUE = [/^(?![\s\S]*(?:url|expression|image-set|var|attr|env|calc)\s*\()(?![\s\S]*(?:^|[\s(,])-\s*[\d.])[#(),.%\w\s'"-]{1,200}$/i];
const STYLE_PROPERTIES = [
  'color', 'background-color', 'font-weight', 'font-style', 'font-size', 'font-family', 'text-decoration', 'text-align',
  'vertical-align', 'white-space', 'border', 'border-collapse', 'padding', 'margin', 'width', 'height', 'line-height',
];
const ALLOWED_STYLES = Object.fromEntries(STYLE_PROPERTIES.map((property) => [property, SAFE_STYLE_VALUE]));

const ALLOWED_TAGS = [
  ...sanitizeHtml.defaults.allowedTags,
  'img', 'font', 'center', 'del', 'ins', 'big',
];

const OPTIONS: IOptions = {
  allowedTags: ALLOWED_TAGS,
  // Content of these goes with them (sanitize-html keeps the text of other dropped tags).
  nonTextTags: ['script', 'style', 'title', 'head', 'textarea', 'option', 'noscript', 'template', 'iframe', 'object', 'svg', 'math', 'select', 'button'],
  disallowedTagsMode: 'discard',
  // Beyond the depth checked above (a second guard): deeper tags are dropped, their text kept.
  nestingLimit: MAX_KEPT_HTML_DEPTH,
  allowedAttributes: {
    '*': ['style', 'title', 'dir', 'lang', 'align', 'valign', 'width', 'height'],
    // No `name`: a UI that shows the HTML in its own page would let it shadow global names (DOM clobbering).
    a: ['href', 'target', 'rel'],
    img: ['src', 'alt'],
    td: ['colspan', 'rowspan', 'bgcolor'],
    th: ['colspan', 'rowspan', 'bgcolor'],
    table: ['border', 'cellpadding', 'cellspacing', 'bgcolor'],
    font: ['color', 'size', 'face'],
    ol: ['start', 'type'],
  },
  allowedStyles: { '*': ALLOWED_STYLES },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['cid'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
  allowProtocolRelative: false,
  transformTags: {
    a: sanitizeHtml.simpleTransform('a', { target: '_blank', rel: 'noopener noreferrer nofollow' }),
    // An image that is not a cid: image leaves its alt text behind.
    img: (tagName, attribs) =>
      // Stryker disable next-line StringLiteral: any text without `cid:` stands for the missing src alike
      /^\s*cid:/i.test(attribs.src ?? '')
        ? { tagName, attribs }
        : { tagName: 'span', attribs: {}, text: attribs.alt ? `[${attribs.alt}]` : '' },
  },
};

/** Why HTML was not kept. */
export type HtmlNotKept = 'too-long' | 'too-deep' | 'empty';

/** The sanitized HTML, or why there is none. */
export type KeptHtml = { readonly html: string; readonly cids: readonly string[] } | { readonly html: null; readonly reason: HtmlNotKept };

/**
 * Sanitizes the HTML body of a mail for storage (see the module comment for the policy):
 * `data:` blobs cut first, then the allow-list applied. Answers the `cid:` references the kept
 * HTML makes (`referencedCids` of `inline-images.ts`). Never throws on hostile markup.
 */
export function sanitizeMailHtml(html: string): KeptHtml {
  const { html: withoutBlobs } = stripEmbeddedBlobs(html);
  if (withoutBlobs.length > MAX_KEPT_HTML_CHARS) return { html: null, reason: 'too-long' };
  if (nestsDeeperThan(withoutBlobs, MAX_KEPT_HTML_DEPTH)) return { html: null, reason: 'too-deep' };
  const clean = sanitizeHtml(withoutBlobs, OPTIONS).trim();
  if (clean === '') return { html: null, reason: 'empty' };
  return { html: clean, cids: referencedCids(clean) };
}
