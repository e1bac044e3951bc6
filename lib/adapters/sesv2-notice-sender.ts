/**
 * {@link NoticeSender} on Amazon SES v2 `SendEmail` with simple content: SES builds the MIME
 * message (UTF-8 subject and text), and the notice's own header fields go in `Content.Simple.Headers`
 * (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SendEmail.html,
 * https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MessageHeader.html). The endpoint
 * comes from the SDK's own `AWS_ENDPOINT_URL_SESV2` variable (the local stack's aws-ses-v2-local).
 *
 * `FromEmailAddress` is the mailbox address: the function's role may send from nothing else (the
 * `ses:FromAddress` condition in infra/iam.yml).
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { NoticeRefusedError, type NoticeSender, type OutgoingNotice } from '../notices/notice-ports.js';
import { observed } from './aws-clients.js';
import { boundByDeadline } from './aws-deadline.js';
import { asTransient, awsErrorName } from './aws-errors.js';

/**
 * How long a notice may take: a notice is sent while the mail's batch waits, so an SES endpoint
 * that accepts a connection and never answers must not hold the batch past the function's
 * timeout (the mail would be redelivered, though committed). Two attempts, seconds each: the
 * request answered within 5 s (`throwOnRequestTimeout`: without it @smithy/node-http-handler only
 * logs a warning when `requestTimeout` passes, and goes on waiting), and its answer's body silent
 * for at most 5 s (`requestTimeout` ends with the response's headers); and the invocation's
 * deadline (`boundByDeadline`).
 */
const SES_TIMEOUTS = { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true, socketTimeout: 5_000 } as const;

/** The SES v2 client, with its calls observed like the other clients' (`observeAwsCalls`), and short timeouts. */
export function createSesV2Client(): SESv2Client {
  return boundByDeadline(observed(new SESv2Client({ maxAttempts: 2, requestHandler: SES_TIMEOUTS })));
}

/**
 * SES's answers that another attempt at the same notice cannot change (the API reference's
 * errors of SendEmail): the sender's one notice a day is spent on it rather than given back, so
 * that mail SES always refuses cannot use up the hourly limit again and again.
 */
function isRefusal(name: string | undefined): boolean {
  // Listed inside the function, not in a module-level Set: mutation testing tests each name only
  // in code that runs per call (stryker.config.mjs, ignoreStatic).
  const refusals = ['MessageRejected', 'BadRequestException', 'MailFromDomainNotVerifiedException', 'AccountSuspendedException', 'SendingPausedException', 'NotFoundException'];
  return name !== undefined && refusals.includes(name);
}

export class SesV2NoticeSender implements NoticeSender {
  constructor(private readonly client: SESv2Client) {}

  /** Sends one notice; throws a `TransientError` wrapping whatever SES answered otherwise. */
  async send(notice: OutgoingNotice): Promise<void> {
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: notice.from,
          Destination: { ToAddresses: [notice.to] },
          Content: {
            Simple: {
              Subject: { Data: notice.subject, Charset: 'UTF-8' },
              Body: { Text: { Data: notice.text, Charset: 'UTF-8' } },
              Headers: notice.headers.map((h) => ({ Name: h.name, Value: h.value })),
            },
          },
        }),
      );
    } catch (error) {
      const name = awsErrorName(error);
      if (isRefusal(name)) throw new NoticeRefusedError(`SES SendEmail refused the sender notice: ${name}`, { cause: error });
      throw asTransient('SES SendEmail (sender notice)', error);
    }
  }
}
