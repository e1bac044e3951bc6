import { describe, expect, it } from 'vitest';
import { normalizeMessageId } from '../../lib/mail/message-id.js';

describe('normalizeMessageId of a value with no bracketed id', () => {
  it('gives the value without the white space around it', () => {
    // No brackets and no token with an @: the trimmed value itself, degenerate as it is.
    expect(normalizeMessageId('  \tlocal-only-id \r\n')).toBe('local-only-id');
    expect(normalizeMessageId(' <> ')).toBe('<>');
  });

  it('gives null for a value of white space only', () => {
    expect(normalizeMessageId(' \t ')).toBeNull();
    expect(normalizeMessageId('\r\n ')).toBeNull();
  });
});
