/** The kept HTML (issue 12, point 3): sanitized by allow-list, cid: images kept, inline images found. */
import { describe, expect, it } from 'vitest';
import { MAX_KEPT_HTML_CHARS, sanitizeMailHtml } from '../../lib/mail/html-sanitize.js';
import { markInlineImages, recordableContentId, referencedCids } from '../../lib/mail/inline-images.js';

function kept(html: string): string {
  const result = sanitizeMailHtml(html);
  if (result.html === null) throw new Error(`not kept: ${result.reason}`);
  return result.html;
}

describe('sanitizeMailHtml', () => {
  it('removes scripts, styles, iframes, forms and their content', () => {
    const html = kept(
      '<head><title>t</title><style>p{}</style></head><p>Hi</p><script>alert(1)</script><iframe src="https://x.example"></iframe><form action="https://x.example"><input name="q"><button>Go</button><textarea>secret</textarea></form><object data="x.swf"></object><svg><script>alert(2)</script></svg>',
    );
    expect(html).toBe('<p>Hi</p>');
  });

  it('drops event handlers, class, id and unknown attributes', () => {
    expect(kept('<p onclick="alert(1)" onmouseover="x()" class="c" id="i" data-x="1">Hi</p><img src="cid:a" onerror="alert(1)">')).toBe('<p>Hi</p><img src="cid:a" />');
  });

  it('keeps cid: images and turns remote and data: images into their alt text', () => {
    const html = kept('<p><img src="cid:logo@acme" alt="logo"><img src="https://tracker.example/p.gif" alt="pixel"><img src="data:image/png;base64,AAAA" alt="photo"><img src="http://x.example/a.png"></p>');
    expect(html).toBe('<p><img src="cid:logo@acme" alt="logo" /><span>[pixel]</span><span>[photo]</span><span></span></p>');
  });

  it('escapes alt text it turns into text', () => {
    expect(kept('<img src="https://x.example/a.png" alt="<b onclick=x>">')).toBe('<span>[&lt;b onclick=x&gt;]</span>');
  });

  it('keeps http, https, mailto and tel links, opening in a new tab without referrer', () => {
    expect(kept('<a href="https://status.example/">status</a>')).toBe('<a href="https://status.example/" target="_blank" rel="noopener noreferrer nofollow">status</a>');
    expect(kept('<a href="javascript:alert(1)">x</a><a href="vbscript:x">y</a><a href="data:text/html,<script>">z</a>')).toBe(
      '<a target="_blank" rel="noopener noreferrer nofollow">x</a><a target="_blank" rel="noopener noreferrer nofollow">y</a><a target="_blank" rel="noopener noreferrer nofollow">z</a>',
    );
    expect(kept('<a href="//evil.example/">x</a>')).toBe('<a target="_blank" rel="noopener noreferrer nofollow">x</a>');
  });

  it('keeps safe inline styles and drops those that load or run anything', () => {
    expect(kept('<p style="color: #333; font-weight: bold; position: fixed">a</p>')).toBe('<p style="color:#333;font-weight:bold">a</p>');
    expect(kept('<p style="background-color: url(https://x.example/t.gif); color: expression(alert(1))">a</p>')).toBe('<p>a</p>');
  });

  it('keeps the layout tables and formatting mail uses', () => {
    const html = '<table border="0" cellpadding="2"><tr><td colspan="2" bgcolor="#fff"><font color="red" face="Arial">x</font></td></tr></table><blockquote>q</blockquote><ul><li>one</li></ul>';
    expect(kept(html)).toBe('<table border="0" cellpadding="2"><tr><td colspan="2" bgcolor="#fff"><font color="red" face="Arial">x</font></td></tr></table><blockquote>q</blockquote><ul><li>one</li></ul>');
  });

  it('answers the cid: references the kept HTML makes', () => {
    const result = sanitizeMailHtml('<img src="cid:part1.06090408@example.com"><img src="CID:a%40b"><img src="cid:part1.06090408@example.com">');
    expect(result).toMatchObject({ cids: ['part1.06090408@example.com', 'a@b'] });
  });

  it('does not keep HTML that is too long, too deep or empty', () => {
    expect(sanitizeMailHtml(`<p>${'x'.repeat(MAX_KEPT_HTML_CHARS)}</p>`)).toEqual({ html: null, reason: 'too-long' });
    expect(sanitizeMailHtml('<b>'.repeat(5000))).toEqual({ html: null, reason: 'too-deep' });
    expect(sanitizeMailHtml('<script>x</script>')).toEqual({ html: null, reason: 'empty' });
  });

  it('measures length after the data: blobs are cut', () => {
    const photo = 'A'.repeat(MAX_KEPT_HTML_CHARS + 10);
    expect(sanitizeMailHtml(`<p>Hi</p><img src="data:image/png;base64,${photo}">`)).toEqual({ html: '<p>Hi</p><span></span>', cids: [] });
  });
});

describe('referencedCids', () => {
  it('reads cid: URLs, %-decoded, without repeats; a stray % is kept', () => {
    expect(referencedCids('<img src="cid:a%25b"> url(cid:c) <img src=cid:d%zz>')).toEqual(['a%b', 'c', 'd%zz']);
  });
});

describe('markInlineImages', () => {
  const files = [
    { contentType: 'image/png', contentId: 'logo@acme' },
    { contentType: 'image/jpeg', contentId: 'photo@acme' },
    { contentType: 'application/pdf', contentId: 'doc@acme' },
    { contentType: 'image/png' },
  ];

  it('marks the images whose Content-ID the kept HTML shows, and nothing else', () => {
    expect(markInlineImages(files, ['logo@acme', 'doc@acme']).map((f) => 'inline' in f)).toEqual([true, false, false, false]);
  });

  it('marks nothing when no HTML was kept', () => {
    expect(markInlineImages(files, []).some((f) => 'inline' in f)).toBe(false);
  });
});


describe('recordableContentId', () => {
  it('keeps printable ASCII up to 250 characters', () => {
    expect(recordableContentId(' part1@example.com ')).toBe('part1@example.com');
    expect(recordableContentId('x'.repeat(251))).toBeNull();
    expect(recordableContentId('')).toBeNull();
    expect(recordableContentId(undefined)).toBeNull();
  });
});
