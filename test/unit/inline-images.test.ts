/**
 * Inline images (lib/mail/inline-images.ts): the Content-IDs `cid:` URLs name, which Content-IDs
 * can be recorded, and which attachments are marked inline.
 */
import { describe, expect, it } from 'vitest';
import { markInlineImages, recordableContentId, referencedCids } from '../../lib/mail/inline-images.js';

describe('referencedCids', () => {
  it('takes each cid: URL once, in order, %-decoded, in any case', () => {
    expect(referencedCids('<img src="cid:a@x"><img src=\'CID:b%40y\'><img src=cid:a@x>')).toEqual(['a@x', 'b@y']);
  });

  it('ends a Content-ID at white space, quotes, brackets and a closing parenthesis', () => {
    expect(referencedCids('url(cid:bg@x) <a href="cid:c@x">cid:d@x e</a>')).toEqual(['bg@x', 'c@x', 'd@x']);
  });

  it('keeps a stray % as written, and needs a word boundary before cid:', () => {
    expect(referencedCids('cid:50%off@x xcid:no@x')).toEqual(['50%off@x']);
    expect(referencedCids('no references')).toEqual([]);
  });

  it('reads at most 998 characters of one Content-ID', () => {
    expect(referencedCids(`cid:${'a'.repeat(1000)}`)).toEqual(['a'.repeat(998)]);
  });
});

describe('recordableContentId', () => {
  it('takes printable ASCII of at most 250 characters, trimmed', () => {
    expect(recordableContentId(' part1.abc@x ')).toBe('part1.abc@x');
    expect(recordableContentId('a'.repeat(250))).toBe('a'.repeat(250));
  });

  it('refuses none, empty, too long, spaces, controls and non-ASCII', () => {
    for (const cid of [null, undefined, '', '   ', 'a'.repeat(251), 'a b', 'a\u0001', 'é@x']) expect(recordableContentId(cid)).toBeNull();
  });
});

describe('markInlineImages', () => {
  const files = [
    { contentType: 'image/png', contentId: 'logo@x' },
    { contentType: 'IMAGE/JPEG', contentId: 'photo@x' },
    { contentType: 'application/pdf', contentId: 'doc@x' },
    { contentType: 'image/gif' },
    { contentType: 'image/gif', contentId: 'unused@x' },
  ];

  it('marks the images the kept HTML shows, and only images', () => {
    expect(markInlineImages(files, ['logo@x', 'photo@x', 'doc@x'])).toEqual([
      { contentType: 'image/png', contentId: 'logo@x', inline: true },
      { contentType: 'IMAGE/JPEG', contentId: 'photo@x', inline: true },
      { contentType: 'application/pdf', contentId: 'doc@x' },
      { contentType: 'image/gif' },
      { contentType: 'image/gif', contentId: 'unused@x' },
    ]);
  });

  it('marks nothing when the kept HTML shows nothing, and answers a copy', () => {
    const marked = markInlineImages(files, []);
    expect(marked).toEqual(files);
    expect(marked).not.toBe(files);
  });

  it('needs the type to start with image/', () => {
    expect(markInlineImages([{ contentType: 'application/image/png', contentId: 'a@x' }], ['a@x'])).toEqual([{ contentType: 'application/image/png', contentId: 'a@x' }]);
  });
});
