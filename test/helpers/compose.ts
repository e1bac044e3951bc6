/** Real MIME with attachments, built by nodemailer's MailComposer (the same MIME a real client writes). */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type Mail from 'nodemailer/lib/mailer/index.js';

export async function composeMime(options: Mail.Options): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}
