/**
 * Body selection at its edges: what each answer says of its source and conversion, when the HTML
 * converter is asked at all, where a data: URI starts and ends, and the default media type of a
 * part that names none.
 */
import { describe, expect, it } from 'vitest';
import { isTextPartAttachment, selectBody, stripEmbeddedBlobs } from '../../lib/mail/body-selection.js';

describe('selectBody: the whole answer', () => {
  it('answers the text part, not crude, with no blobs removed', () => {
    expect(selectBody({ text: 'Tray 2 jammed.', html: '<p>other</p>' })).toEqual({ text: 'Tray 2 jammed.', source: 'text', blobCharsRemoved: 0, crude: false });
  });

  it('answers none, not crude, when neither part has words', () => {
    expect(selectBody({ text: ' ', html: '<p> </p>' }, () => ({ text: '', crude: true }))).toEqual({ text: ' ', source: 'none', blobCharsRemoved: 0, crude: false });
  });

  it('does not call the converter for an empty HTML part', () => {
    const calls: string[] = [];
    const toText = (html: string) => {
      calls.push(html);
      return { text: 'converted', crude: false };
    };
    expect(selectBody({ text: '', html: '' }, toText)).toEqual({ text: '', source: 'none', blobCharsRemoved: 0, crude: false });
    expect(calls).toEqual([]);
  });
});

describe('stripEmbeddedBlobs: where a URI starts', () => {
  it('leaves a data: after "=" in text before any tag alone', () => {
    const html = 'x=data:abc and <b>bold</b>';
    expect(stripEmbeddedBlobs(html)).toEqual({ html, removed: 0 });
  });

  it('finds the URIs after a "data:" that starts the markup', () => {
    const { html, removed } = stripEmbeddedBlobs('data: as the first word<img src="data:image/png;base64,AAAA">');
    expect(html).toBe('data: as the first word<img src="data:,">');
    // 'image/png;base64,AAAA' (21) replaced by ',' (1).
    expect(removed).toBe(20);
  });

  it('leaves a data: at the start of indented markup alone', () => {
    const html = '  data:text/plain,hello <b>x</b>';
    expect(stripEmbeddedBlobs(html)).toEqual({ html, removed: 0 });
  });
});

describe('stripEmbeddedBlobs: letters whose lower case is longer', () => {
  it('cuts the URI where it is after text that lower-cases to more code units (İ), losing no words', () => {
    // 'İ'.toLowerCase() is 'i̇' (2 code units): offsets found in a fully lower-cased copy drifted
    // and cut the words after the URI.
    const { html, removed } = stripEmbeddedBlobs('İİİİ<img src="data:image/png;base64,AAAA">hello world');
    expect(html).toBe('İİİİ<img src="data:,">hello world');
    expect(removed).toBe(20);
  });

  it('finds DATA: and URL( in any ASCII case', () => {
    expect(stripEmbeddedBlobs('<IMG SRC="DATA:image/png;base64,AAAA"><p style="background: URL(Data:image/gif;base64,BB)">x</p>').html)
      .toBe('<IMG SRC="data:,"><p style="background: URL(data:,)">x</p>');
  });
});

describe('stripEmbeddedBlobs: where a URI ends', () => {
  it('cuts an unclosed quoted URI with no tag end after it to the end of the markup', () => {
    expect(stripEmbeddedBlobs('<p>See</p><img src="data:image/png;base64,AAAA')).toEqual({ html: '<p>See</p><img src="data:,', removed: 20 });
  });

  it('cuts an unclosed quoted URI at the end of its tag', () => {
    expect(stripEmbeddedBlobs('<img src="data:image/png;base64,AAAA><p>words</p>')).toEqual({ html: '<img src="data:,><p>words</p>', removed: 20 });
  });
});

describe('isTextPartAttachment: a part without a media type', () => {
  it('is text/plain (RFC 2045 §5.2), so a disposition or a name makes it an attachment', () => {
    expect(isTextPartAttachment({ contentType: false, disposition: 'attachment', filename: null })).toBe(true);
    expect(isTextPartAttachment({ contentType: null, disposition: 'inline', filename: 'notes.txt' })).toBe(true);
  });
});
