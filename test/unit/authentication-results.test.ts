import { describe, expect, it } from 'vitest';
import { readRawHeaders } from '../../lib/mail/raw-headers.js';
import {
  parseAuthenticationResults,
  propertyOf,
  resultsOf,
  sesAuthenticationResults,
  type AuthenticationResults,
} from '../../lib/screening/authentication-results.js';
import { headerLinesOf, trustFixture } from '../helpers/header-lines.js';

function parse(value: string): AuthenticationResults {
  const parsed = parseAuthenticationResults(value);
  if (parsed === null) throw new Error(`does not parse: ${value}`);
  return parsed;
}

/** `method=result ptype.property=value …` of every result clause, for compact expectations. */
function summary(parsed: AuthenticationResults): string[] {
  return parsed.clauses.map((clause) =>
    clause.kind === 'result'
      ? [`${clause.method}=${clause.result}`, ...(clause.reason === null ? [] : [`reason=${clause.reason}`]), ...clause.properties.map((p) => `${p.ptype}.${p.property}=${p.value}`)].join(' ')
      : `other ${clause.key ?? '-'}: ${clause.value}`,
  );
}

describe('parseAuthenticationResults: RFC 8601 Appendix B', () => {
  it('B.2: service provided, no authentication done', () => {
    expect(parse('example.org 1; none')).toEqual({ authservId: 'example.org', version: 1, none: true, clauses: [] });
  });

  it('B.3: service provided, authentication done', () => {
    const parsed = parse('example.com;\r\n          spf=pass smtp.mailfrom=example.net');
    expect(parsed.authservId).toBe('example.com');
    expect(parsed.version).toBeNull();
    expect(summary(parsed)).toEqual(['spf=pass smtp.mailfrom=example.net']);
  });

  it('B.4: several authentications done, single MTA', () => {
    expect(summary(parse('example.com;\r\n auth=pass (cram-md5) smtp.auth=sender@example.net;\r\n spf=pass smtp.mailfrom=example.net'))).toEqual([
      'auth=pass smtp.auth=sender@example.net',
      'spf=pass smtp.mailfrom=example.net',
    ]);
    expect(summary(parse('example.com; iprev=pass\r\n policy.iprev=192.0.2.200'))).toEqual(['iprev=pass policy.iprev=192.0.2.200']);
  });

  it('B.5: several authentications done, different MTAs', () => {
    expect(summary(parse('example.com;\r\n dkim=pass (good signature) header.d=example.com'))).toEqual(['dkim=pass header.d=example.com']);
    expect(summary(parse('example.com;\r\n auth=pass (cram-md5) smtp.auth=sender@example.com;\r\n spf=fail smtp.mailfrom=example.com'))).toEqual([
      'auth=pass smtp.auth=sender@example.com',
      'spf=fail smtp.mailfrom=example.com',
    ]);
  });

  it('B.6: multi-tiered authentication, with reasons', () => {
    const parsed = parse(
      'example.com;\r\n    dkim=pass reason="good signature"\r\n      header.i=@mail-router.example.net;\r\n    dkim=fail reason="bad signature"\r\n      header.i=@newyork.example.com',
    );
    expect(summary(parsed)).toEqual([
      'dkim=pass reason=good signature header.i=@mail-router.example.net',
      'dkim=fail reason=bad signature header.i=@newyork.example.com',
    ]);
    expect(resultsOf(parsed, 'dkim')).toHaveLength(2);
  });

  it('B.7: the comment-heavy example', () => {
    const parsed = parse(
      'foo.example.net (foobar) 1 (baz);\r\n    dkim (Because I like it) / 1 (One yay) = (wait for it) fail\r\n      policy (A dot can go here) . (like that) expired\r\n      (this surprised me) = (as I wasn\'t expecting it) 1362471462',
    );
    expect(parsed).toEqual({
      authservId: 'foo.example.net',
      version: 1,
      none: false,
      clauses: [
        {
          kind: 'result',
          method: 'dkim',
          methodVersion: 1,
          result: 'fail',
          reason: null,
          properties: [{ ptype: 'policy', property: 'expired', value: '1362471462' }],
        },
      ],
    });
  });
});

describe('parseAuthenticationResults: grammar', () => {
  it('reads SES\'s header: the spf clause, its envelope-from and helo parts, dkim and dmarc', () => {
    const parsed = parse(
      'amazonses.com; spf=pass (spfCheck: domain of _spf.google.com designates 209.85.222.52 as permitted sender) client-ip=209.85.222.52; envelope-from=bounces+7053930-4552=dwell.io@sendgrid.net; helo=mail-ua1-f52.google.com; dkim=pass header.i=@gmail.com; dmarc=pass header.from=gmail.com;',
    );
    expect(summary(parsed)).toEqual([
      'spf=pass .client-ip=209.85.222.52',
      'other envelope-from: bounces+7053930-4552=dwell.io@sendgrid.net',
      'other helo: mail-ua1-f52.google.com',
      'dkim=pass header.i=@gmail.com',
      'dmarc=pass header.from=gmail.com',
    ]);
  });

  it('never reads a method name inside a property value or a sender-chosen value', () => {
    for (const value of [
      'amazonses.com; spf=pass smtp.mailfrom=dmarc=pass@attacker.example; dmarc=fail header.from=example.com',
      'amazonses.com; spf=pass (x) client-ip=192.0.2.1; envelope-from=dmarc=pass@attacker.example; helo=dmarc=pass; dkim=none; dmarc=fail header.from=example.com;',
      'amazonses.com; spf=pass smtp.mailfrom="x;dmarc=pass"@attacker.example; dmarc=fail header.from=example.com',
      'amazonses.com; spf=pass (dmarc=pass; dkim=pass) smtp.helo=x; dmarc=fail header.from=example.com',
      'amazonses.com; dmarc=fail reason="dmarc=pass; ok" header.from=example.com',
    ]) {
      const dmarc = resultsOf(parse(value), 'dmarc');
      expect(dmarc.map((clause) => clause.result), value).toEqual(['fail']);
    }
    const spf = resultsOf(parse('example.com; spf=pass smtp.mailfrom=dmarc=pass@attacker.example'), 'spf')[0];
    expect(spf && propertyOf(spf, 'smtp', 'mailfrom')).toBe('dmarc=pass@attacker.example');
  });

  it('reads nested comments and comments holding semicolons, quotes and parentheses', () => {
    const parsed = parse('example.com (a (nested; "comment") here); dkim=pass (sig (1) ok; \\) still) header.d=example.com (end (of) it)');
    expect(summary(parsed)).toEqual(['dkim=pass header.d=example.com']);
  });

  it('reads quoted values, with quoted pairs, and a quoted authserv-id', () => {
    const parsed = parse('"mx.google.com"; dkim=pass header.i=@email.example.com header.s=20111006 header.b="URn9MW+F" (comment); spf=pass smtp.mailfrom="a \\"b\\" c"@example.net');
    expect(parsed.authservId).toBe('mx.google.com');
    expect(summary(parsed)).toEqual([
      'dkim=pass header.i=@email.example.com header.s=20111006 header.b=URn9MW+F',
      'spf=pass smtp.mailfrom="a \\"b\\" c"@example.net',
    ]);
  });

  it('keeps several clauses of one method in order', () => {
    const parsed = parse('example.com; dkim=pass header.d=a.example; dkim=fail header.d=b.example; dkim=pass header.d=c.example');
    expect(resultsOf(parsed, 'dkim').map((clause) => propertyOf(clause, 'header', 'd'))).toEqual(['a.example', 'b.example', 'c.example']);
  });

  it('reads method, result and property names in any case', () => {
    expect(summary(parse('Example.COM; DMARC=Fail Header.From=Example.com'))).toEqual(['dmarc=fail header.from=Example.com']);
  });

  it('tells "none" from a method that starts with it', () => {
    expect(parse('example.com 1; NONE (no checks run)').none).toBe(true);
    const parsed = parse('example.com; nonexistent=pass');
    expect(parsed.none).toBe(false);
    expect(summary(parsed)).toEqual(['nonexistent=pass']);
    expect(parse('example.com; none (a=b; dmarc=fail)').clauses).toEqual([]);
  });

  it('refuses a header whose quoted string or comment is never closed', () => {
    expect(parseAuthenticationResults('amazonses.com; spf=pass (x client-ip=1; dkim=none; dmarc=pass header.from=example.com')).toBeNull();
    expect(parseAuthenticationResults('amazonses.com; spf=pass smtp.mailfrom="x; dmarc=pass header.from=example.com')).toBeNull();
    expect(parseAuthenticationResults('')).toBeNull();
    expect(parseAuthenticationResults('; dmarc=pass')).toBeNull();
    expect(parseAuthenticationResults('example.com garbage; dmarc=pass')).toBeNull();
  });

  it('reads hostile sizes in linear time, without recursion', () => {
    const deep = `${'('.repeat(200_000)}${')'.repeat(200_000)}`;
    expect(summary(parse(`example.com ${deep}; dmarc=pass ${deep} header.from=example.com`))).toEqual(['dmarc=pass header.from=example.com']);
    expect(parse(`example.com${'; dkim=pass header.d=x.example'.repeat(20_000)}`).clauses).toHaveLength(20_000);
  });

  it('keeps a clause that breaks the grammar as another part, not as a result', () => {
    expect(summary(parse('example.com; dmarc = pass header.from; spf=pass.x; dkim=pass header.d=x.example header.b'))).toEqual([
      'other dmarc: pass header.from',
      'other spf: pass.x',
      'other dkim: pass header.d=x.example header.b',
    ]);
  });
});

describe('propertyOf', () => {
  it('gives a property written once, or twice alike; null when absent or contradictory', () => {
    const [clause] = resultsOf(parse('example.com; dmarc=pass header.from=a.example header.from=a.example policy.dmarc=none'), 'dmarc');
    expect(clause && propertyOf(clause, 'header', 'from')).toBe('a.example');
    expect(clause && propertyOf(clause, 'smtp', 'mailfrom')).toBeNull();
    const [twice] = resultsOf(parse('example.com; dmarc=pass header.from=attacker.example header.from=example.com'), 'dmarc');
    expect(twice && propertyOf(twice, 'header', 'from')).toBeNull();
  });
});

describe('sesAuthenticationResults', () => {
  it('reads only the topmost header, and only when SES wrote it', () => {
    const ses = 'amazonses.com; dmarc=fail header.from=example.com';
    const forged = 'amazonses.com; dmarc=pass header.from=example.com';
    expect(sesAuthenticationResults([ses, forged])?.clauses).toEqual(parse(ses).clauses);
    expect(sesAuthenticationResults(['mx.example.net; dmarc=pass header.from=example.com', forged])).toBeNull();
    expect(sesAuthenticationResults(['AmazonSES.com; dmarc=pass header.from=example.com'])?.authservId).toBe('amazonses.com');
    expect(sesAuthenticationResults([])).toBeNull();
    expect(sesAuthenticationResults(undefined)).toBeNull();
  });

  it('reads dmarc=fail from the dmarc-masked-by-envelope-from case', async () => {
    const raw = readRawHeaders(await headerLinesOf(trustFixture('dmarc-masked-by-envelope-from.eml')));
    const parsed = sesAuthenticationResults(raw['authentication-results']);
    expect(parsed).not.toBeNull();
    expect(resultsOf(parsed as AuthenticationResults, 'dmarc').map((clause) => [clause.result, propertyOf(clause, 'header', 'from')])).toEqual([
      ['fail', 'example.com'],
    ]);
    expect(summary(parsed as AuthenticationResults)).toContain('other envelope-from: dmarc=pass@attacker.example');
  });
});
