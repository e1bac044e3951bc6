/**
 * Subject tags of queues whose slugs start one another ("a", "a-1", "a-1-2"): the tag names the
 * queue whose slug it spells out, whatever order the queues are configured in; and a deployment
 * with no queues finds no tag at all, not even the slug-less "[-5]".
 */
import { describe, expect, it } from 'vitest';
import { subjectTagFinder } from '../../lib/reference/subject-tag.js';

const slugs = ['a', 'a-1', 'a-1-2'];

describe('slugs that start one another', () => {
  it.each([{ order: slugs }, { order: [...slugs].reverse() }, { order: ['a-1', 'a-1-2', 'a'] }])('reads each tag as its own queue with the queues in the order $order', ({ order }) => {
    const find = subjectTagFinder(order);
    expect(find('Re: [a-7] help')).toEqual({ queue: 'a', ticketId: 7 });
    expect(find('Re: [a-1-7] help')).toEqual({ queue: 'a-1', ticketId: 7 });
    expect(find('Re: [A-1-2-7] help')).toEqual({ queue: 'a-1-2', ticketId: 7 });
    expect(find('Re: [a-1-2-3-7] help')).toBeNull();
  });
});

describe('no queues', () => {
  it('finds no tag, not even one without a slug', () => {
    const find = subjectTagFinder([]);
    expect(find('[-5] help')).toBeNull();
    expect(find('[a-5] help')).toBeNull();
  });
});
