/**
 * Which images the kept HTML shows (only `cid:` sources, RFC 2392), how the others leave their
 * alt text, the length limit at its edge, and the white space around the kept HTML.
 */
import { describe, expect, it } from 'vitest';
import { MAX_KEPT_HTML_CHARS, sanitizeMailHtml } from '../../lib/mail/html-sanitize.js';

describe('images in the kept HTML', () => {
  it('keeps a cid: source written after white space', () => {
    expect(sanitizeMailHtml('<p>a<img src=" cid:logo@x" alt="Logo"></p>')).toEqual({ html: '<p>a<img src=" cid:logo@x" alt="Logo" /></p>', cids: ['logo@x'] });
  });

  it('replaces a remote image whose URL merely contains cid: by its alt text', () => {
    expect(sanitizeMailHtml('<p>a<img src="https://t.example/cid:x" alt="logo"></p>')).toEqual({ html: '<p>a<span>[logo]</span></p>', cids: [] });
  });

  it('replaces an image without a source by its alt text', () => {
    expect(sanitizeMailHtml('<p>a<img alt="Logo"></p>')).toEqual({ html: '<p>a<span>[Logo]</span></p>', cids: [] });
  });
});

describe('the kept HTML as a whole', () => {
  it('keeps HTML of exactly the length limit', () => {
    const html = `<p>${'a'.repeat(MAX_KEPT_HTML_CHARS - 7)}</p>`;
    expect(html).toHaveLength(MAX_KEPT_HTML_CHARS);
    expect(sanitizeMailHtml(html)).toEqual({ html, cids: [] });
  });

  it('drops the white space around the markup', () => {
    expect(sanitizeMailHtml('  \n<p>x</p>\n  ')).toEqual({ html: '<p>x</p>', cids: [] });
  });
});
