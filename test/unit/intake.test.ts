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

  it('names the malformed key in the error, so an operator can find the object', () => {
    expect(() => decodeS3Key('inbound/%E0%A4%A')).toThrow('S3 object key "inbound/%E0%A4%A" is not URL-encoded as S3 writes keys');
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

  it('says what it ignored, for the log line: the test event, and another event by its name and object', () => {
    expect(mailsFromS3Notification({ Service: 'Amazon S3', Event: 's3:TestEvent' }, store)).toEqual({ mails: [], ignored: ['s3:TestEvent'] });
    expect(mailsFromS3Notification(s3Event('inbound/x+y', 'ObjectRemoved:Delete'), store)).toEqual({ mails: [], ignored: ['ObjectRemoved:Delete s3://mail/inbound/x y'] });
  });

  it('rejects a body without Records as no S3 event notification, and a record without s3.object saying where', () => {
    expect(() => mailsFromS3Notification({ Message: 'hello' }, store)).toThrow(new UnsupportedEventError('not an S3 event notification: no Records'));
    expect(() => mailsFromS3Notification({ Records: [{ eventSource: 'aws:s3', s3: { bucket: { name: 'mail' } } }] }, store)).toThrow(
      new UnsupportedEventError('an S3 event record without s3.bucket and s3.object (at Records.0.s3.object: Invalid key: Expected "object" but received undefined)'),
    );
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

  it('says it ignored a bare s3:TestEvent, for the log line', () => {
    expect(classifyEvent({ Service: 'Amazon S3', Event: 's3:TestEvent' }, store)).toEqual({ kind: 's3', mails: [], ignored: ['s3:TestEvent'] });
  });

  it('keeps only the string recipients of an SES receipt, and routes a receipt without recipients nowhere', () => {
    const record = (receipt?: unknown) => ({ eventSource: 'aws:ses', ses: { mail: { messageId: 'm2' }, ...(receipt === undefined ? {} : { receipt }) } });
    expect(classifyEvent({ Records: [record({ recipients: ['A@Helpdesk.example', 42, null, 'b@helpdesk.example'] })] }, store)).toEqual({
      kind: 'ses',
      mails: [{ location: { bucket: 'mail', key: 'inbound/m2' }, envelope: { recipients: ['a@helpdesk.example', 'b@helpdesk.example'] } }],
    });
    expect(classifyEvent({ Records: [record()] }, store)).toEqual({ kind: 'ses', mails: [{ location: { bucket: 'mail', key: 'inbound/m2' }, envelope: { recipients: [] } }] });
  });

  it('reads every verdict of an SES receipt: spam, virus, SPF, DKIM, DMARC and the DMARC policy', () => {
    const verdict = (status: string) => ({ status });
    const receipt = {
      recipients: ['a@helpdesk.example'], spamVerdict: verdict('PASS'), virusVerdict: verdict('PASS'), spfVerdict: verdict('FAIL'),
      dkimVerdict: verdict('GRAY'), dmarcVerdict: verdict('FAIL'), dmarcPolicy: 'quarantine',
    };
    const intake = classifyEvent({ Records: [{ eventSource: 'aws:ses', ses: { mail: { messageId: 'm3' }, receipt } }] }, store);
    expect(intake).toEqual({
      kind: 'ses',
      mails: [{
        location: { bucket: 'mail', key: 'inbound/m3' },
        envelope: { recipients: ['a@helpdesk.example'], verdicts: { spam: 'PASS', virus: 'PASS', spf: 'FAIL', dkim: 'GRAY', dmarc: 'FAIL', dmarcPolicy: 'quarantine' } },
      }],
    });
  });

  it('refuses an SES record without mail.messageId, saying so and where', () => {
    expect(() => classifyEvent({ Records: [{ eventSource: 'aws:ses', ses: { mail: {} } }] }, store)).toThrow(
      new UnsupportedEventError('an SES event record without mail.messageId (at Records.0.ses.mail.messageId: Invalid key: Expected "messageId" but received undefined)'),
    );
  });

  it('refuses an event whose records come from two sources, even when the first is one it reads', () => {
    const mixed = { Records: [{ eventSource: 'aws:sqs', body: '{}' }, { eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'mail' }, object: { key: 'inbound/a' } } }] };
    expect(() => classifyEvent(mixed, store)).toThrow(new UnsupportedEventError('expected an S3, SQS or SES event with Records of one source (at Records: Invalid input: Received Array)'));
  });

  it('reads the source of SNS-style records spelled EventSource, and names a source it does not read', () => {
    expect(() => classifyEvent({ Records: [{ EventSource: 'aws:sns' }] }, store)).toThrow(new UnsupportedEventError('unsupported event source "aws:sns"'));
    expect(() => classifyEvent({ Records: [{ eventSource: 'aws:sqs', body: '{}' }, { EventSource: 'aws:sns' }] }, store)).toThrow(/Records of one source \(at Records: /);
  });

  it('says what it expected, without a location, for an event that is not even an object', () => {
    expect(() => classifyEvent(null, store)).toThrow(new UnsupportedEventError('expected an S3, SQS or SES event with Records of one source'));
    expect(() => classifyEvent({ Records: [] }, store)).toThrow(
      new UnsupportedEventError('expected an S3, SQS or SES event with Records of one source (at Records: Invalid length: Expected >=1 but received 0)'),
    );
  });

  it.each([[null], [{}], [{ Records: [] }], [{ Records: [{ eventSource: 'aws:sns' }] }], [{ Records: [{ eventSource: 'aws:s3' }, { eventSource: 'aws:sqs' }] }]])(
    'rejects %o with a clear error',
    (event) => {
      expect(() => classifyEvent(event, store)).toThrow(UnsupportedEventError);
    },
  );
});
