import { describe, expect, it } from 'vitest';
import { extractMessageIds, ledgerKeyOfMessageId, normalizeMessageId } from '../../lib/mail/message-id.js';

describe('extractMessageIds', () => {
  it('takes every bracketed id, in order, once', () => {
    expect(extractMessageIds('<a@x> <b@y>\r\n <a@x>')).toEqual(['a@x', 'b@y']);
    expect(extractMessageIds(['<a@x>', '<c@z>'])).toEqual(['a@x', 'c@z']);
  });

  it('ignores comments around bracketed ids', () => {
    expect(extractMessageIds('<a@x> (Alice\'s message of Monday)')).toEqual(['a@x']);
  });

  it('accepts ids written without brackets', () => {
    expect(extractMessageIds('a@x b@y')).toEqual(['a@x', 'b@y']);
    expect(extractMessageIds(undefined)).toEqual([]);
    expect(extractMessageIds('no ids here')).toEqual([]);
  });
});

describe('normalizeMessageId', () => {
  it('strips brackets and white space', () => {
    expect(normalizeMessageId(' <id@host> ')).toBe('id@host');
    expect(normalizeMessageId('id@host')).toBe('id@host');
    expect(normalizeMessageId('')).toBeNull();
    expect(normalizeMessageId(undefined)).toBeNull();
  });
});

describe('ledgerKeyOfMessageId', () => {
  it('keeps ordinary ids and hashes ids too long for a DynamoDB key', () => {
    expect(ledgerKeyOfMessageId('id@host')).toBe('id@host');
    const long = `${'x'.repeat(5000)}@host`;
    const key = ledgerKeyOfMessageId(long);
    expect(key).toMatch(/^sha256-id:[0-9a-f]{64}$/);
    expect(ledgerKeyOfMessageId(long)).toBe(key);
  });
});
