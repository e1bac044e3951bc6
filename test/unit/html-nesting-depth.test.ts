/**
 * nestsDeeperThan at its limit: markup exactly as deep as allowed passes, end tags un-nest
 * (also under the limit), and void elements neither nest nor un-nest.
 */
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../lib/mail/html-depth.js';

describe('nestsDeeperThan', () => {
  it('lets markup exactly as deep as the limit through, with more start tags than the limit', () => {
    expect(nestsDeeperThan('<div><div><div>x</div></div></div><p>y</p>', 3)).toBe(false);
    expect(nestsDeeperThan('<div><div><div><div>x</div></div></div></div>', 3)).toBe(true);
  });

  it('un-nests at each end tag by one level only', () => {
    expect(nestsDeeperThan('<div><div><i></i><div><div>x', 3)).toBe(true);
    expect(nestsDeeperThan('<div><i></i><i></i><div><div>x', 3)).toBe(false);
  });

  it('does not un-nest at a void element', () => {
    expect(nestsDeeperThan('<div><div><br><br><img src="x"><div><div>x', 3)).toBe(true);
  });
});
