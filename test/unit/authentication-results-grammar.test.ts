/**
 * The whole structure the RFC 8601 parser (lib/screening/authentication-results.ts) gives for
 * headers at the edges of its grammar: versions, method versions, reasons, properties with and
 * without a ptype, quoted values, glued keywords, `none`, empty and non-resinfo parts, and which
 * header counts as SES's. Each case compares the full parse, not one field of it.
 */
import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults, propertyOf, resultsOf, sesAuthenticationResults, type ResultClause } from '../../lib/screening/authentication-results.js';

const result = (method: string, value: string, extra: Partial<ResultClause> = {}): ResultClause => ({
  kind: 'result',
  method,
  methodVersion: null,
  result: value,
  reason: null,
  properties: [],
  ...extra,
});

describe('parseAuthenticationResults: the head', () => {
  it('reads the authserv-id in lower case, quoted or not, and a version after it', () => {
    expect(parseAuthenticationResults('MX.Example 1; spf=pass')).toEqual({ authservId: 'mx.example', version: 1, none: false, clauses: [result('spf', 'pass')] });
    expect(parseAuthenticationResults(' (comment) "mx.example" (c) 12 (c) ')).toEqual({ authservId: 'mx.example', version: 12, none: false, clauses: [] });
  });

  it('refuses a head with anything but a version after the authserv-id, or no authserv-id', () => {
    expect(parseAuthenticationResults('mx.example one; spf=pass')).toBeNull();
    expect(parseAuthenticationResults('mx.example 1 2; spf=pass')).toBeNull();
    expect(parseAuthenticationResults('; spf=pass')).toBeNull();
    expect(parseAuthenticationResults('"" ; spf=pass')).toBeNull();
  });

  it('refuses a header whose quoted string or comment never closes, and reads escaped ones', () => {
    expect(parseAuthenticationResults('mx.example; spf=pass reason="open')).toBeNull();
    expect(parseAuthenticationResults('mx.example; spf=pass (open')).toBeNull();
    expect(parseAuthenticationResults('mx.example; spf=pass reason="a \\" ; b" (c \\) ; d)')).toEqual({
      authservId: 'mx.example',
      version: null,
      none: false,
      clauses: [result('spf', 'pass', { reason: 'a " ; b' })],
    });
  });
});

describe('parseAuthenticationResults: clauses', () => {
  const clauses = (value: string) => parseAuthenticationResults(`mx.example; ${value}`)?.clauses;

  it('reads a method version', () => {
    expect(clauses('dkim / 1 = pass')).toEqual([result('dkim', 'pass', { methodVersion: 1 })]);
    expect(clauses('dkim/x=pass')).toEqual([{ kind: 'other', key: 'dkim/x', value: 'pass' }]);
  });

  it('reads a reason only first, before any property', () => {
    expect(clauses('spf=fail reason="no such ip" smtp.mailfrom=a@b.example')).toEqual([
      result('spf', 'fail', { reason: 'no such ip', properties: [{ ptype: 'smtp', property: 'mailfrom', value: 'a@b.example' }] }),
    ]);
    expect(clauses('spf=fail smtp.mailfrom=a@b.example reason=late')).toEqual([
      result('spf', 'fail', { properties: [{ ptype: 'smtp', property: 'mailfrom', value: 'a@b.example' }, { ptype: '', property: 'reason', value: 'late' }] }),
    ]);
    expect(clauses('spf=fail reason=token reason=again')).toEqual([result('spf', 'fail', { reason: 'token', properties: [{ ptype: '', property: 'reason', value: 'again' }] })]);
  });

  it('reads properties with and without a ptype, in lower case, with values as written', () => {
    expect(clauses('SPF=PASS (x) Client-IP=192.0.2.1 SMTP.MailFrom=Bounce@B.example')).toEqual([
      result('spf', 'pass', {
        properties: [
          { ptype: '', property: 'client-ip', value: '192.0.2.1' },
          { ptype: 'smtp', property: 'mailfrom', value: 'Bounce@B.example' },
        ],
      }),
    ]);
  });

  it('keeps the quotes of a quoted local part before an @, and drops them otherwise', () => {
    expect(clauses('spf=pass smtp.mailfrom="a b"@b.example header.s="sel one"')).toEqual([
      result('spf', 'pass', {
        properties: [
          { ptype: 'smtp', property: 'mailfrom', value: '"a b"@b.example' },
          { ptype: 'header', property: 's', value: 'sel one' },
        ],
      }),
    ]);
    expect(clauses('spf=pass smtp.mailfrom=x"a;b"y')).toEqual([result('spf', 'pass', { properties: [{ ptype: 'smtp', property: 'mailfrom', value: 'x"a;b"y' }] })]);
  });

  it('ends a value at white space or a comment', () => {
    expect(clauses('dkim=pass header.d=b.example(comment)header.s=s1')).toEqual([
      result('dkim', 'pass', {
        properties: [
          { ptype: 'header', property: 'd', value: 'b.example' },
          { ptype: 'header', property: 's', value: 's1' },
        ],
      }),
    ]);
  });

  it('keeps a part that breaks the grammar as another part, with its key and value', () => {
    expect(clauses('spf=pass!x')).toEqual([{ kind: 'other', key: 'spf', value: 'pass!x' }]);
    expect(clauses('spf=pass header.=x')).toEqual([{ kind: 'other', key: 'spf', value: 'pass header.=x' }]);
    expect(clauses('spf=pass header.d x')).toEqual([{ kind: 'other', key: 'spf', value: 'pass header.d x' }]);
    expect(clauses('spf=pass smtp.mailfrom=')).toEqual([{ kind: 'other', key: 'spf', value: 'pass smtp.mailfrom=' }]);
    expect(clauses('spf=')).toEqual([{ kind: 'other', key: 'spf', value: '' }]);
    expect(clauses('=pass')).toEqual([{ kind: 'other', key: '', value: 'pass' }]);
    expect(clauses('Envelope-From = A@B.example (c)')).toEqual([{ kind: 'other', key: 'envelope-from', value: 'A@B.example' }]);
    expect(clauses('helo (c)  mx.b.example')).toEqual([{ kind: 'other', key: null, value: 'helo mx.b.example' }]);
  });

  it('ignores empty parts and reads none in any case', () => {
    expect(parseAuthenticationResults('mx.example; ; (only a comment) ; NONE ;')).toEqual({ authservId: 'mx.example', version: null, none: true, clauses: [] });
  });
});

describe('resultsOf and propertyOf', () => {
  const parsed = parseAuthenticationResults('mx.example; dkim=pass header.d=a.example header.d=a.example; spf=pass smtp.mailfrom=a@x smtp.mailfrom=b@x; dkim=fail; envelope-from=a@x') as NonNullable<
    ReturnType<typeof parseAuthenticationResults>
  >;

  it('gives the result clauses of a method in order, whatever case it is asked in', () => {
    expect(resultsOf(parsed, 'DKIM').map((c) => c.result)).toEqual(['pass', 'fail']);
    expect(resultsOf(parsed, 'envelope-from')).toEqual([]);
  });

  it('gives a property written once or twice alike, asked in any case; null when contradictory or absent', () => {
    const [dkim] = resultsOf(parsed, 'dkim');
    const [spf] = resultsOf(parsed, 'spf');
    expect(propertyOf(dkim as ResultClause, 'Header', 'D')).toBe('a.example');
    expect(propertyOf(spf as ResultClause, 'smtp', 'mailfrom')).toBeNull();
    expect(propertyOf(dkim as ResultClause, 'header', 'i')).toBeNull();
  });
});

describe('sesAuthenticationResults', () => {
  it("reads the topmost header when SES wrote it, in any case", () => {
    expect(sesAuthenticationResults(['AmazonSES.com; spf=pass', 'mx.example; dkim=pass'])?.clauses).toEqual([result('spf', 'pass')]);
  });

  it('answers null without a header, for a header of another writer, and for one that does not parse', () => {
    expect(sesAuthenticationResults(undefined)).toBeNull();
    expect(sesAuthenticationResults([])).toBeNull();
    expect(sesAuthenticationResults(['mx.example; spf=pass', 'amazonses.com; spf=pass'])).toBeNull();
    expect(sesAuthenticationResults(['amazonses.com; spf=pass reason="open'])).toBeNull();
  });
});

describe('parseAuthenticationResults: escapes, folds and separators', () => {
  const clauses = (value: string) => parseAuthenticationResults(`mx.example; ${value}`)?.clauses;

  it('takes a backslash outside quotes and comments as a character, so a ; after it still separates', () => {
    expect(clauses('helo=a\\; spf=pass')).toEqual([{ kind: 'other', key: 'helo', value: 'a\\' }, result('spf', 'pass')]);
  });

  it('drops the line breaks of a folded quoted string', () => {
    expect(clauses('spf=fail reason="a\r\n b"')).toEqual([result('spf', 'fail', { reason: 'a b' })]);
  });

  it('keeps white space inside a quoted part of a value', () => {
    expect(clauses('spf=pass smtp.mailfrom=x"a b"y')).toEqual([result('spf', 'pass', { properties: [{ ptype: 'smtp', property: 'mailfrom', value: 'x"a b"y' }] })]);
  });

  it('needs white space or a comment between a reason and a property', () => {
    expect(clauses('spf=fail reason="x"header.d=y')).toEqual([{ kind: 'other', key: 'spf', value: 'fail reason="x"header.d=y' }]);
    expect(clauses('spf=fail reason="x" header.d=y')).toEqual([result('spf', 'fail', { reason: 'x', properties: [{ ptype: 'header', property: 'd', value: 'y' }] })]);
  });

  it('keeps a quoted string of another part as written, its comment-like text included, white space collapsed', () => {
    expect(clauses('helo="a  (b) c"  (comment)  x')).toEqual([{ kind: 'other', key: 'helo', value: '"a (b) c" x' }]);
  });

  it('reads a property only of the ptype asked for', () => {
    const [dkim] = resultsOf(parseAuthenticationResults('mx.example; dkim=pass policy.d=x.example header.d=y.example') as NonNullable<ReturnType<typeof parseAuthenticationResults>>, 'dkim');
    expect(propertyOf(dkim as ResultClause, 'header', 'd')).toBe('y.example');
    expect(propertyOf(dkim as ResultClause, 'policy', 'd')).toBe('x.example');
  });
});

describe('parseAuthenticationResults: no white space at all', () => {
  it('reads clauses written without any white space', () => {
    expect(parseAuthenticationResults('mx.example;spf=pass;dkim=fail')?.clauses).toEqual([result('spf', 'pass'), result('dkim', 'fail')]);
  });
});
