import { describe, expect, it } from 'vitest';
import { parseAddressList } from '../../lib/mail/address-list.js';

/** The addr-specs of a value as `local@domain` strings, or `null` when the value does not parse. */
const addresses = (value: string, max?: number) =>
  parseAddressList(value, max === undefined ? {} : { max })?.map((spec) => `${spec.localPart}@${spec.domain}`) ?? null;

describe('comments (RFC 5322 §3.2.2)', () => {
  it('does not let a quoted ")" close a comment', () => {
    expect(addresses('alice@example.com (Alice \\) Smith)')).toEqual(['alice@example.com']);
    expect(addresses('(a \\( b) alice@example.com')).toEqual(['alice@example.com']);
  });

  it('refuses a comment whose only closing parenthesis is quoted', () => {
    expect(addresses('alice@example.com (Alice \\)')).toBeNull();
  });
});

describe('quoted strings (RFC 5322 §3.2.4)', () => {
  it('drops the CRLF of a fold inside a quoted local part and keeps the white space', () => {
    expect(parseAddressList('"al\r\n ice"@example.com')).toEqual([{ localPart: 'al ice', domain: 'example.com', domainLiteral: false }]);
    expect(addresses('"al\n\tice"@example.com')).toEqual(['al\tice@example.com']);
    expect(addresses('"al\r ice"@example.com')).toEqual(['al ice@example.com']);
  });

  it('refuses a quoted string cut short after a backslash', () => {
    expect(addresses('alice@example.com, "bob\\')).toBeNull();
  });
});

describe('domain literals (RFC 5322 §3.4.1)', () => {
  it('drops the folding white space inside the brackets', () => {
    expect(parseAddressList('alice@[ 192.0.2.1 ]')).toEqual([{ localPart: 'alice', domain: '[192.0.2.1]', domainLiteral: true }]);
    expect(addresses('alice@[IPv6:2001:db8::1\r\n ]')).toEqual(['alice@[IPv6:2001:db8::1]']);
  });

  it('keeps a dotted local part before a domain literal', () => {
    expect(parseAddressList('alice.smith@[192.0.2.1]')).toEqual([{ localPart: 'alice.smith', domain: '[192.0.2.1]', domainLiteral: true }]);
  });

  it.each([
    ['no closing bracket', 'alice@[192.0.2.1'],
    ['an opening bracket inside', 'alice@[192.0[.2.1]'],
    ['a backslash inside', 'alice@[192.0\\.2.1]'],
  ])('refuses a domain literal with %s', (_why, value) => {
    expect(addresses(value)).toBeNull();
  });
});

describe('characters outside the grammar', () => {
  it.each([
    ['a control character as the whole local part', '\u0007@example.com'],
    ['a closing parenthesis as the local part', ')@example.com'],
    ['a closing bracket as the local part', ']@example.com'],
    ['a control character as the whole domain', 'alice@\u0001'],
  ])('refuses %s', (_why, value) => {
    expect(addresses(value)).toBeNull();
  });
});

describe('groups (RFC 5322 §3.4)', () => {
  it('needs a display name before the colon of a group', () => {
    expect(addresses(': bob@y.example;')).toBeNull();
    expect(addresses('alice@x.example, : bob@y.example;')).toBeNull();
    expect(addresses('alice@x.example, Team: bob@y.example;')).toEqual(['alice@x.example', 'bob@y.example']);
  });

  it('skips empty elements inside a group', () => {
    expect(addresses('Team: , a@x.example, , b@y.example,;')).toEqual(['a@x.example', 'b@y.example']);
  });

  it.each([
    ['a group that is never closed', 'Team: a@x.example'],
    ['a group with no member and no end', 'Team:'],
    ['a group ending in a comma', 'Team: a@x.example,'],
    ['members not separated by a comma', 'Team: a@x.example b@y.example;'],
    ['a member without a domain, the list going on after it', 'Team: a@, c@z.example'],
  ])('refuses %s', (_why, value) => {
    expect(addresses(value)).toBeNull();
  });
});

describe('obsolete source routes (RFC 5322 §4.4)', () => {
  it('reads the mailbox after a route of several domains', () => {
    expect(addresses('<@a.example,@b.example:alice@example.com>')).toEqual(['alice@example.com']);
  });

  it.each([
    ['a semicolon inside the route', 'Alice <@a.example;alice@example.com>'],
    ['a semicolon between the route domains', 'Alice <@a.example;@b.example:alice@example.com>'],
    ['a quoted string inside the route', 'Alice <@"a".example:alice@example.com>'],
    ['a quoted string ending the route', 'Alice <@"a"alice@example.com>'],
    ['a route with no colon', 'Alice <@a.example'],
  ])('refuses %s', (_why, value) => {
    expect(addresses(value)).toBeNull();
  });
});

describe('the mailbox limit', () => {
  it('keeps only the first mailboxes written in angle brackets', () => {
    expect(addresses('A <a@x.example>, B <b@x.example>, C <c@x.example>', 2)).toEqual(['a@x.example', 'b@x.example']);
  });

  it('still refuses a list whose elements past the limit are broken', () => {
    expect(addresses('A <a@x.example>, B <b@x.example>, broken <', 1)).toBeNull();
  });
});
