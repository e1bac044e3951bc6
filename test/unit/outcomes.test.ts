/**
 * The closed set of skip reasons (lib/outcomes.ts): the guard for untrusted strings (CLI flags,
 * stored ledger entries) and the reasons the alarm pages for, both derived from the one table.
 */
import { describe, expect, it } from 'vitest';
import { isSkipReason, PAGING_SKIP_REASONS, SKIP_REASON_NAMES, SKIP_REASONS } from '../../lib/outcomes.js';

describe('isSkipReason', () => {
  it('accepts every reason of the table', () => {
    for (const reason of SKIP_REASON_NAMES) expect(isSkipReason(reason)).toBe(true);
  });

  it('refuses other strings, inherited property names and non-strings', () => {
    for (const value of ['', 'Virus', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 42, null, undefined, { virus: true }]) {
      expect(isSkipReason(value)).toBe(false);
    }
  });
});

describe('PAGING_SKIP_REASONS', () => {
  it('pages for what a person can act on, never for spam, auto-replies, bounces, duplicates or loops', () => {
    expect(PAGING_SKIP_REASONS).toEqual(expect.arrayContaining(['no-ticket-ref', 'too-large', 'unstorable', 'object-missing']));
    for (const quiet of ['spam', 'auto-reply', 'bounce', 'duplicate', 'loop']) expect(PAGING_SKIP_REASONS).not.toContain(quiet);
    for (const reason of PAGING_SKIP_REASONS) expect(SKIP_REASONS[reason].pages).toBe(true);
  });
});
