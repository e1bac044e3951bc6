/**
 * The SES v2 notice sender (lib/adapters/sesv2-notice-sender.ts): the SendEmail request it makes,
 * and which of SES's answers spend the notice (a refusal) or give it back (a retry). SES's error
 * answers are not something the local SES server (aws-ses-v2-local) can be made to give, so a
 * few-line server answers SendEmail here, reached through the SDK's own AWS_ENDPOINT_URL_SESV2;
 * the client is the gateway's own (createSesV2Client).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { describe, expect, it } from 'vitest';
import { observeAwsCalls, type AwsCall } from '../../lib/adapters/aws-clients.js';
import { createSesV2Client, SesV2NoticeSender } from '../../lib/adapters/sesv2-notice-sender.js';
import { TransientError } from '../../lib/errors.js';
import { NoticeRefusedError, type OutgoingNotice } from '../../lib/notices/notice-ports.js';

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

interface Asked {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly body: Record<string, unknown>;
}

/** Sends NOTICE through a server that answers each request with `answers` in turn; what it was asked, and the outcome. */
async function sendThrough(
  answers: readonly { status: number; errorType?: string }[],
  inspect: (client: SESv2Client) => void = () => undefined,
): Promise<{ asked: Asked[]; failure: unknown; calls: AwsCall[] }> {
  const asked: Asked[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const answer = answers[Math.min(asked.length, answers.length - 1)] ?? { status: 200 };
      asked.push({ method: req.method, path: req.url, body: JSON.parse(text) as Record<string, unknown> });
      res.writeHead(answer.status, { 'content-type': 'application/json', ...(answer.errorType ? { 'x-amzn-errortype': answer.errorType } : {}) });
      res.end(answer.status === 200 ? JSON.stringify({ MessageId: 'sent-1' }) : JSON.stringify({ message: 'as SES said' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const previous = process.env.AWS_ENDPOINT_URL_SESV2;
  process.env.AWS_ENDPOINT_URL_SESV2 = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const client = createSesV2Client();
    const calls: AwsCall[] = [];
    const stop = observeAwsCalls((call) => calls.push(call));
    try {
      const failure = await new SesV2NoticeSender(client)
        .send(NOTICE)
        .then(() => null)
        .catch((error: unknown) => error);
      inspect(client);
      return { asked, failure, calls };
    } finally {
      stop();
      client.destroy();
    }
  } finally {
    if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SESV2;
    else process.env.AWS_ENDPOINT_URL_SESV2 = previous;
    await new Promise((resolve) => server.close(resolve));
  }
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
    expect(handlerConfig).toMatchObject({ connectionTimeout: 2_000, requestTimeout: 5_000 });
    expect(await (attempts as () => Promise<number>)()).toBe(2);
  });
});
