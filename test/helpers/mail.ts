/** Builds fixture mails as raw RFC 5322 text. */

export interface MailFields {
  from?: string;
  to?: string;
  cc?: string;
  subject?: string;
  messageId?: string | null;
  inReplyTo?: string;
  references?: string;
  date?: string;
  /** Extra header lines, written as given. */
  headers?: readonly string[];
  body?: string;
  contentType?: string;
  /** Line end: LF (default) or CRLF. */
  eol?: '\n' | '\r\n';
}

let counter = 0;

/** A unique Message-ID for a test mail. */
export function newMessageId(label = 'mail'): string {
  counter += 1;
  return `<${label}-${counter}-${process.pid}@test.example>`;
}

/** A plain mail to support@helpdesk.example with the given fields. */
export function composeMail(fields: MailFields = {}): string {
  const eol = fields.eol ?? '\n';
  const messageId = fields.messageId === undefined ? newMessageId() : fields.messageId;
  const lines = [
    `From: ${fields.from ?? 'Alice Example <alice@example.com>'}`,
    `To: ${fields.to ?? 'support@helpdesk.example'}`,
    ...(fields.cc ? [`Cc: ${fields.cc}`] : []),
    `Subject: ${fields.subject ?? 'Hello'}`,
    `Date: ${fields.date ?? 'Thu, 26 Nov 2026 09:12:00 +0100'}`,
    ...(messageId === null ? [] : [`Message-ID: ${messageId}`]),
    ...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`] : []),
    ...(fields.references ? [`References: ${fields.references}`] : []),
    'MIME-Version: 1.0',
    `Content-Type: ${fields.contentType ?? 'text/plain; charset=utf-8'}`,
    ...(fields.headers ?? []),
    '',
    ...(fields.body ?? 'Body text.').split('\n'),
    '',
  ];
  return lines.join(eol);
}

/** The Message-ID of a composed mail without angle brackets (as the gateway reports it). */
export function bare(messageId: string): string {
  return messageId.replace(/^<|>$/g, '');
}
