/**
 * Clauses of an Authentication-Results header that break RFC 8601's grammar are never read as a
 * method result: a method version "/" with no number, a "reason=" with no value, a keyword glued
 * to a character no keyword may be followed by. Each is kept as an "other" clause, so that text a
 * sender slipped into the header (or a broken writer) never counts as, say, a DMARC pass.
 */
import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults, resultsOf, type AuthResultClause } from '../../lib/screening/authentication-results.js';

function clauses(header: string): readonly AuthResultClause[] {
  const parsed = parseAuthenticationResults(header);
  if (parsed === null) throw new Error(`expected ${header} to parse`);
  return parsed.clauses;
}

describe('method versions', () => {
  it('reads a method version written as digits after "/"', () => {
    expect(clauses('amazonses.com; dmarc/1=pass')).toEqual([{ kind: 'result', method: 'dmarc', methodVersion: 1, result: 'pass', reason: null, properties: [] }]);
    expect(clauses('amazonses.com; dkim / 2 = pass')).toEqual([{ kind: 'result', method: 'dkim', methodVersion: 2, result: 'pass', reason: null, properties: [] }]);
  });

  it('keeps a "/" with no version number as another clause, not a result', () => {
    expect(clauses('amazonses.com; dmarc/=pass')).toEqual([{ kind: 'other', key: 'dmarc/', value: 'pass' }]);
    expect(clauses('amazonses.com; dmarc/ =pass header.from=b.example')).toEqual([{ kind: 'other', key: 'dmarc/', value: 'pass header.from=b.example' }]);
  });
});

describe('reasons', () => {
  it('reads a reason given as a token or a quoted string', () => {
    expect(clauses('amazonses.com; dmarc=fail reason="policy failed" header.from=b.example')).toEqual([
      { kind: 'result', method: 'dmarc', methodVersion: null, result: 'fail', reason: 'policy failed', properties: [{ ptype: 'header', property: 'from', value: 'b.example' }] },
    ]);
  });

  it('keeps a "reason=" with no value as another clause, not a result', () => {
    expect(clauses('amazonses.com; dmarc=pass reason=')).toEqual([{ kind: 'other', key: 'dmarc', value: 'pass reason=' }]);
    expect(clauses('amazonses.com; dmarc=pass reason=  ')).toEqual([{ kind: 'other', key: 'dmarc', value: 'pass reason=' }]);
  });
});

describe('keywords glued to what follows them', () => {
  it.each([
    ['a method', 'dmarc-=pass'],
    ['a method', 'dmarc@x=pass'],
    ['a method', 'dmarc_x=pass'],
    ['a result', 'dmarc=pass_x header.from=b.example'],
    ['a result', 'dmarc=pass@x'],
    ['a result', 'dmarc=pass- header.from=b.example'],
    ['a ptype', 'dmarc=pass header_x.from=b.example'],
    ['a ptype', 'dmarc=pass header-.from=b.example'],
    ['a property', 'dmarc=pass header.from_x=b.example'],
    ['a property', 'dmarc=pass header.from-=b.example'],
  ])('never reads %s glued to another character (%s) as a result', (_, clause) => {
    const parsed = parseAuthenticationResults(`amazonses.com; ${clause}`);
    expect(parsed).not.toBeNull();
    expect(parsed === null ? [] : resultsOf(parsed, 'dmarc')).toEqual([]);
    expect(parsed?.clauses).toHaveLength(1);
    expect(parsed?.clauses[0]?.kind).toBe('other');
  });

  it('reads keywords followed by white space, a comment, "=", "." or "/"', () => {
    expect(clauses('amazonses.com; dmarc(c)=(c)pass(c) header(c).(c)from(c)=b.example')).toEqual([
      { kind: 'result', method: 'dmarc', methodVersion: null, result: 'pass', reason: null, properties: [{ ptype: 'header', property: 'from', value: 'b.example' }] },
    ]);
    expect(clauses('amazonses.com; DMARC = Pass header . From = b.example')).toEqual([
      { kind: 'result', method: 'dmarc', methodVersion: null, result: 'pass', reason: null, properties: [{ ptype: 'header', property: 'from', value: 'b.example' }] },
    ]);
  });
});
