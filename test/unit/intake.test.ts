import { describe, expect, it } from 'vitest';
import { UnsupportedEventError } from '../../lib/errors.js';
import { classifyEvent, decodeS3Key, encodeS3Key, mailsFromS3Notification } from '../../lib/intake.js';

const store = { mailBucket: 'mail', inboundPrefix: 'inbound/' };

function s3Event(key: string, eventName = 'ObjectCreated:Put') {
  return { Records: [{ eventSource: 'aws:s3', eventName, s3: { bucket: { name: 'mail' }, object: { key } } }] };
}

describe('S3 keys', () => {
  it('decodes keys as S3 encodes them in notifications', () => {
    expect(decodeS3Key('inbound/a+b%2Bc%20d.eml')).toBe('inbound/a b+c d.eml');
    expect(decodeS3Key('inbound/caf%C3%A9.eml')).toBe('inbound/café.eml');
  });

  it('round-trips any key through encodeS3Key', () => {
    for (const key of ['inbound/plain', 'inbound/with space+plus', 'inbound/ü%&=?#.eml']) {
      expect(decodeS3Key(encodeS3Key(key))).toBe(key);
    }
  });

  it('rejects a key that is not valid URL encoding', () => {
    expect(() => decodeS3Key('inbound/%E0%A4%A')).toThrow(UnsupportedEventError);
  });
});

describe('mailsFromS3Notification', () => {
  it('names the created objects in the inbound prefix', () => {
    expect(mailsFromS3Notification(s3Event('inbound/x+y'), store)).toEqual({ mails: [{ location: { bucket: 'mail', key: 'inbound/x y' } }], ignored: [] });
  });

  it('ignores s3:TestEvent, removals and objects outside the inbound prefix', () => {
    expect(mailsFromS3Notification({ Service: 'Amazon S3', Event: 's3:TestEvent' }, store).mails).toEqual([]);
    expect(mailsFromS3Notification(s3Event('inbound/x', 'ObjectRemoved:Delete'), store).mails).toEqual([]);
    const outside = mailsFromS3Notification(s3Event('attachments/42/abc/0'), store);
    expect(outside.mails).toEqual([]);
    expect(outside.ignored[0]).toContain('outside inbound/');
  });
});

describe('classifyEvent', () => {
  it('sorts S3, SQS and SES events', () => {
    expect(classifyEvent(s3Event('inbound/a'), store).kind).toBe('s3');
    expect(classifyEvent({ Records: [{ eventSource: 'aws:sqs', body: '{}' }] }, store).kind).toBe('sqs');
    const ses = classifyEvent(
      { Records: [{ eventSource: 'aws:ses', ses: { mail: { messageId: 'abc123' }, receipt: { recipients: ['Support@Helpdesk.example'] } } }] },
      store,
    );
    expect(ses).toEqual({ kind: 'ses', mails: [{ location: { bucket: 'mail', key: 'inbound/abc123' }, envelope: { recipients: ['support@helpdesk.example'] } }] });
  });

  it('reads the SES receipt’s verdicts, and refuses a record whose shape is not SES’s, saying where', () => {
    const record = { eventSource: 'aws:ses', ses: { mail: { messageId: 'm1' }, receipt: { recipients: ['a@helpdesk.example'], spamVerdict: { status: 'PASS' }, dmarcPolicy: 'reject' } } };
    expect(classifyEvent({ Records: [record] }, store)).toEqual({
      kind: 'ses',
      mails: [{ location: { bucket: 'mail', key: 'inbound/m1' }, envelope: { recipients: ['a@helpdesk.example'], verdicts: { spam: 'PASS', dmarcPolicy: 'reject' } } }],
    });
    const numeric = { ...record, ses: { ...record.ses, receipt: { spamVerdict: { status: 1 } } } };
    expect(() => classifyEvent({ Records: [numeric] }, store)).toThrow(/at Records\.0\.ses\.receipt\.spamVerdict\.status/);
    expect(() => classifyEvent({ Records: [{ eventSource: 'aws:ses', ses: { mail: { messageId: '' } } }] }, store)).toThrow(UnsupportedEventError);
    expect(() => classifyEvent({ Records: [{ eventSource: 'aws:s3', s3: { bucket: {} } }] }, store)).toThrow(/at Records\.0\.s3\.object/);
  });

  it('accepts a bare s3:TestEvent as an S3 event naming nothing', () => {
    expect(classifyEvent({ Service: 'Amazon S3', Event: 's3:TestEvent' }, store)).toMatchObject({ kind: 's3', mails: [] });
  });

  it.each([[null], [{}], [{ Records: [] }], [{ Records: [{ eventSource: 'aws:sns' }] }], [{ Records: [{ eventSource: 'aws:s3' }, { eventSource: 'aws:sqs' }] }]])(
    'rejects %o with a clear error',
    (event) => {
      expect(() => classifyEvent(event, store)).toThrow(UnsupportedEventError);
    },
  );
});
