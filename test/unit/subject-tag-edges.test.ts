/**
 * The edges of subject tags (lib/reference/subject-tag.ts): the longest ticket id taken, a later
 * tag that is no ticket id leaving an earlier one standing, and slugs taken literally.
 */
import { describe, expect, it } from 'vitest';
import { subjectTagFinder } from '../../lib/reference/subject-tag.js';

const find = subjectTagFinder(['support', 'support-eu']);

describe('subjectTagFinder: edges', () => {
  it('takes a ticket id of 15 digits, the most it ever issues, after leading zeros', () => {
    expect(find('[support-123456789012345] x')).toEqual({ queue: 'support', ticketId: 123456789012345 });
    expect(find('[support-000123456789012345] x')).toEqual({ queue: 'support', ticketId: 123456789012345 });
  });

  it('keeps an earlier tag when a later one is no ticket id', () => {
    expect(find('Re: [support-7] Fwd: [support-0] and [support-1234567890123456]')).toEqual({ queue: 'support', ticketId: 7 });
  });

  it('prefers the longest slug whatever order the slugs were configured in', () => {
    expect(subjectTagFinder(['support', 'support-eu'])('[support-eu-9] x')).toEqual({ queue: 'support-eu', ticketId: 9 });
    expect(subjectTagFinder(['support-eu', 'support'])('[support-eu-9] x')).toEqual({ queue: 'support-eu', ticketId: 9 });
  });

  it('answers the spelling of the slug as configured', () => {
    expect(subjectTagFinder(['Support_EU'])('[support_eu-3] x')).toEqual({ queue: 'Support_EU', ticketId: 3 });
  });
});
