import { describe, expect, it } from 'vitest';
import {
  canonicalAddresses,
  canonicalAddressPattern,
  canonicalDomain,
  canonicalizeMailbox,
  isAddressIn,
  type CanonicalAddress,
} from '../../lib/mail/canonical-address.js';

const comparable = (text: string): CanonicalAddress => {
  const result = canonicalizeMailbox(text);
  if (!result.comparable) throw new Error(`not comparable: ${text} (${result.reason})`);
  return result.address;
};

describe('how many mailboxes canonicalizeMailbox accepts', () => {
  it('says why a value with two mailboxes is not comparable', () => {
    expect(canonicalizeMailbox('a@x.example, b@y.example')).toEqual({ comparable: false, reason: 'more than one address' });
  });

  it('says why an empty value is not comparable', () => {
    expect(canonicalizeMailbox('')).toEqual({ comparable: false, reason: 'no address' });
    expect(canonicalizeMailbox(' (just a comment) ')).toEqual({ comparable: false, reason: 'no address' });
  });
});

describe('the local part', () => {
  it('finds an empty quoted local part not comparable', () => {
    expect(canonicalizeMailbox('""@example.com')).toEqual({ comparable: false, reason: 'an empty local part' });
  });

  it('takes a local part of exactly 64 octets (RFC 5321 §4.5.3.1.1), not one of 65', () => {
    expect(comparable(`${'a'.repeat(64)}@example.com`)).toBe(`${'a'.repeat(64)}@example.com`);
    expect(canonicalizeMailbox(`${'a'.repeat(65)}@example.com`)).toEqual({ comparable: false, reason: 'a local part over 64 octets' });
  });

  it('counts the local part in UTF-8 octets, not characters', () => {
    // ü is two octets: 32 of them are 64 octets, one letter more is 65.
    expect(comparable(`${'ü'.repeat(32)}@example.com`)).toBe(`${'ü'.repeat(32)}@example.com`);
    expect(canonicalizeMailbox(`${'ü'.repeat(32)}a@example.com`)).toEqual({ comparable: false, reason: 'a local part over 64 octets' });
  });

  it('writes a dotted local part without quotes', () => {
    expect(comparable('"Alice.Smith"@example.com')).toBe('alice.smith@example.com');
    expect(comparable('a.b.c@example.com')).toBe('a.b.c@example.com');
  });

  it('keeps the quotes where dots are not between atoms', () => {
    expect(comparable('".alice"@example.com')).toBe('".alice"@example.com');
    expect(comparable('"alice."@example.com')).toBe('"alice."@example.com');
    expect(comparable('"al..ice"@example.com')).toBe('"al..ice"@example.com');
  });

  it('quotes a local part holding a special character, escaping quotes and backslashes', () => {
    expect(comparable('"A(lice)"@example.com')).toBe('"a(lice)"@example.com');
    expect(comparable('"al\\\\ice"@example.com')).toBe('"al\\\\ice"@example.com');
  });
});

describe('the domain', () => {
  it('refuses a zero-width non-joiner even where IDNA2008 allows one (after a virama)', () => {
    // UTS #46 with CheckJoiners takes क्‌ष (ZWNJ after the Devanagari virama); a format character
    // is invisible, so the address is not comparable. (ICU's domainToASCII gives xn--11b2ezc for क्ष.)
    expect(canonicalDomain('क्\u200Cष.example')).toBeNull();
    expect(canonicalDomain('क्\u200Dष.example')).toBeNull();
    expect(canonicalizeMailbox('alice@क्\u200Cष.example').comparable).toBe(false);
    expect(canonicalDomain('क्ष.example')).toBe('xn--11b2ezc.example');
  });

  it('refuses the A-label spelling of a domain with a zero-width (non-)joiner as it refuses the U-label one', () => {
    // xn--11b2ezcs70k is क्‌ष with its ZWNJ (ICU's domainToASCII agrees): the same domain in either
    // spelling, shown by mailparser as the look-alike of क्ष (xn--11b2ezc).
    expect(canonicalDomain('xn--11b2ezcs70k.example')).toBeNull();
    expect(canonicalDomain('xn--11b2ezcw70k.example')).toBeNull();
    expect(canonicalizeMailbox('alice@xn--11b2ezcs70k.example').comparable).toBe(false);
    expect(canonicalDomain('xn--11b2ezc.example')).toBe('xn--11b2ezc.example');
  });

  it('names at most the first 100 characters of a refused domain in the reason', () => {
    const domain = `${'a'.repeat(150)}.example`;
    expect(canonicalizeMailbox(`alice@${domain}`)).toEqual({
      comparable: false,
      reason: `a domain that is not a valid IDNA2008 name as written (${'a'.repeat(100)})`,
    });
  });

  it('names a short refused domain whole in the reason', () => {
    expect(canonicalizeMailbox('alice@xn--example-.com')).toEqual({
      comparable: false,
      reason: 'a domain that is not a valid IDNA2008 name as written (xn--example-.com)',
    });
  });
});

describe('canonicalAddresses bounds', () => {
  it('keeps at most 100 addresses across all the values of a field', () => {
    const value = (from: number) => Array.from({ length: 60 }, (_, i) => `u${from + i}@x.example`).join(', ');
    const all = canonicalAddresses([value(0), value(60)]);
    expect(all).toHaveLength(100);
    expect(all[0]).toBe('u0@x.example');
    expect(all[99]).toBe('u99@x.example');
  });

  it('keeps at most the requested number across values', () => {
    expect(canonicalAddresses(['a@x.example, b@x.example', 'c@x.example'], 2)).toEqual(['a@x.example', 'b@x.example']);
  });

  it('reads only the first mailboxes of a value, as many as requested, comparable or not', () => {
    expect(canonicalAddresses(['=?utf-8?q?eve?=@x.example, a@x.example, b@x.example'], 2)).toEqual(['a@x.example']);
  });
});

describe('address patterns as configured', () => {
  it('reads a domain pattern with white space around it', () => {
    expect(canonicalAddressPattern('  @Staff.Example.com \t')).toEqual({ kind: 'domain', domain: 'staff.example.com' });
  });

  it('reads an address pattern with white space around it', () => {
    expect(canonicalAddressPattern(' Lead@Example.com ')).toEqual({ kind: 'address', address: 'lead@example.com' });
  });
});

describe('isAddressIn', () => {
  it('finds a sender among stored addresses in any form', () => {
    const alice = comparable('alice@example.com');
    expect(isAddressIn(alice, ['bob@example.com', 'Alice <ALICE@Example.com>'])).toBe(true);
    expect(isAddressIn(alice, ['alice@example.com'])).toBe(true);
  });

  it('does not find a sender that is not listed', () => {
    const alice = comparable('alice@example.com');
    expect(isAddressIn(alice, ['bob@example.com', 'carol@example.com'])).toBe(false);
    expect(isAddressIn(alice, [])).toBe(false);
  });

  it('matches nobody for a sender that is not comparable', () => {
    expect(isAddressIn(null, ['alice@example.com', 'not an address'])).toBe(false);
  });
});
