import { describe, expect, it } from 'vitest';
import { findTicketReference, threadMessageIds } from '../../lib/reference/find-ticket-reference.js';

describe('threadMessageIds', () => {
  it('puts In-Reply-To first, then References newest first', () => {
    expect(threadMessageIds({ inReplyTo: ['c'], references: ['a', 'b', 'c'] })).toEqual(['c', 'b', 'a']);
    expect(threadMessageIds({ inReplyTo: [], references: ['a', 'b'] })).toEqual(['b', 'a']);
  });
});

describe('findTicketReference', () => {
  const tag = { queue: 'support', ticketId: 9 };

  it('prefers a thread hit over the subject tag', () => {
    const reference = findTicketReference({ threadIds: ['x', 'y'], ticketsByMessageId: new Map([['y', 5]]), subjectTag: tag });
    expect(reference).toEqual({ source: 'thread', ticketId: 5, messageId: 'y' });
  });

  it('takes the strongest thread id that the ledger knows', () => {
    const reference = findTicketReference({ threadIds: ['x', 'y'], ticketsByMessageId: new Map([['x', 1], ['y', 2]]), subjectTag: null });
    expect(reference).toEqual({ source: 'thread', ticketId: 1, messageId: 'x' });
  });

  it('falls back to the subject tag, then to nothing', () => {
    expect(findTicketReference({ threadIds: ['x'], ticketsByMessageId: new Map(), subjectTag: tag })).toEqual({ source: 'subject-tag', ...tag });
    expect(findTicketReference({ threadIds: [], ticketsByMessageId: new Map(), subjectTag: null })).toBeNull();
  });
});
