import { describe, expect, it } from 'vitest';
import { findTicketReferences, threadMessageIds } from '../../lib/reference/find-ticket-reference.js';

describe('threadMessageIds', () => {
  it('puts In-Reply-To first, then References newest first', () => {
    expect(threadMessageIds({ inReplyTo: ['c'], references: ['a', 'b', 'c'] })).toEqual(['c', 'b', 'a']);
    expect(threadMessageIds({ inReplyTo: [], references: ['a', 'b'] })).toEqual(['b', 'a']);
  });
});

describe('findTicketReferences', () => {
  const tag = { queue: 'support', ticketId: 9 };
  const token = { ticketId: 3, address: 'support+3.abc@helpdesk.example' };

  it('finds every kind of reference, one of each, for the decision to weigh', () => {
    const references = findTicketReferences({ verifiedReplyToken: token, threadIds: ['x', 'y'], ticketsByMessageId: new Map([['y', 5]]), subjectTag: tag });
    expect(references).toEqual([{ source: 'reply-address', ...token }, { source: 'thread', ticketId: 5, messageId: 'y' }, { source: 'subject-tag', ...tag }]);
  });

  it('takes the strongest thread id that the ledger knows', () => {
    const references = findTicketReferences({ threadIds: ['x', 'y'], ticketsByMessageId: new Map([['x', 1], ['y', 2]]), subjectTag: null });
    expect(references).toEqual([{ source: 'thread', ticketId: 1, messageId: 'x' }]);
  });

  it('finds the subject tag alone, or nothing', () => {
    expect(findTicketReferences({ threadIds: ['x'], ticketsByMessageId: new Map(), subjectTag: tag })).toEqual([{ source: 'subject-tag', ...tag }]);
    expect(findTicketReferences({ threadIds: [], ticketsByMessageId: new Map(), subjectTag: null })).toEqual([]);
  });
});
