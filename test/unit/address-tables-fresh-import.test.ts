/**
 * The character classes of the address grammar (lib/mail/address-list.ts: specials, atext, white
 * space), of the canonical form (lib/mail/canonical-address.ts: unsafe characters, dot-atom-text)
 * and of Message-IDs (lib/mail/message-id.ts), judged from a FRESH import of the modules in each
 * test: these are module-level constants, built once at import, so a test importing the modules at
 * the top of its file judges them as they were built then (see reports/mutation/EQUIVALENT.md,
 * "Static code").
 */
import { describe, expect, it, vi } from 'vitest';

async function fresh() {
  vi.resetModules();
  const [addressList, canonicalAddress, messageId] = await Promise.all([
    import('../../lib/mail/address-list.js'),
    import('../../lib/mail/canonical-address.js'),
    import('../../lib/mail/message-id.js'),
  ]);
  return { ...addressList, ...canonicalAddress, ...messageId };
}

describe('the address grammar’s characters', () => {
  it('reads every special, atoms and white space of a full address list', async () => {
    const { parseAddressList } = await fresh();
    expect(parseAddressList('Team: Alice Smith <alice.smith@x.example>,\r\n\tbob@y.example;, "C" <c@z.example>')).toEqual([
      { localPart: 'alice.smith', domain: 'x.example', domainLiteral: false },
      { localPart: 'bob', domain: 'y.example', domainLiteral: false },
      { localPart: 'c', domain: 'z.example', domainLiteral: false },
    ]);
  });

  it('takes every atext character of RFC 5322 §3.2.3 and UTF-8 in an atom', async () => {
    const { parseAddressList } = await fresh();
    const atext = "A-Za-z0-9!#$%&'*+-/=?^_`{|}~é";
    expect(parseAddressList(`${atext}@x.example`)).toEqual([{ localPart: atext, domain: 'x.example', domainLiteral: false }]);
  });
});

describe('the canonical form’s characters', () => {
  it('finds an ordinary address comparable', async () => {
    const { canonicalizeMailbox } = await fresh();
    expect(canonicalizeMailbox('Alice <Alice@Example.com>')).toEqual({ comparable: true, address: 'alice@example.com', domain: 'example.com' });
  });

  it('refuses control, format and separator characters in the local part', async () => {
    const { canonicalizeMailbox } = await fresh();
    for (const local of ['"al\u00A0ice"', 'ali\u200Bce', '"al\u2028ice"', 'alic\uFFFD']) {
      expect(canonicalizeMailbox(`${local}@example.com`)).toEqual({
        comparable: false,
        reason: 'control, format, separator or invalid characters in the local part',
      });
    }
  });

  it('writes a local part unquoted exactly when it is a dot-atom', async () => {
    const { canonicalizeMailbox } = await fresh();
    const address = (text: string) => {
      const result = canonicalizeMailbox(text);
      return result.comparable ? result.address : result.reason;
    };
    expect(address('"alice"@example.com')).toBe('alice@example.com');
    expect(address('"alice.b.smith"@example.com')).toBe('alice.b.smith@example.com');
    expect(address('"jörg"@example.com')).toBe('jörg@example.com');
    expect(address('".alice"@example.com')).toBe('".alice"@example.com');
    expect(address('"alice."@example.com')).toBe('"alice."@example.com');
    expect(address('"al..ice"@example.com')).toBe('"al..ice"@example.com');
    expect(address('"al,ice"@example.com')).toBe('"al,ice"@example.com');
    expect(address('"alice.(smith)"@example.com')).toBe('"alice.(smith)"@example.com');
  });
});

describe('the Message-ID’s characters', () => {
  it('takes an ordinary Message-ID and refuses white space, controls and format characters', async () => {
    const { isDegenerateMessageId } = await fresh();
    expect(isDegenerateMessageId('20261201.abc$x@mail.example.com')).toBe(false);
    for (const id of ['a b@x.example', 'a\u00A0b@x.example', 'a\u0007b@x.example', 'a\u200Bb@x.example', 'a<b@x.example']) {
      expect(isDegenerateMessageId(id)).toBe(true);
    }
  });
});
