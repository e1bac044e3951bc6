/** Content-IDs that cannot be recorded, and attachments when the kept HTML shows no image. */
import { describe, expect, it } from 'vitest';
import { markInlineImages, recordableContentId } from '../../lib/mail/inline-images.js';

describe('recordableContentId', () => {
  it('records no Content-ID for an empty or blank one', () => {
    expect(recordableContentId('')).toBeNull();
    expect(recordableContentId('   ')).toBeNull();
  });
});

describe('markInlineImages', () => {
  it('marks nothing when the kept HTML shows no cid: image', () => {
    const attachments = [{ contentType: 'image/png', contentId: 'logo@x' }];
    const marked = markInlineImages(attachments, []);
    expect(marked).toEqual([{ contentType: 'image/png', contentId: 'logo@x' }]);
    expect(marked).not.toBe(attachments);
  });
});
