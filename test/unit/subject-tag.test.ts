import { describe, expect, it } from 'vitest';
import { subjectTagFinder } from '../../lib/reference/subject-tag.js';

const find = subjectTagFinder(['support', 'billing', 'it-ops', 'support-eu']);

describe('subjectTagFinder', () => {
  it('reads the tag django-helpdesk writes', () => {
    expect(find('[support-42] Printer jams')).toEqual({ queue: 'support', ticketId: 42 });
  });

  it.each([
    ['Re: [support-42] Printer jams'],
    ['AW: [support-42] Printer jams'],
    ['Fwd: RE: Re: [support-42] Printer jams'],
    ['Automatic reply: [support-42] Printer jams'],
    ['WG: Antw: [support-42] Printer jams'],
  ])('finds the tag whatever prefixes stand before it: %s', (subject) => {
    expect(find(subject)?.ticketId).toBe(42);
  });

  it('matches the slug case-insensitively and answers the configured spelling', () => {
    expect(find('Re: [SUPPORT-7] x')).toEqual({ queue: 'support', ticketId: 7 });
    expect(find('Re: [Billing-7] x')).toEqual({ queue: 'billing', ticketId: 7 });
  });

  it('lets the last tag in the subject win', () => {
    expect(find('Re: [support-1] Fwd: [billing-2] quoted')).toEqual({ queue: 'billing', ticketId: 2 });
  });

  it('allows leading zeros', () => {
    expect(find('[support-0042] x')?.ticketId).toBe(42);
  });

  it('handles slugs that contain hyphens, preferring the longest slug', () => {
    expect(find('[it-ops-5] disk full')).toEqual({ queue: 'it-ops', ticketId: 5 });
    expect(find('[support-eu-9] x')).toEqual({ queue: 'support-eu', ticketId: 9 });
  });

  it.each([
    ['no tag at all'],
    ['[sales-42] an unconfigured queue'],
    ['[support-] no digits'],
    ['[support-0] ticket zero does not exist'],
    ['[support-1234567890123456] more digits than any id'],
    ['[support 42] wrong separator'],
    ['support-42 without brackets'],
  ])('finds nothing in %s', (subject) => {
    expect(find(subject)).toBeNull();
  });

  it('treats regex characters in slugs literally', () => {
    const odd = subjectTagFinder(['a_b']);
    expect(odd('[a_b-3] x')).toEqual({ queue: 'a_b', ticketId: 3 });
    expect(subjectTagFinder([])('[support-1]')).toBeNull();
  });

  it('gets through a 100 KB hostile subject (a backtracking pattern would not)', () => {
    const hostile = `${'[support-'.repeat(5_000)}${'0'.repeat(50_000)}`;
    expect(find(hostile)).toBeNull();
    expect(find(`${hostile} [support-12]`)?.ticketId).toBe(12);
  });
});
