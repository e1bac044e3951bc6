/**
 * The crude HTML-to-text conversion used for markup too deep or too long for html-to-text: what
 * it drops (comments, scripts, styles, head), where it breaks lines, which character references
 * it decodes (HTML's numeric references name Unicode scalar values: 1 to 0x10FFFF, no surrogates).
 */
import { describe, expect, it } from 'vitest';
import { crudeHtmlToText, htmlToPlainText } from '../../lib/mail/body-selection.js';

describe('crudeHtmlToText: what is dropped', () => {
  it('drops comments of any length, white space and line breaks inside them included', () => {
    expect(crudeHtmlToText('<p>Before<!-- a comment\n spanning lines --> after</p>')).toBe('Before after');
    expect(crudeHtmlToText('<p>Before<!----> after</p>')).toBe('Before after');
  });

  it('drops an unclosed comment to the end, even one holding a ">"', () => {
    expect(crudeHtmlToText('<p>Words</p><!-- if a > b then hidden')).toBe('Words');
  });

  it('drops scripts and styles whose start tags have attributes, and their content with white space', () => {
    expect(crudeHtmlToText('<style type="text/css">p { color: red }</style><p>Words</p><script type="text/javascript">var a = 1;\nrun(a);</script>')).toBe('Words');
  });

  it('drops an unclosed script to the end', () => {
    expect(crudeHtmlToText('<p>Words</p><script>var a = 1; run(a);')).toBe('Words');
  });

  it('removes a tag left open at the end of the markup (as after a cut)', () => {
    expect(crudeHtmlToText('<p>Words</p><img src="x.png" alt=')).toBe('Words');
  });
});

describe('crudeHtmlToText: line breaks', () => {
  it('breaks the line at the start and end of headings and of block tags with attributes', () => {
    expect(crudeHtmlToText('<h1>Title</h1>Text<h6>Small</h6><p class="x">Para</p><div style="a">Div</div>')).toBe('Title\nText\nSmall\n\nPara\n\nDiv');
  });

  it('drops blanks at the end of each line, non-breaking ones included', () => {
    expect(crudeHtmlToText('Line one  \t&nbsp;<br>Line two <br>Line three')).toBe('Line one\nLine two\nLine three');
  });

  it('keeps at most one blank line between blocks', () => {
    expect(crudeHtmlToText('<p>One</p><p></p><p></p><div></div><p>Two</p>')).toBe('One\n\nTwo');
  });
});

describe('crudeHtmlToText: character references', () => {
  it('decodes decimal and hexadecimal references, with a lower or an upper case x', () => {
    expect(crudeHtmlToText('&#65;&#x42;&#X43;')).toBe('ABC');
  });

  it('decodes the last Unicode code point, and the code points next to the surrogates', () => {
    expect(crudeHtmlToText('&#x10FFFF;|&#xD7FF;|&#xE000;')).toBe('\u{10FFFF}|\uD7FF|\uE000');
  });

  it('leaves references to no Unicode scalar value as written', () => {
    expect(crudeHtmlToText('&#0;|&#x110000;|&#xDFFF;|&#xDC00;|&#1114112;')).toBe('&#0;|&#x110000;|&#xDFFF;|&#xDC00;|&#1114112;');
  });
});

describe('htmlToPlainText: cap and line breaks', () => {
  it('cuts markup at the cap before a crude conversion too', () => {
    const html = `${'<b>'.repeat(20)}${'word '.repeat(40)}${'</b>'.repeat(20)}`;
    // 60 characters of tags, then the first 8 words (40 characters) up to the cap of 100.
    const { text, crude } = htmlToPlainText(html, { maxHtmlChars: 100, maxDepth: 10 });
    expect(crude).toBe(true);
    expect(text).toBe('word word word word word word word word');
  });

  it('leaves one blank line where paragraphs held only (skipped) pictures', () => {
    const { text } = htmlToPlainText('<p>Before</p><p><img src="cid:a"></p><p><img src="cid:b"></p><p>After</p>');
    expect(text).toBe('Before\n\nAfter');
  });
});
