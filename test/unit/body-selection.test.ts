/**
 * Body selection (issue 12, point 1): the text part when it has words, else the HTML without its
 * embedded pictures, converted to text; text parts with a file name are attachments.
 */
import { nestsDeeperThan } from '../../lib/mail/html-depth.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  crudeHtmlToText,
  hasWords,
  htmlToPlainText,
  isTextPartAttachment,
  selectBody,
  stripEmbeddedBlobs,
} from '../../lib/mail/body-selection.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/fidelity');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

describe('selectBody', () => {
  it('takes the text part when it has words', () => {
    expect(selectBody({ text: 'Tray 2 jammed.\n', html: '<p>other</p>' })).toMatchObject({ text: 'Tray 2 jammed.\n', source: 'text' });
  });

  it('converts the HTML when the text part is blank (blank-text-part-with-html)', async () => {
    const parsed = await simpleParser(fixture('blank-text-part-with-html.eml'));
    // mailparser hands over the blank alternative as the text, and the HTML beside it.
    expect(hasWords(parsed.text)).toBe(false);
    const body = selectBody({ text: parsed.text, html: parsed.html });
    expect(body.source).toBe('html');
    expect(body.text).toContain('Tray 2 jammed again at 9:05.');
    expect(body.text).toContain('13.B2');
  });

  it('treats zero-width and non-breaking spaces as blank', () => {
    const body = selectBody({ text: ' \u00a0\u200b\r\n\t', html: '<p>from the html</p>' });
    expect(body).toMatchObject({ text: 'from the html', source: 'html' });
  });

  it('converts an HTML-only mail whose pasted photo is a data: URI (html-only-with-data-uri-image)', async () => {
    // mailparser's own conversion writes the image's src, the whole base64 blob, into the text.
    const converted = await simpleParser(fixture('html-only-with-data-uri-image.eml'));
    expect(converted.text).toContain('photo [data:image/png;base64,');
    expect(converted.text?.length).toBeGreaterThan(10_000);
    // With skipHtmlToText the text holds text parts only, and the HTML is converted here.
    const parsed = await simpleParser(fixture('html-only-with-data-uri-image.eml'), { skipHtmlToText: true });
    expect(hasWords(parsed.text)).toBe(false);
    const body = selectBody({ text: parsed.text, html: parsed.html });
    expect(body.source).toBe('html');
    expect(body.text).toBe('The label printed like this:\n\nOrder 5531, please advise.');
    expect(body.blobCharsRemoved).toBeGreaterThan(10_000);
  });

  it('keeps the words of an HTML mail with a 4 MB data: image, which the cap alone would lose', () => {
    const photo = 'iVBORw0KGgo'.padEnd(4 * 1024 * 1024, 'A');
    const html = `<div>Before the photo.</div><img src="data:image/png;base64,${photo}"><div>After the photo.</div>`;
    const body = selectBody({ text: '', html }, (markup) => htmlToPlainText(markup, { maxHtmlChars: 64 * 1024, maxDepth: 1000 }));
    expect(body.text).toBe('Before the photo.\nAfter the photo.');
    expect(body.blobCharsRemoved).toBe(photo.length + 'image/png;base64,'.length - 1);
  });

  it('answers an empty body, never a throw, when neither part has words', () => {
    expect(selectBody({ text: '\n\n', html: '<p> </p><img src="cid:x">' })).toMatchObject({ text: '\n\n', source: 'none' });
    expect(selectBody({ text: false, html: false })).toMatchObject({ text: '', source: 'none' });
    expect(selectBody({})).toMatchObject({ text: '', source: 'none' });
  });

  it('uses the converter it is given (a per-mail budget can be plugged in)', () => {
    const body = selectBody({ html: '<p>x</p>' }, (html) => ({ text: `converted ${html.length}`, crude: true }));
    expect(body).toMatchObject({ text: 'converted 8', source: 'html', crude: true });
  });
});

describe('stripEmbeddedBlobs', () => {
  it('cuts data: URIs in quoted, single-quoted and unquoted attributes, srcset and CSS url()', () => {
    const html = [
      '<img src="data:image/png;base64,AAAA\n BBBB">',
      "<img src='data:image/gif;base64,CCCC'>",
      '<img src=data:image/png;base64,DDDD alt=x>',
      '<img srcset="data:image/png;base64,EEEE 1x, data:image/png;base64,FFFF 2x">',
      '<img srcset="small.png 1x, data:image/png;base64,IIII 2x">',
      '<div style="background:url( data:image/png;base64,GGGG)">x</div>',
      '<style>p { background: url(data:image/png;base64,HHHH) }</style>',
    ].join('');
    const { html: out, removed } = stripEmbeddedBlobs(html);
    expect(out).toBe(
      [
        '<img src="data:,">',
        "<img src='data:,'>",
        '<img src=data:, alt=x>',
        '<img srcset="data:,">',
        '<img srcset="small.png 1x, data:, 2x">',
        '<div style="background:url( data:,)">x</div>',
        '<style>p { background: url(data:,) }</style>',
      ].join(''),
    );
    expect(removed).toBeGreaterThan(0);
  });

  it('leaves data: in running text alone', () => {
    const html = '<p>metadata: 4, "data: none" (data: 5), url data: 6</p>';
    expect(stripEmbeddedBlobs(html)).toEqual({ html, removed: 0 });
  });

  it('is case-insensitive and keeps the markup after an unterminated URI', () => {
    const { html } = stripEmbeddedBlobs('<img src="DATA:image/png;base64,AAAA><p>words</p>');
    expect(html).toBe('<img src="data:,><p>words</p>');
  });

  it('scans a long document of many blobs in one pass (output length is linear)', () => {
    const part = '<img src="data:image/png;base64,QUFB"> word ';
    const { html } = stripEmbeddedBlobs(part.repeat(20_000));
    expect(html).toBe('<img src="data:,"> word '.repeat(20_000));
  });
});

describe('htmlToPlainText', () => {
  it('keeps words, drops images, scripts and styles, shows a link target once', () => {
    const { text, crude } = htmlToPlainText(
      '<html><head><style>p{}</style><script>alert(1)</script></head><body><p>See <a href="https://status.example/">the status page</a> and <a href="https://x.example/">https://x.example/</a>.</p><img src="cid:a" alt="photo"><table><tr><td>Tray</td><td>2</td></tr></table></body></html>',
    );
    expect(crude).toBe(false);
    expect(text).toBe('See the status page [https://status.example/] and https://x.example/.\n\nTray\n2');
  });

  it('cuts markup longer than the cap instead of losing all of it', () => {
    const html = `<p>${'word '.repeat(1000)}</p>`;
    const { text } = htmlToPlainText(html, { maxHtmlChars: 103, maxDepth: 1000 });
    expect(text.startsWith('word word')).toBe(true);
    expect(text.length).toBeLessThan(110);
  });

  it('converts markup nested deeper than the limit crudely, keeping its words', () => {
    const html = `${'<b>'.repeat(5000)}deep words${'</b>'.repeat(5000)}<p>after</p>`;
    const { text, crude } = htmlToPlainText(html);
    expect(crude).toBe(true);
    expect(text).toBe('deep words\nafter');
  });
});

describe('nestsDeeperThan', () => {
  it('counts elements that hold content, not void or implicitly closed ones', () => {
    expect(nestsDeeperThan('<div><div><div>x</div></div></div>', 3)).toBe(false);
    expect(nestsDeeperThan('<div><div><div><div>x', 3)).toBe(true);
    expect(nestsDeeperThan(`${'<p>'.repeat(100)}${'<br>'.repeat(100)}${'<td>'.repeat(100)}`, 3)).toBe(false);
    expect(nestsDeeperThan('<!-- <div><div><div><div> -->', 3)).toBe(false);
  });

  it('counts what a parser nests, where counting tags misleads: stray end tags, and p/li nesting in each other', () => {
    // `</i>` closes nothing: each `<b>` nests inside the one before.
    expect(nestsDeeperThan('<b></i>'.repeat(10), 5)).toBe(true);
    // A `<p>` does not close the `<li>` inside the previous `<p>`, nor the other way round.
    expect(nestsDeeperThan('<p><li>'.repeat(10), 5)).toBe(true);
    expect(nestsDeeperThan('<ul>' + '<li>x'.repeat(50) + '</ul>', 5)).toBe(false);
  });

  it('answers within a linear pass for 700 KB of such markup, and the conversion then keeps the words', () => {
    const html = `<p>Start of the words.</p>${'<p><li>'.repeat(100_000)}<p>End of the words.</p>`;
    expect(nestsDeeperThan(html, 1000)).toBe(true);
    const { text, crude } = htmlToPlainText(html);
    expect(crude).toBe(true);
    expect(text).toContain('Start of the words.');
    expect(text).toContain('End of the words.');
  });
});

describe('stripEmbeddedBlobs, a data: after = inside a quoted value', () => {
  it('ends the URI at the closing quote, so the markup after it stays markup', () => {
    const { html } = stripEmbeddedBlobs('<a href="https://x.example/?q=data:export">here</a> The error code is E42.');
    expect(html).toContain('</a> The error code is E42.');
    expect(htmlToPlainText(html).text).toContain('E42');
  });
});

describe('crudeHtmlToText', () => {
  it('strips tags, drops script and style, decodes entities', () => {
    expect(crudeHtmlToText('<style>a{}</style><p>A &amp; B&nbsp;&lt;3 &#x1F600; &#128512; &bogus;</p><script>x()</script><div>next</div>')).toBe(
      'A & B\u00a0<3 😀 😀 &bogus;\n\nnext',
    );
  });

  it('leaves a reference to a surrogate code point as it is (never a lone surrogate)', () => {
    expect(crudeHtmlToText('<p>&#xD800;</p>')).toBe('&#xD800;');
  });
});

describe('isTextPartAttachment', () => {
  it('makes a text part with a file name an attachment, even inline (inline-text-file-with-filename)', () => {
    expect(isTextPartAttachment({ contentType: 'text/plain', disposition: 'inline', filename: 'printer-status.txt' })).toBe(true);
  });

  it('makes a text part with Content-Disposition: attachment an attachment', () => {
    expect(isTextPartAttachment({ contentType: 'text/plain', disposition: 'attachment', filename: false })).toBe(true);
    expect(isTextPartAttachment({ contentType: 'text/html', disposition: 'attachment', filename: null })).toBe(true);
  });

  it('keeps a text part without a name or with an inline or no disposition as body', () => {
    expect(isTextPartAttachment({ contentType: 'text/plain', disposition: 'inline', filename: false })).toBe(false);
    expect(isTextPartAttachment({ contentType: 'text/plain', disposition: false, filename: '  ' })).toBe(false);
    expect(isTextPartAttachment({ contentType: false, disposition: null, filename: null })).toBe(false);
  });

  it('judges text parts only', () => {
    expect(isTextPartAttachment({ contentType: 'image/png', disposition: 'inline', filename: 'a.png' })).toBe(false);
  });

  it('is what the fixture needs: mailparser glues the named inline file onto the body today', async () => {
    const parsed = await simpleParser(fixture('inline-text-file-with-filename.eml'));
    expect(parsed.text).toContain('PRINTER STATUS PAGE');
    expect(parsed.attachments).toHaveLength(0);
  });
});
