/**
 * The exact verdicts of sender authentication (lib/screening/sender-authentication.ts): the detail
 * a skip record and the log carry for each path, so that an operator reads what SES said and what
 * failed. Complements sender-authentication.test.ts (which method authenticates which mail).
 */
import { describe, expect, it } from 'vitest';
import { parseAuthenticationResults } from '../../lib/screening/authentication-results.js';
import { authenticateSender, heloInjection, isAligned, type ReceiptAuthenticationVerdicts } from '../../lib/screening/sender-authentication.js';

function verdict(header: string, fromDomain: string | null = 'example.com', receipt?: ReceiptAuthenticationVerdicts, sesReceived?: string) {
  return authenticateSender({ results: parseAuthenticationResults(header), fromDomain, ...(receipt ? { receipt } : {}), ...(sesReceived === undefined ? {} : { sesReceived }) });
}

const refused = (detail: string) => ({ authenticated: false, detail });

describe('authenticateSender: details', () => {
  it('says why nothing can authenticate a From that is not comparable, or a mail without SES results', () => {
    expect(verdict('amazonses.com; dmarc=pass header.from=example.com', null)).toEqual(refused('the From address is not comparable, so nothing can authenticate it'));
    expect(authenticateSender({ results: null, fromDomain: 'example.com' })).toEqual(refused('no Authentication-Results of amazonses.com at the top of the mail'));
  });

  it('counts the clauses of a header a sender broke into', () => {
    expect(verdict('amazonses.com; dmarc=pass header.from=example.com; dmarc=pass header.from=example.com')).toEqual(
      refused("SES's Authentication-Results holds 2 dmarc and 0 spf clauses where SES writes one each: a sender-chosen value broke into it"),
    );
    expect(verdict('amazonses.com; spf=pass smtp.mailfrom=example.com; spf=pass smtp.mailfrom=example.com')).toEqual(
      refused("SES's Authentication-Results holds 0 dmarc and 2 spf clauses where SES writes one each: a sender-chosen value broke into it"),
    );
  });

  it('names the domain DMARC passed for', () => {
    expect(verdict('amazonses.com; dmarc=pass header.from=example.com')).toEqual({ authenticated: true, method: 'dmarc', domain: 'example.com', detail: 'dmarc=pass for example.com' });
  });

  it('lists what it saw when nothing authenticates, in order', () => {
    expect(verdict('amazonses.com; spf=softfail smtp.mailfrom=bounce@other.example; dkim=fail header.d=other.example; dmarc=none header.from=example.com')).toEqual(
      refused('From domain example.com not authenticated: dmarc=none; dkim=fail for other.example; spf=softfail for other.example'),
    );
    expect(verdict('amazonses.com; iprev=pass')).toEqual(refused('From domain example.com not authenticated: no dmarc result; no dkim result; no spf result'));
  });

  it('says DMARC passed for another domain, or for none', () => {
    expect(verdict('amazonses.com; dmarc=pass header.from=other.example')).toEqual(
      refused('From domain example.com not authenticated: dmarc=pass for other.example, not the From domain example.com; no dkim result; no spf result'),
    );
    expect(verdict('amazonses.com; dmarc=pass')).toEqual(
      refused('From domain example.com not authenticated: dmarc=pass for no header.from, not the From domain example.com; no dkim result; no spf result'),
    );
  });

  it('names the domain of a DMARC fail, or the From domain when the clause names none', () => {
    expect(verdict('amazonses.com; dmarc=fail header.from=example.com')).toEqual(refused("dmarc=fail for example.com: the domain's DMARC policy refuses this mail"));
    expect(verdict('amazonses.com; dmarc=fail')).toEqual(refused("dmarc=fail for example.com: the domain's DMARC policy refuses this mail"));
  });

  it("refuses on a DMARC FAIL of SES's receipt, whatever the header says", () => {
    expect(verdict('amazonses.com; dmarc=pass header.from=example.com', 'example.com', { dmarc: ' fail ' })).toEqual(
      refused("DMARC FAIL in SES's receipt: the domain's DMARC policy refuses this mail"),
    );
  });

  it('notes a pass in the header that the receipt contradicts, and goes on to the next method', () => {
    expect(verdict('amazonses.com; dmarc=pass header.from=example.com; dkim=pass header.d=example.com', 'example.com', { dmarc: 'GRAY' })).toEqual({
      authenticated: true,
      method: 'dkim',
      domain: 'example.com',
      detail: 'dkim=pass for example.com, aligned with example.com',
    });
    expect(verdict('amazonses.com; dmarc=pass header.from=example.com', 'example.com', { dmarc: 'PROCESSING_FAILED' })).toEqual(
      refused("From domain example.com not authenticated: dmarc pass in the header but PROCESSING_FAILED in SES's receipt; no dkim result; no spf result"),
    );
    expect(verdict('amazonses.com; dkim=pass header.d=example.com', 'example.com', { dkim: 'fail' })).toEqual(
      refused("From domain example.com not authenticated: no dmarc result; dkim pass in the header but FAIL in SES's receipt; no spf result"),
    );
    expect(verdict('amazonses.com; spf=pass smtp.mailfrom=example.com', 'example.com', { spf: 'gray' })).toEqual(
      refused("From domain example.com not authenticated: no dmarc result; no dkim result; spf pass in the header but GRAY in SES's receipt"),
    );
  });

  it('takes a receipt PASS as agreeing, in any case and spacing', () => {
    expect(verdict('amazonses.com; spf=pass smtp.mailfrom=example.com', 'example.com', { spf: ' pass ' })).toMatchObject({ authenticated: true, method: 'spf' });
  });

  it('says what DKIM lacked', () => {
    expect(verdict('amazonses.com; dkim=pass')).toEqual(refused('From domain example.com not authenticated: no dmarc result; dkim=pass without a signing domain; no spf result'));
    expect(verdict('amazonses.com; dkim=pass header.d=other.example')).toEqual(
      refused('From domain example.com not authenticated: no dmarc result; dkim=pass for other.example, not aligned with example.com; no spf result'),
    );
    expect(verdict('amazonses.com; dkim=neutral')).toEqual(refused('From domain example.com not authenticated: no dmarc result; dkim=neutral; no spf result'));
    expect(verdict('amazonses.com; dkim=pass header.d=example.com; dkim=pass header.d=example.com')).toEqual(
      refused('From domain example.com not authenticated: no dmarc result; 2 dkim clauses where SES writes one: DKIM not used; no spf result'),
    );
  });

  it('takes the signing domain from header.i when there is no header.d, and header.d first', () => {
    expect(verdict('amazonses.com; dkim=pass header.i=alice@example.com')).toMatchObject({ authenticated: true, method: 'dkim', domain: 'example.com' });
    expect(verdict('amazonses.com; dkim=pass header.d=other.example header.i=@example.com')).toMatchObject({ authenticated: false });
  });

  it('says what SPF lacked', () => {
    expect(verdict('amazonses.com; spf=pass')).toEqual(refused('From domain example.com not authenticated: no dmarc result; no dkim result; spf=pass without a readable envelope-from'));
    expect(verdict('amazonses.com; spf=pass smtp.mailfrom=<bounce@other.example>')).toEqual(
      refused('From domain example.com not authenticated: no dmarc result; no dkim result; spf=pass for other.example, not aligned with example.com'),
    );
    expect(verdict('amazonses.com; spf=fail')).toEqual(refused('From domain example.com not authenticated: no dmarc result; no dkim result; spf=fail'));
  });

  it('reads the envelope-from SES writes after its spf clause, only once and only up to the next result', () => {
    expect(verdict('amazonses.com; spf=pass client-ip=192.0.2.1; envelope-from=bounce@example.com; helo=mx.example.com;')).toEqual({
      authenticated: true,
      method: 'spf',
      domain: 'example.com',
      detail: 'spf=pass for example.com, aligned with example.com',
    });
    expect(verdict('amazonses.com; spf=pass client-ip=192.0.2.1; envelope-from=a@example.com; envelope-from=b@example.com;')).toMatchObject({ authenticated: false });
    expect(verdict('amazonses.com; spf=pass client-ip=192.0.2.1; dkim=none; envelope-from=bounce@example.com;')).toMatchObject({ authenticated: false });
  });

  it('prefers smtp.mailfrom to the envelope-from part', () => {
    expect(verdict('amazonses.com; spf=pass smtp.mailfrom=bounce@other.example; envelope-from=bounce@example.com;')).toMatchObject({ authenticated: false });
  });

  it('distrusts the whole header when the HELO could have written into it', () => {
    const received = 'from x;dkim=pass (mx.example [192.0.2.1]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id abc for a@helpdesk.example; Mon, 1 Dec 2026 00:00:00 +0000';
    expect(verdict('amazonses.com; dmarc=pass header.from=example.com', 'example.com', undefined, received)).toEqual(
      refused(`the HELO SES recorded (x;dkim=pass (mx.example [192.0.2.1])) holds ";" or "=": it could have written clauses into SES's Authentication-Results`),
    );
  });
});

describe('heloInjection', () => {
  const received = (helo: string) => `from ${helo} (rdns.example [192.0.2.1]) by inbound-smtp.eu-west-1.amazonaws.com with SMTP id abc for a@x.example; date`;

  it('finds ; or = in the part the sender chose, cut to 80 characters', () => {
    expect(heloInjection(received('a=b'))).toContain('(a=b (rdns.example [192.0.2.1]))');
    const long = `${'h'.repeat(100)};`;
    expect(heloInjection(received(long))).toContain(`(${'h'.repeat(80)})`);
  });

  it('finds nothing in an honest HELO, a header not SES wrote, or none', () => {
    expect(heloInjection(received('mx.sender.example'))).toBeNull();
    expect(heloInjection('from a;b by mx.other.example with SMTP id x for y; date')).toBeNull();
    expect(heloInjection(undefined)).toBeNull();
  });

  it('reads only up to SES, not the for clause after it', () => {
    expect(heloInjection('from mx.sender.example by inbound-smtp.eu-west-1.amazonaws.com with SMTP id abc for "a=b"@x.example; date')).toBeNull();
  });
});

describe('isAligned', () => {
  it('takes the same domain, or a parent with at least two labels', () => {
    expect(isAligned('example.com', 'example.com')).toBe(true);
    expect(isAligned('example.com', 'mail.example.com')).toBe(true);
    expect(isAligned('mail.example.com', 'example.com')).toBe(false);
    expect(isAligned('com', 'example.com')).toBe(false);
    expect(isAligned('ample.com', 'example.com')).toBe(false);
  });
});

describe('authenticateSender: the envelope-from as written', () => {
  it('takes angle brackets only around the whole value', () => {
    const detail = 'From domain example.com not authenticated: no dmarc result; no dkim result; spf=pass without a readable envelope-from';
    expect(verdict('amazonses.com; spf=pass smtp.mailfrom=x<bounce@example.com>')).toEqual(refused(detail));
    expect(verdict('amazonses.com; spf=pass smtp.mailfrom=<bounce@example.com>x')).toEqual(refused(detail));
  });
});
