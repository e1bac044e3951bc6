/**
 * Delivery-status fields with white space after their value (MTAs pad lines; a report passed
 * through a mail client may keep trailing blanks): the failed recipient is read without it, and
 * an Action padded with blanks still counts.
 */
import { describe, expect, it } from 'vitest';
import { readBounceReport } from '../../lib/screening/bounce.js';

const status = (text: string) => ({ contentType: 'message/delivery-status', text });

describe('delivery-status fields with trailing white space', () => {
  it('reads the failed recipient without the blanks after it', () => {
    const report = readBounceReport([status('Final-Recipient: rfc822; <gone@x.example> \t\nAction: failed  ')], '');
    expect(report.failedRecipients).toEqual(['gone@x.example']);
  });

  it('reads a recipient without angle brackets, padded, as the same address', () => {
    const report = readBounceReport([status('Original-Recipient: rfc822;Gone@X.example   \r\nAction:   failed\t')], '');
    expect(report.failedRecipients).toEqual(['gone@x.example']);
  });

  it('takes a padded Action that is not failed as delivered', () => {
    expect(readBounceReport([status('Final-Recipient: rfc822; ok@x.example\nAction: delivered   ')], '').failedRecipients).toEqual([]);
  });
});
