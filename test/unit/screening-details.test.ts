/**
 * What the screening tells the operator, and the edges of its checks: the exact skip details, the
 * source of each verdict (receipt or headers), verdict values read case- and space-insensitively,
 * and which loop and DMARC signals count. Complements screening.test.ts (the order of the checks).
 */
import { describe, expect, it } from 'vitest';
import { readMailHeaders } from '../../lib/mail/headers.js';
import type { MailHeaders } from '../../lib/mail/record.js';
import { screenMail, type ScreeningPolicy } from '../../lib/screening/screen.js';
import { readVerdicts, type MailVerdicts } from '../../lib/screening/verdicts.js';

function headers(fields: Partial<MailHeaders> = {}): MailHeaders {
  const from = fields.from ?? { address: 'alice@example.com', name: '' };
  return { ...readMailHeaders(new Map()), from, headerCount: 5, ...fields, raw: { from: [`<${from.address}>`], ...fields.raw } };
}

const policy: ScreeningPolicy = {
  ownAddresses: new Set(['support@helpdesk.example', 'billing@helpdesk.example']),
  loopHeader: 'x-helpdesk-loop',
  skipAutoReplies: true,
  skipSpam: true,
  dmarcWithoutPolicy: 'skip',
};

const verdicts = (fields: Partial<MailVerdicts> = {}): MailVerdicts => ({ virus: null, spam: null, dmarc: null, dmarcPolicy: null, source: 'headers', ...fields });

describe('readVerdicts', () => {
  it('reads every receipt verdict trimmed and in lower case, absent ones as null', () => {
    expect(readVerdicts({ virus: ' FAIL ', spam: 'Pass', dmarc: 'GRAY', dmarcPolicy: ' Quarantine' }, headers())).toEqual({
      virus: 'fail',
      spam: 'pass',
      dmarc: 'gray',
      dmarcPolicy: 'quarantine',
      source: 'receipt',
    });
    expect(readVerdicts({}, headers())).toEqual({ virus: null, spam: null, dmarc: null, dmarcPolicy: null, source: 'receipt' });
  });

  it('ignores the headers when there is a receipt', () => {
    const fromHeaders = headers({ extra: { 'x-ses-virus-verdict': ['FAIL'], 'x-ses-spam-verdict': ['FAIL'] }, raw: { 'authentication-results': ['amazonses.com; dmarc=fail'] } });
    expect(readVerdicts({ virus: 'PASS' }, fromHeaders)).toEqual({ virus: 'pass', spam: null, dmarc: null, dmarcPolicy: null, source: 'receipt' });
  });

  it('reads the header verdicts trimmed and in lower case; no DMARC policy from headers', () => {
    const read = readVerdicts(undefined, headers({ extra: { 'x-ses-virus-verdict': [' Fail '], 'x-ses-spam-verdict': ['PASS'] }, raw: { 'authentication-results': ['amazonses.com; dmarc=pass'] } }));
    expect(read).toEqual({ virus: 'fail', spam: 'pass', dmarc: 'pass', dmarcPolicy: null, source: 'headers' });
  });

  it('reads nothing from headers that say nothing', () => {
    expect(readVerdicts(undefined, headers())).toEqual({ virus: null, spam: null, dmarc: null, dmarcPolicy: null, source: 'headers' });
  });

  it('takes the first dmarc clause of SES, and a fail among several wherever it is', () => {
    const read = (header: string) => readVerdicts(undefined, headers({ raw: { 'authentication-results': [header] } })).dmarc;
    expect(read('amazonses.com; dmarc=none; dmarc=pass')).toBe('none');
    expect(read('amazonses.com; dmarc=pass; dmarc=fail')).toBe('fail');
    expect(read('amazonses.com; spf=fail; dkim=fail')).toBeNull();
  });
});

describe('screenMail: details', () => {
  it('names the virus verdict and where it came from', () => {
    expect(screenMail(headers(), verdicts({ virus: 'fail', source: 'receipt' }), policy)).toEqual({ reason: 'virus', detail: 'SES virus verdict FAIL (receipt)' });
    expect(screenMail(headers(), verdicts({ virus: 'fail' }), policy)).toEqual({ reason: 'virus', detail: 'SES virus verdict FAIL (headers)' });
    expect(screenMail(headers(), verdicts({ virus: 'pass' }), policy)).toBeNull();
  });

  it('calls a bounce a delivery status notification', () => {
    const report = headers({ contentType: { value: 'message/delivery-status', params: {} } });
    expect(screenMail(report, verdicts(), policy)).toEqual({ reason: 'bounce', detail: 'a delivery status notification' });
  });

  it('names our own address a loop came from', () => {
    const ours = headers({ from: { address: 'Billing@Helpdesk.example', name: '' } });
    expect(screenMail(ours, verdicts(), policy)).toEqual({ reason: 'loop', detail: 'sent from our own address billing@helpdesk.example' });
  });

  it('quotes our loop header, cut at 80 characters, even when empty', () => {
    const long = 'x'.repeat(100);
    expect(screenMail(headers({ extra: { 'x-helpdesk-loop': [long] } }), verdicts(), policy)).toEqual({ reason: 'loop', detail: `carries our loop header x-helpdesk-loop: ${'x'.repeat(80)}` });
    expect(screenMail(headers({ extra: { 'x-helpdesk-loop': [''] } }), verdicts(), policy)).toEqual({ reason: 'loop', detail: 'carries our loop header x-helpdesk-loop: ' });
  });

  it('takes an X-Loop naming one of our addresses in any case and any of its values, cut at 80 characters', () => {
    const value = `BILLING@HELPDESK.EXAMPLE ${'y'.repeat(100)}`;
    expect(screenMail(headers({ extra: { 'x-loop': ['list@lists.example', value] } }), verdicts(), policy)).toEqual({ reason: 'loop', detail: `X-Loop: ${value.slice(0, 80)}` });
  });

  it('lets through an X-Loop that names someone else', () => {
    expect(screenMail(headers({ extra: { 'x-loop': ['list@lists.example'] } }), verdicts(), policy)).toBeNull();
  });

  it('passes the auto-reply reason on as the detail', () => {
    expect(screenMail(headers({ extra: { precedence: ['bulk'] } }), verdicts(), policy)).toEqual({ reason: 'auto-reply', detail: 'Precedence: bulk' });
  });

  it('names the spam verdict and where it came from, only when spam is skipped', () => {
    expect(screenMail(headers(), verdicts({ spam: 'fail', source: 'receipt' }), policy)).toEqual({ reason: 'spam', detail: 'SES spam verdict FAIL (receipt)' });
    expect(screenMail(headers(), verdicts({ spam: 'fail' }), { ...policy, skipSpam: false })).toBeNull();
    expect(screenMail(headers(), verdicts({ spam: 'gray' }), policy)).toBeNull();
  });

  it("names the sender's DMARC policy, or says it is unknown and configured to skip", () => {
    expect(screenMail(headers(), verdicts({ dmarc: 'fail', dmarcPolicy: 'reject', source: 'receipt' }), policy)).toEqual({ reason: 'dmarc-fail', detail: 'DMARC fail, sender policy reject' });
    expect(screenMail(headers(), verdicts({ dmarc: 'fail', dmarcPolicy: 'quarantine', source: 'receipt' }), policy)).toEqual({ reason: 'dmarc-fail', detail: 'DMARC fail, sender policy quarantine' });
    expect(screenMail(headers(), verdicts({ dmarc: 'fail' }), policy)).toEqual({
      reason: 'dmarc-fail',
      detail: 'DMARC fail (sender policy unknown from the headers; DMARC_FAIL_WITHOUT_POLICY=skip)',
    });
  });

  it('accepts a DMARC failure under the none policy even when unknown ones are skipped, and no DMARC result at all', () => {
    expect(screenMail(headers(), verdicts({ dmarc: 'fail', dmarcPolicy: 'none', source: 'receipt' }), policy)).toBeNull();
    expect(screenMail(headers(), verdicts({ dmarc: 'pass', dmarcPolicy: 'reject', source: 'receipt' }), policy)).toBeNull();
    expect(screenMail(headers(), verdicts({ dmarcPolicy: 'reject', source: 'receipt' }), policy)).toBeNull();
  });
});
