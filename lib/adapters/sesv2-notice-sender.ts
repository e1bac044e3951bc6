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
import type { NoticeSender, OutgoingNotice } from '../notices/notice-ports.js';
import { observed } from './aws-clients.js';
import { asTransient } from './aws-errors.js';

/** The SES v2 client, with its calls observed like the other clients' (`observeAwsCalls`). */
export function createSesV2Client(): SESv2Client {
  return observed(new SESv2Client({}));
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
      throw asTransient('SES SendEmail (sender notice)', error);
    }
  }
}
