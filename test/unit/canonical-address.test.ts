import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../lib/mail/address-list.js';
import {
  addressMatches,
  canonicalAddresses,
  canonicalAddressPattern,
  canonicalDomain,
  canonicalizeMailbox,
  canonicalSender,
  domainOf,
  isAddressIn,
  type CanonicalAddress,
} from '../../lib/mail/canonical-address.js';
import { decodeHeaderBytes, rawHeaderValue, readRawHeaders } from '../../lib/mail/raw-headers.js';
import { headerLinesOf, trustFixture } from '../helpers/header-lines.js';

const canonical = (text: string) => {
  const result = canonicalizeMailbox(text);
  return result.comparable ? result.address : null;
};

const pattern = (text: string) => {
  const result = canonicalAddressPattern(text);
  if (result === null) throw new Error(`not a pattern: ${text}`);
  return result;
};

describe('parseAddressList', () => {
  it.each([
    ['alice@example.com', [['alice', 'example.com']]],
    ['Alice <alice@example.com>', [['alice', 'example.com']]],
    ['"Smith, Jane" <Jane.Smith@Example.COM>', [['Jane.Smith', 'Example.COM']]],
    ['alice@example.com (Alice (the one from accounts))', [['alice', 'example.com']]],
    ['Alice <"alice"@example.com>', [['alice', 'example.com']]],
    ['<"a\\"b c"@example.com>', [['a"b c', 'example.com']]],
    ['Alice <alice . smith @ example . com>', [['alice.smith', 'example.com']]],
    ['Alice <@route.example,@other.example:alice@example.com>', [['alice', 'example.com']]],
    ['a@x.example, , B <b@y.example>', [['a', 'x.example'], ['b', 'y.example']]],
    ['Team: a@x.example, b@y.example;, c@z.example', [['a', 'x.example'], ['b', 'y.example'], ['c', 'z.example']]],
    ['undisclosed-recipients:;', []],
    ['', []],
    ['Jörg <jörg@bücher.example>', [['jörg', 'bücher.example']]],
    ['=?utf-8?q?alice?=@example.com', [['=?utf-8?q?alice?=', 'example.com']]],
  ])('%j → %j', (value, expected) => {
    expect(parseAddressList(value)?.map((spec) => [spec.localPart, spec.domain])).toEqual(expected);
  });

  it('keeps a domain literal as written and says so', () => {
    expect(parseAddressList('alice@[192.0.2.1]')).toEqual([{ localPart: 'alice', domain: '[192.0.2.1]', domainLiteral: true }]);
  });

  it.each([
    ['an address as display name before another', 'alice@example.com <mallory@attacker.example>'],
    ['an unclosed angle bracket', 'Alice <alice@example.com'],
    ['an unclosed comment', 'alice@example.com (Alice'],
    ['an unclosed quoted string', '"alice@example.com'],
    ['two words as local part', 'alice smith@example.com'],
    ['an empty angle address', '<>'],
    ['no domain', 'alice@'],
    ['a backslash outside quotes', 'ali\\ce@example.com'],
    ['a nested group', 'A: B: b@x.example;;'],
    ['a control character', 'ali\u0001ce@example.com'],
    ['a dot at the start of the local part', '.alice@example.com'],
  ])('refuses %s', (_why, value) => {
    expect(parseAddressList(value)).toBeNull();
  });

  it('keeps at most the requested number of mailboxes', () => {
    const many = Array.from({ length: 300 }, (_, i) => `u${i}@x.example`).join(', ');
    expect(parseAddressList(many)).toHaveLength(100);
    expect(parseAddressList(many, { max: 3 })?.map((spec) => spec.localPart)).toEqual(['u0', 'u1', 'u2']);
  });

  it('reads hostile nesting in linear time, without recursion', () => {
    expect(parseAddressList(`${'('.repeat(100_000)}${')'.repeat(100_000)}a@x.example`)).toEqual([
      { localPart: 'a', domain: 'x.example', domainLiteral: false },
    ]);
    expect(parseAddressList('('.repeat(100_000))).toBeNull();
    expect(parseAddressList('a . '.repeat(50_000))).toBeNull();
  });
});

describe('canonicalizeMailbox', () => {
  it.each([
    ['ALICE@EXAMPLE.COM', 'alice@example.com'],
    ['"Alice" <Alice@Example.Com>', 'alice@example.com'],
    ['<"alice"@example.com>', 'alice@example.com'],
    ['<"al ice"@example.com>', null],
    ['<"al\\"ice"@example.com>', '"al\\"ice"@example.com'],
    ['<"al@ice"@example.com>', '"al@ice"@example.com'],
    ['alice+tag@example.com', 'alice+tag@example.com'],
    ['jörg@bücher.example', 'jörg@xn--bcher-kva.example'],
    ['JÖRG@BÜCHER.example', null],
    // IANA's IDN test domain 例子.测试 is xn--fsqu00a.xn--0zwm56d.
    ['用户@例子.测试', '用户@xn--fsqu00a.xn--0zwm56d'],
  ])('%j → %j', (text, expected) => {
    expect(canonical(text)).toBe(expected);
  });

  it('puts an IDN domain in A-label form whichever form it was written in', () => {
    expect(canonical('alice@bücher.example')).toBe('alice@xn--bcher-kva.example');
    expect(canonical('alice@xn--bcher-kva.example')).toBe('alice@xn--bcher-kva.example');
    expect(canonical('alice@XN--BCHER-KVA.EXAMPLE')).toBe('alice@xn--bcher-kva.example');
  });

  it('never makes alice@xn--example-.com into alice@example.com', () => {
    // "xn--example-" is Punycode for plain "example": mailparser shows alice@example.com.
    const result = canonicalizeMailbox('Alice <alice@xn--example-.com>');
    expect(result.comparable).toBe(false);
    expect(canonical('alice@example.com')).toBe('alice@example.com');
    expect(isAddressIn(canonical('alice@example.com'), ['Alice <alice@xn--example-.com>'])).toBe(false);
  });

  it.each([
    ['an encoded word as the local part', '=?utf-8?q?alice?=@example.com'],
    ['an encoded word inside a quoted local part', '"=?utf-8?b?YWxpY2U=?="@example.com'],
    ['an encoded word glued to the local part', 'x=?utf-8?q?alice?=@example.com'],
    ['the Kelvin sign for K in the local part', '\u212Aelvin@example.com'],
    ['the Kelvin sign for K in the domain', 'kelvin@\u212Aelvin.example'],
    ['fullwidth letters in the local part', '\uFF41lice@example.com'],
    ['fullwidth letters in the domain', 'alice@\uFF45xample.com'],
    ['a ligature', '\uFB01nance@example.com'],
    ['a zero-width space', 'ali\u200Bce@example.com'],
    ['a soft hyphen in the domain', 'alice@exam\u00ADple.com'],
    ['a right-to-left override', 'alice\u202E@example.com'],
    ['a replacement character (bytes that were not UTF-8)', 'alic\uFFFD@example.com'],
    ['a lone surrogate', 'alic\uD800@example.com'],
    ['a decomposed umlaut (NFKC composes it)', 'jo\u0308rg@example.com'],
    ['an uppercase U-label (UTS #46 would map it)', 'alice@B\u00DCCHER.example'],
    ['a domain literal', 'alice@[192.0.2.1]'],
    ['an underscore in the domain', 'alice@ex_ample.com'],
    ['a trailing dot', 'alice@example.com.'],
    ['a label over 63 octets', `alice@${'a'.repeat(64)}.example`],
    ['a local part over 64 octets', `${'a'.repeat(65)}@example.com`],
    ['two addresses', 'a@x.example, b@y.example'],
    ['no address', 'undisclosed-recipients:;'],
    ['a group of one', 'Friends: alice@example.com;'],
    ['garbage', 'alice@example.com <mallory@attacker.example>'],
  ])('finds %s not comparable', (_why, text) => {
    const result = canonicalizeMailbox(text);
    expect(result.comparable).toBe(false);
    expect(result.comparable ? '' : result.reason).not.toBe('');
  });

  it('ignores display names whatever they say', () => {
    expect(canonical('"alice@example.com" <mallory@attacker.example>')).toBe('mallory@attacker.example');
    expect(canonical('=?utf-8?q?alice=40example.com?= <mallory@attacker.example>')).toBe('mallory@attacker.example');
  });
});

describe('canonicalDomain', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['faß.example', 'xn--fa-hia.example'],
    ['xn--example-.com', null],
    ['xn--staff-.example.com', null],
    ['ｓtaff.example.com', null],
    ['-staff.example.com', null],
    ['ab--cd.example', null],
    ['', null],
  ])('%j → %j', (domain, expected) => {
    expect(canonicalDomain(domain)).toBe(expected);
  });
});

describe('canonicalSender', () => {
  it('takes the one mailbox of the one From field', () => {
    expect(canonicalSender(['Alice <Alice@Example.com>'])).toEqual({ comparable: true, address: 'alice@example.com', domain: 'example.com' });
  });

  it.each([
    ['no From', undefined],
    ['an empty list', []],
    ['two From fields', ['alice@example.com', 'mallory@attacker.example']],
    ['two mailboxes', ['alice@example.com, mallory@attacker.example']],
    ['a group', ['Friends: alice@example.com;']],
    ['an IDN look-alike', ['alice@xn--example-.com']],
  ])('finds %s not comparable', (_why, values) => {
    const result = canonicalSender(values);
    expect(result.comparable).toBe(false);
    expect(result.comparable ? '' : result.reason).toMatch(/From/);
  });
});

describe('canonicalAddresses', () => {
  it('keeps the comparable addresses of every value, in order, once', () => {
    expect(
      canonicalAddresses(['Bob <BOB@x.example>, =?utf-8?q?eve?=@y.example', 'carol@bücher.example, bob@x.example', 'broken <']),
    ).toEqual(['bob@x.example', 'carol@xn--bcher-kva.example']);
    expect(canonicalAddresses(undefined)).toEqual([]);
  });
});

describe('address patterns', () => {
  const sender = (text: string) => canonical(text) as CanonicalAddress;

  it('matches an address exactly, case aside', () => {
    expect(addressMatches(sender('Lead@Example.com'), pattern('lead@example.com'))).toBe(true);
    expect(addressMatches(sender('lead2@example.com'), pattern('lead@example.com'))).toBe(false);
    expect(addressMatches(null, pattern('lead@example.com'))).toBe(false);
  });

  it('matches a domain exactly, not its subdomains nor look-alikes', () => {
    const staff = pattern('@Staff.Example.com');
    expect(staff).toEqual({ kind: 'domain', domain: 'staff.example.com' });
    expect(addressMatches(sender('bob@staff.example.com'), staff)).toBe(true);
    expect(addressMatches(sender('bob@evil.staff.example.com'), staff)).toBe(false);
    expect(addressMatches(sender('bob@staff.example.com.attacker.example'), staff)).toBe(false);
    // mailparser shows bob@xn--staff-.example.com as bob@staff.example.com.
    expect(canonical('bob@xn--staff-.example.com')).toBeNull();
    expect(addressMatches(canonical('bob@xn--staff-.example.com'), staff)).toBe(false);
  });

  it('compares IDN domains in A-label form on both sides', () => {
    const idn = pattern('@bücher.example');
    expect(idn).toEqual({ kind: 'domain', domain: 'xn--bcher-kva.example' });
    expect(addressMatches(sender('jörg@xn--bcher-kva.example'), idn)).toBe(true);
    expect(addressMatches(sender('jörg@bücher.example'), idn)).toBe(true);
    expect(addressMatches(sender('jörg@bucher.example'), idn)).toBe(false);
    expect(domainOf(sender('jörg@bücher.example'))).toBe('xn--bcher-kva.example');
  });

  it('refuses patterns that are not comparable', () => {
    expect(canonicalAddressPattern('@xn--staff-.example.com')).toBeNull();
    expect(canonicalAddressPattern('@')).toBeNull();
    expect(canonicalAddressPattern('=?utf-8?q?lead?=@example.com')).toBeNull();
    expect(canonicalAddressPattern('not an address')).toBeNull();
  });
});

describe('raw headers', () => {
  it('unfolds, strips the name and reads the bytes as UTF-8', () => {
    const utf8AsBinary = Buffer.from('From: Jörg\r\n <jörg@bücher.example>', 'utf8').toString('latin1');
    expect(rawHeaderValue(utf8AsBinary)).toBe('Jörg <jörg@bücher.example>');
    expect(decodeHeaderBytes('\u00ff\u00fe')).toBe('\uFFFD\uFFFD');
    expect(decodeHeaderBytes('already decoded: \u20ac')).toBe('already decoded: \u20ac');
  });

  it('keeps the named fields, topmost first, bounded in number', () => {
    const lines = [
      { key: 'received', line: 'Received: from a by b; date1' },
      { key: 'from', line: 'From: a@x.example' },
      { key: 'received', line: 'Received: from c by d; date2' },
      { key: 'subject', line: 'Subject: not kept' },
    ];
    expect(readRawHeaders(lines)).toEqual({ received: ['from a by b; date1', 'from c by d; date2'], from: ['a@x.example'] });
    expect(readRawHeaders(lines, ['received'], 1)).toEqual({ received: ['from a by b; date1'] });
  });

  it('gives the raw From that mailparser decodes (the punycode-from case)', async () => {
    const raw = trustFixture('punycode-from.eml');
    const headers = readRawHeaders(await headerLinesOf(raw));
    expect(headers.from).toEqual(['Alice <alice@xn--example-.com>']);
    expect(canonicalSender(headers.from).comparable).toBe(false);
  });

  it('keeps an encoded-word local part raw, where mailparser decodes it', async () => {
    const raw = Buffer.from('From: =?utf-8?q?alice?=@example.com\r\nSubject: x\r\n\r\nbody\r\n');
    const headers = readRawHeaders(await headerLinesOf(raw));
    expect(headers.from).toEqual(['=?utf-8?q?alice?=@example.com']);
    const result = canonicalSender(headers.from);
    expect(result.comparable ? result.address : result.reason).toMatch(/encoded word/);
  });

  it('reads raw UTF-8 addresses (RFC 6532) from the parser', async () => {
    const raw = Buffer.from('From: Jörg <jörg@bücher.example>\r\nSubject: x\r\n\r\nbody\r\n', 'utf8');
    const headers = readRawHeaders(await headerLinesOf(raw));
    expect(canonicalSender(headers.from)).toEqual({ comparable: true, address: 'jörg@xn--bcher-kva.example', domain: 'xn--bcher-kva.example' });
  });
});

describe('canonical form, by property', () => {
  const ALICE = 'alice@example.com';
  /**
   * Characters a forger reaches for: compatibility forms, look-alikes, invisible ones, encoded-word
   * syntax. (White space is not among them: around an address it means nothing, RFC 5322 §3.2.2.)
   */
  const TRICKY = [
    '\u212A', '\uFF41', '\uFF45', '\u0430', '\u0131', '\u017F', '\u00AD', '\u200B', '\u200D', '\u202E',
    '\uFB01', '\u00B2', '\u2024', '\uFF0E', '\uFF20', '=?', '?=', '\uFFFD', '\u0000', '"', '\\', '@', '\u00A0', '\u3000',
  ];

  it('is idempotent: a canonical address canonicalizes to itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 40 }), (local, domain) => {
        const result = canonicalizeMailbox(`<${JSON.stringify(local)}@${domain}>`);
        if (!result.comparable) return;
        expect(canonicalizeMailbox(result.address)).toEqual(result);
      }),
    );
  });

  it('never gives alice@example.com for a spelling with a tricky character inserted anywhere', () => {
    for (let at = 0; at <= ALICE.length; at++) {
      for (const inserted of TRICKY) {
        const mutated = ALICE.slice(0, at) + inserted + ALICE.slice(at);
        expect(canonical(mutated), JSON.stringify(mutated)).not.toBe(ALICE);
        expect(canonical(`Alice <${mutated}>`), JSON.stringify(mutated)).not.toBe(ALICE);
      }
    }
  });

  it('never gives alice@example.com for a spelling with a letter replaced by a look-alike', () => {
    for (let at = 0; at < ALICE.length; at++) {
      for (const replacement of TRICKY.filter((tricky) => tricky !== ALICE.charAt(at))) {
        const mutated = ALICE.slice(0, at) + replacement + ALICE.slice(at + 1);
        expect(canonical(mutated), JSON.stringify(mutated)).not.toBe(ALICE);
      }
    }
  });

  it('never gives alice@example.com for an encoded word or an IDN label standing for it', () => {
    fc.assert(
      fc.property(fc.constantFrom('q', 'Q', 'b', 'B'), fc.constantFrom('utf-8', 'iso-8859-1', 'us-ascii'), (encoding, charset) => {
        const word = encoding.toLowerCase() === 'q' ? 'alice' : Buffer.from('alice').toString('base64');
        expect(canonical(`=?${charset}?${encoding}?${word}?=@example.com`)).toBeNull();
        expect(canonical(`"=?${charset}?${encoding}?${word}?="@example.com`)).toBeNull();
      }),
    );
    for (const domain of ['xn--example-.com', 'example.xn--com-', 'xn--exmple-cua.com', 'EXAMPLE.xn--com-']) {
      expect(canonical(`alice@${domain}`)).not.toBe(ALICE);
    }
  });

  it('keeps alice@example.com for the spellings RFC 5322 says mean it', () => {
    for (const spelling of ['ALICE@EXAMPLE.COM', '"alice"@example.com', 'Alice <alice@example.com>', 'alice@example.com (Alice)', '"Bob" <alice@example.com>']) {
      expect(canonical(spelling)).toBe(ALICE);
    }
  });
});
