/**
 * The SES v2 notice sender (lib/adapters/sesv2-notice-sender.ts): the SendEmail request it makes,
 * and which of SES's answers spend the notice (a refusal) or give it back (a retry). SES's error
 * answers are not something the local SES server (aws-ses-v2-local) can be made to give, so a
 * few-line server answers SendEmail here, reached through the SDK's own AWS_ENDPOINT_URL_SESV2;
 * the client is the gateway's own (createSesV2Client).
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { observeAwsCalls, type AwsCall } from '../../lib/adapters/aws-clients.js';
import { createSesV2Client, SesV2NoticeSender } from '../../lib/adapters/sesv2-notice-sender.js';
import { TransientError } from '../../lib/errors.js';
import { NoticeRefusedError, type OutgoingNotice } from '../../lib/notices/notice-ports.js';
import { withJsonService, type ServiceAnswer } from '../helpers/json-service.js';

const NOTICE: OutgoingNotice = {
  from: 'support@helpdesk.example',
  to: 'stranger@example.org',
  subject: 'Ihre Nachricht wurde nicht zugestellt — [support]',
  text: 'Grüße.\n',
  headers: [
    { name: 'Auto-Submitted', value: 'auto-replied' },
    { name: 'In-Reply-To', value: '<m1@example.org>' },
  ],
};

/**
 * Sends NOTICE with the gateway's SES client through a SendEmail server that answers the n-th
 * request with `answers[n]` (the last one from then on): what it was asked, the outcome, the calls
 * observed; `inspect` sees the client after the send.
 */
async function sendThrough(answers: readonly { status: number; errorType?: string }[], inspect: (client: SESv2Client) => void = () => undefined) {
  const answer = ({ status, errorType }: { status: number; errorType?: string }): ServiceAnswer => ({
    status,
    ...(errorType ? { headers: { 'x-amzn-errortype': errorType } } : {}),
    body: status === 200 ? { MessageId: 'sent-1' } : { message: 'as SES said' },
  });
  const { result, requests } = await withJsonService(
    'AWS_ENDPOINT_URL_SESV2',
    (_request, index) => answer(answers[Math.min(index, answers.length - 1)] ?? { status: 200 }),
    async () => {
      const client = createSesV2Client();
      const calls: AwsCall[] = [];
      const stop = observeAwsCalls((call) => calls.push(call));
      try {
        const failure = await new SesV2NoticeSender(client)
          .send(NOTICE)
          .then(() => null)
          .catch((error: unknown) => error);
        inspect(client);
        return { failure, calls };
      } finally {
        stop();
        client.destroy();
      }
    },
  );
  return { ...result, asked: requests.map(({ method, path, body }) => ({ method, path, body })) };
}

describe('the SES v2 notice sender', () => {
  it('sends simple content from the mailbox to the sender, in UTF-8, with the notice header fields', async () => {
    const { asked, failure, calls } = await sendThrough([{ status: 200 }]);
    expect(failure).toBeNull();
    // Observed like the other clients (the tests and the benchmark count calls per mail).
    expect(calls).toEqual([{ client: 'SESv2Client', command: 'SendEmailCommand' }]);
    expect(asked).toEqual([
      {
        method: 'POST',
        path: '/v2/email/outbound-emails',
        body: {
          FromEmailAddress: 'support@helpdesk.example',
          Destination: { ToAddresses: ['stranger@example.org'] },
          Content: {
            Simple: {
              Subject: { Data: NOTICE.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: 'Grüße.\n', Charset: 'UTF-8' } },
              Headers: [
                { Name: 'Auto-Submitted', Value: 'auto-replied' },
                { Name: 'In-Reply-To', Value: '<m1@example.org>' },
              ],
            },
          },
        },
      },
    ]);
  });

  it.each(['MessageRejected', 'BadRequestException', 'MailFromDomainNotVerifiedException', 'AccountSuspendedException', 'SendingPausedException', 'NotFoundException'])(
    'takes %s as a refusal: the notice is spent, not retried',
    async (errorType) => {
      const { asked, failure } = await sendThrough([{ status: 400, errorType }]);
      expect(failure).toBeInstanceOf(NoticeRefusedError);
      expect((failure as Error).message).toBe(`SES SendEmail refused the sender notice: ${errorType}`);
      expect((failure as Error).cause).toMatchObject({ name: errorType });
      expect(asked).toHaveLength(1);
    },
  );

  it('takes throttling and server errors as transient, after one more attempt', async () => {
    const throttled = await sendThrough([{ status: 429, errorType: 'TooManyRequestsException' }]);
    expect(throttled.failure).toBeInstanceOf(TransientError);
    expect((throttled.failure as Error).message).toContain('SES SendEmail (sender notice) failed: TooManyRequestsException');
    expect(throttled.asked).toHaveLength(2);

    const recovered = await sendThrough([{ status: 500, errorType: 'InternalFailure' }, { status: 200 }]);
    expect(recovered.failure).toBeNull();
    expect(recovered.asked).toHaveLength(2);
  });

  it('gives up on an SES that does not answer within seconds: two attempts, a short connection and request timeout', async () => {
    let handlerConfig: unknown;
    let attempts: unknown;
    // The HTTP handler resolves its settings on the first request: read them after one.
    await sendThrough([{ status: 200 }], (client) => {
      handlerConfig = (client.config.requestHandler as unknown as { httpHandlerConfigs(): unknown }).httpHandlerConfigs();
      attempts = client.config.maxAttempts;
    });
    // throwOnRequestTimeout: without it the handler only logs a warning when the 5 s pass, and waits on.
    expect(handlerConfig).toMatchObject({ connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true, socketTimeout: 5_000 });
    expect(await (attempts as () => Promise<number>)()).toBe(2);
  });
});
