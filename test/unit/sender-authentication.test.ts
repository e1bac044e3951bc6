import { describe, expect, it } from 'vitest';
import { canonicalSender } from '../../lib/mail/canonical-address.js';
import { readRawHeaders } from '../../lib/mail/raw-headers.js';
import { sesAuthenticationResults } from '../../lib/screening/authentication-results.js';
import { authenticateSender, heloInjection, isAligned, type ReceiptAuthenticationVerdicts } from '../../lib/screening/sender-authentication.js';
import { headerLinesOf, trustFixture } from '../helpers/header-lines.js';

/** SES's header for a sender, as SES writes it (see the SES samples in the RFC 8601 parser's tests). */
const ses = (spf: string, envelopeFrom: string, dkim: string, dmarc: string) =>
  `amazonses.com; spf=${spf} (spfCheck: domain of x designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=${envelopeFrom}; helo=mx.sender.example; ${dkim}; ${dmarc};`;

function verdict(header: string | null, fromDomain: string | null, receipt?: ReceiptAuthenticationVerdicts) {
  return authenticateSender({ results: header === null ? null : sesAuthenticationResults([header]), fromDomain, ...(receipt ? { receipt } : {}) });
}

describe('authenticateSender', () => {
  it.each([
    // header, From domain, method that authenticates (or null), a word the detail must hold
    [ses('pass', 'alice@example.com', 'dkim=pass header.i=@example.com', 'dmarc=pass header.from=example.com'), 'example.com', 'dmarc', 'dmarc=pass'],
    [ses('none', 'a@x.example', 'dkim=none', 'dmarc=pass header.from=Example.COM'), 'example.com', 'dmarc', 'example.com'],
    [ses('none', 'a@x.example', 'dkim=pass header.i=@example.com', 'dmarc=none header.from=example.com'), 'example.com', 'dkim', 'aligned'],
    [ses('none', 'a@x.example', 'dkim=pass header.d=example.com header.i=@mail.example.com', 'dmarc=none'), 'mail.example.com', 'dkim', 'example.com'],
    [ses('none', 'a@x.example', 'dkim=pass header.d=bücher.example', 'dmarc=none'), 'xn--bcher-kva.example', 'dkim', 'xn--bcher-kva.example'],
    [ses('pass', 'bounce@example.com', 'dkim=none', 'dmarc=none header.from=example.com'), 'example.com', 'spf', 'spf=pass'],
    [ses('pass', 'bounce@bounces.example.com', 'dkim=none', 'dmarc=none'), 'bounces.example.com', 'spf', 'aligned'],
    ['example.com; spf=pass smtp.mailfrom=example.com', 'example.com', null, 'no Authentication-Results'],
    ['amazonses.com; spf=pass smtp.mailfrom=example.com', 'example.com', 'spf', 'spf=pass'],
    ['amazonses.com; spf=pass smtp.mailfrom=<bounce@example.com>', 'example.com', 'spf', 'spf=pass'],
    // DMARC fail is final, whatever DKIM and SPF say.
    [ses('pass', 'alice@example.com', 'dkim=pass header.i=@example.com', 'dmarc=fail header.from=example.com'), 'example.com', null, 'dmarc=fail'],
    // The dmarc-masked-by-envelope-from case.
    [ses('pass', 'dmarc=pass@attacker.example', 'dkim=none', 'dmarc=fail header.from=example.com'), 'example.com', null, 'dmarc=fail'],
    [ses('pass', 'dmarc=pass@attacker.example', 'dkim=none', 'dmarc=none header.from=example.com'), 'example.com', null, 'attacker.example, not aligned'],
    // The punycode-from case: no DMARC record for the look-alike, SPF for the attacker's domain.
    [ses('pass', 'mallory@attacker.example', 'dkim=none', 'dmarc=none header.from=xn--example-.com'), 'example.com', null, 'not aligned'],
    [ses('pass', 'a@x.example', 'dkim=none', 'dmarc=pass header.from=attacker.example'), 'example.com', null, 'not the From domain'],
    [ses('fail', 'alice@example.com', 'dkim=fail header.i=@example.com', 'dmarc=none'), 'example.com', null, 'spf=fail'],
    [ses('none', 'a@x.example', 'dkim=pass header.i=@mail.example.com', 'dmarc=none'), 'example.com', null, 'not aligned'],
    [ses('none', 'a@x.example', 'dkim=pass header.d=example.com.attacker.example', 'dmarc=none'), 'example.com', null, 'not aligned'],
    [ses('none', 'a@x.example', 'dkim=pass header.d=com', 'dmarc=none'), 'example.com', null, 'not aligned'],
    [ses('none', 'a@x.example', 'dkim=pass header.d=xn--example-.com', 'dmarc=none'), 'example.com', null, 'without a signing domain'],
    [ses('none', 'a@x.example', 'dkim=pass', 'dmarc=none'), 'example.com', null, 'without a signing domain'],
    [ses('pass', '"alice@example.com"@attacker.example', 'dkim=none', 'dmarc=none'), 'example.com', null, 'attacker.example'],
    // Injected clauses: a second dmarc or spf clause means the header was broken into.
    [ses('pass', 'x@attacker.example', 'dkim=none; dmarc=pass header.from=example.com', 'dmarc=fail header.from=example.com'), 'example.com', null, 'broke into'],
    [ses('pass', 'x@attacker.example', 'spf=pass smtp.mailfrom=example.com', 'dmarc=none'), 'example.com', null, 'broke into'],
    // Two envelope-from parts: the SPF domain is not readable.
    [ses('pass', 'x@attacker.example; envelope-from=x@example.com', 'dkim=none', 'dmarc=none'), 'example.com', null, 'without a readable envelope-from'],
    [null, 'example.com', null, 'no Authentication-Results'],
    [ses('pass', 'alice@example.com', 'dkim=pass header.i=@example.com', 'dmarc=pass header.from=example.com'), null, null, 'not comparable'],
  ])('%s, From domain %s → %s', (header, fromDomain, method, detail) => {
    const result = verdict(header, fromDomain);
    expect(result.authenticated ? result.method : null).toBe(method);
    expect(result.detail).toContain(detail);
  });

  it('uses DKIM only from a header with the one dkim clause SES writes', () => {
    const one = verdict('amazonses.com; spf=none smtp.mailfrom=x.example; dkim=pass header.d=example.com; dmarc=none', 'example.com');
    expect(one).toMatchObject({ authenticated: true, method: 'dkim', domain: 'example.com' });
    const unaligned = verdict('amazonses.com; dkim=pass header.d=esp.example; dmarc=none', 'example.com');
    expect(unaligned.authenticated).toBe(false);
    expect(unaligned.detail).toContain('dkim=pass for esp.example, not aligned with example.com');
    // A second dkim clause can only have come through a sender-chosen value (helo=x;dkim=pass …).
    const injected = verdict(ses('pass', 'm@attacker.example', 'dkim=pass header.d=example.com; dkim=none', 'dmarc=none header.from=example.com'), 'example.com');
    expect(injected.authenticated).toBe(false);
    expect(injected.detail).toContain('2 dkim clauses');
  });

  it('trusts nothing of the header when the HELO in SES\'s Received could have written into it', () => {
    const header = ses('pass', 'm@attacker.example', 'dkim=none', 'dmarc=pass header.from=example.com');
    const received = 'from x;dkim=pass(x)header.d=example.com (mx.attacker.example [192.0.2.1]) by inbound-smtp.eu-west-1.amazonaws.com with SMTP id abc for support@helpdesk.example; Thu, 26 Nov 2026 08:34:00 +0000';
    const result = authenticateSender({ results: sesAuthenticationResults([header]), fromDomain: 'example.com', sesReceived: received });
    expect(result).toMatchObject({ authenticated: false, detail: expect.stringContaining('HELO') });
    expect(heloInjection('from mx.sender.example (mx.sender.example [192.0.2.1]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id a for s@h.example; date')).toBeNull();
    expect(heloInjection('from [IPv6:2001:db8::1] (unknown [2001:db8::1]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id a for s@h.example; date')).toBeNull();
    expect(heloInjection('from x header.d=example.com (y [192.0.2.1]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id a for s@h.example; date')).not.toBeNull();
  });

  it('refuses the dmarc-masked-by-envelope-from mail as SES wrote it', async () => {
    const raw = readRawHeaders(await headerLinesOf(trustFixture('dmarc-masked-by-envelope-from.eml')));
    const sender = canonicalSender(raw.from);
    const result = authenticateSender({ results: sesAuthenticationResults(raw['authentication-results']), fromDomain: sender.comparable ? sender.domain : null });
    expect(result).toEqual({ authenticated: false, detail: "dmarc=fail for example.com: the domain's DMARC policy refuses this mail" });
  });
});

describe('isAligned', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['example.com', 'mail.example.com', true],
    ['example.com', 'a.b.example.com', true],
    ['mail.example.com', 'example.com', false],
    ['com', 'example.com', false],
    ['ample.com', 'example.com', false],
    ['example.com', 'example.com.attacker.example', false],
  ])('%s for From domain %s: %s', (authenticated, from, aligned) => {
    expect(isAligned(authenticated, from)).toBe(aligned);
  });
});
