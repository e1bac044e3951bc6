import { describe, expect, it } from 'vitest';
import { extractMessageIds, isDegenerateMessageId, ledgerKeyOfMessageId, normalizeMessageId, usableMessageId } from '../../lib/mail/message-id.js';

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

describe('isDegenerateMessageId', () => {
  it.each([
    ['an ordinary id', 'CAF=abc.123@mail.example.com', false],
    ['an id with a quoted-looking left part', '"x"@example.com', false],
    ['an id with several @', 'a@b@example.com', false],
    ['exactly 250 characters', `${'a'.repeat(250 - '@example.com'.length)}@example.com`, false],
    ['a UTF-8 id (RFC 6532)', 'nachricht-ü@example.com', false],
    ['null', null, true],
    ['undefined', undefined, true],
    ['empty', '', true],
    ['<>', '<>', true],
    ['an angle bracket left inside', '<a@example.com', true],
    ['no @', 'just-a-token', true],
    ['nothing before the @', '@example.com', true],
    ['nothing after the @', 'abc@', true],
    ['251 characters', `${'a'.repeat(251 - '@example.com'.length)}@example.com`, true],
    ['a space', 'a b@example.com', true],
    ['a tab', 'a\tb@example.com', true],
    ['a line break', 'a\r\nb@example.com', true],
    ['a NUL', 'a\u0000b@example.com', true],
    ['DEL', 'a\u007fb@example.com', true],
    ['a C1 control', 'a\u0085b@example.com', true],
    ['a zero-width space', 'a\u200bb@example.com', true],
    ['a no-break space', 'a\u00a0b@example.com', true],
  ])('%s → %s', (_what, id, degenerate) => {
    expect(isDegenerateMessageId(id)).toBe(degenerate);
    expect(usableMessageId(id)).toBe(degenerate ? null : id);
  });

  it('judges ids as normalizeMessageId leaves them', () => {
    expect(isDegenerateMessageId(normalizeMessageId('<>'))).toBe(true);
    expect(isDegenerateMessageId(normalizeMessageId('  '))).toBe(true);
    expect(isDegenerateMessageId(normalizeMessageId('<abc>'))).toBe(true);
    expect(isDegenerateMessageId(normalizeMessageId('<abc@example.com> (comment)'))).toBe(false);
    expect(isDegenerateMessageId(normalizeMessageId(`<${'x'.repeat(5000)}@host>`))).toBe(true);
  });
});
