import { describe, expect, it } from 'vitest';
import { simulatedSesHeaders, withSimulatedSesReceipt } from '../../lib/local/ses-receipt.js';
import { composeMail } from '../helpers/mail.js';

const receipt = { mailboxes: ['support@helpdesk.example', 'new@helpdesk.example'], region: 'eu-west-1', now: new Date('2026-11-30T10:00:00Z') };
const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('the local run\'s simulated SES receipt', () => {
  it('prepends what SES writes for a passing sender, for the first recipient that is a mailbox', () => {
    const added = simulatedSesHeaders(bytes(composeMail({ from: 'Bob <bob@Customer.example>', to: 'someone@else.example', cc: 'New+7@helpdesk.example' })), receipt);
    expect(added).toMatch(/^Received: from localhost .*\r\n by inbound-smtp\.eu-west-1\.amazonaws\.com with SMTP id local\r\n for New\+7@helpdesk\.example;\r\n /);
    expect(added).toContain('X-SES-Spam-Verdict: PASS\r\n');
    expect(added).toContain('X-SES-Virus-Verdict: PASS\r\n');
    expect(added).toContain('dkim=pass header.i=@customer.example;');
    expect(added).toContain('dmarc=pass header.from=customer.example;');
    expect(added).toContain('envelope-from=bob@Customer.example;');
  });

  it('keeps the SES headers a file carries, so a file can state failing verdicts', () => {
    const mail = `Authentication-Results: amazonses.com; spf=fail; dkim=none; dmarc=fail header.from=example.com;\nX-SES-Spam-Verdict: FAIL\n${composeMail()}`;
    const added = simulatedSesHeaders(bytes(mail), receipt);
    expect(added).not.toContain('Authentication-Results');
    expect(added).not.toContain('X-SES-Spam-Verdict');
    expect(added).toContain('X-SES-Virus-Verdict: PASS');
    expect(added).toContain('Received:');
  });

  it('leaves a file without a header section as it is, and stores the same file as the same bytes', () => {
    expect(withSimulatedSesReceipt(bytes(''), receipt)).toEqual(bytes(''));
    expect(withSimulatedSesReceipt(bytes('\n\njust text'), receipt)).toEqual(bytes('\n\njust text'));
    const mail = bytes(composeMail({ messageId: null }));
    expect(withSimulatedSesReceipt(mail, receipt)).toEqual(withSimulatedSesReceipt(mail, { ...receipt, now: new Date() }));
  });
});
