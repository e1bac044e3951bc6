/**
 * Why a mail has no submitter (lib/mail/submitter.ts), in the words the skip detail carries, for
 * the cases submitter.test.ts does not spell out: a From naming several mailboxes without a usable
 * Sender, a From naming none, and a field given twice.
 */
import { describe, expect, it } from 'vitest';
import { selectSubmitter } from '../../lib/mail/submitter.js';

describe('selectSubmitter: details', () => {
  it('says why a From with several mailboxes has no submitter', () => {
    expect(selectSubmitter({ from: ['a@example.com, b@example.com'] })).toEqual({ found: false, detail: 'From names several mailboxes and no sender header' });
    expect(selectSubmitter({ from: ['a@example.com, b@example.com'], sender: ['s@example.com', 't@example.com'] })).toEqual({
      found: false,
      detail: 'From names several mailboxes and 2 sender headers',
    });
  });

  it('says a From names no mailbox, and why each fallback failed', () => {
    expect(selectSubmitter({ from: ['undisclosed-recipients:;'], 'reply-to': ['r@example.com', 'q@example.com'] })).toEqual({
      found: false,
      detail: 'From names no mailbox, 2 reply-to headers, no sender header',
    });
  });

  it('takes the one From mailbox even when Reply-To and Sender name others', () => {
    expect(selectSubmitter({ from: ['Alice <Alice@Example.com>'], 'reply-to': ['r@example.com'], sender: ['s@example.com'] })).toEqual({ found: true, address: 'alice@example.com', field: 'from' });
  });

  it('prefers Reply-To to Sender without a From', () => {
    expect(selectSubmitter({ 'reply-to': ['r@example.com'], sender: ['s@example.com'] })).toEqual({ found: true, address: 'r@example.com', field: 'reply-to' });
  });
});
