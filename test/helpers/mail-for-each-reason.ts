/**
 * One mail for every skip reason, for tests and the benchmark that go through all of them. Typed as
 * a Record over SkipReason: a new reason does not compile until it has a mail here.
 *
 * The gateway must run with {@link REASON_ENV} (a small size limit, a reply-token secret), mailboxes
 * support@ and new@helpdesk.example, no default queue, and ticket 42 submitted by alice@example.com.
 * `duplicate` needs {@link DUPLICATE_ORIGINAL} delivered first; `object-missing` is a key never stored (`null`).
 *
 * `unstorable` has no mail: it takes AWS refusing a write, which no mail can make the capped records
 * do (lib/record-caps.ts). test/integration/permanent-errors.test.ts reaches it through a proxy that
 * answers as DynamoDB and S3 answer such requests.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SkipReason } from '../../lib/outcomes.js';
import { replyTokenMac } from '../../lib/screening/reply-token.js';
import { composeMail } from './mail.js';

const SECRET = 'reasons-secret-of-at-least-thirty-two-characters';

/** Environment the mails below are built for. */
export const REASON_ENV = { MAX_MAIL_BYTES: '2000000', REPLY_TOKEN_SECRET: SECRET } as const;

const DUPLICATE_ID = '<each-reason-duplicate@x>';

/** Delivered before the `duplicate` mail, so that it is one. */
export const DUPLICATE_ORIGINAL = composeMail({ messageId: DUPLICATE_ID, subject: '[support-42] first' });

const fixture = (name: string) => readFile(join(import.meta.dirname, '../fixtures/hygiene', name));

/** The reasons no mail reaches by itself (see above). */
export const REASONS_WITHOUT_MAIL = ['unstorable'] as const;

export const MAIL_FOR_REASON: Record<Exclude<SkipReason, (typeof REASONS_WITHOUT_MAIL)[number]>, () => Promise<string | Buffer | null>> = {
  virus: () => fixture('ses-virus-verdict-fail.eml'),
  bounce: () => fixture('postfix-bounce-of-notification.eml'),
  loop: () => fixture('loop-header.eml'),
  'auto-reply': () => fixture('gmail-vacation-responder.eml'),
  spam: () => fixture('ses-spam-verdict-fail.eml'),
  'dmarc-fail': () => fixture('dmarc-fail.eml'),
  'bad-reply-token': async () => composeMail({ to: `support+42.${replyTokenMac(Buffer.from(SECRET), 41)}@helpdesk.example`, subject: 'Re: x' }),
  'sender-not-allowed': async () => composeMail({ from: 'mallory@example.org', subject: '[support-42] forged' }),
  'sender-unverified': async () =>
    // SES's own verdicts, prepended as SES writes them: nothing vouches for example.com.
    composeMail({ subject: '[support-42] forged From of a participant' }).replace(/^/, 'Authentication-Results: amazonses.com;\n spf=pass (spfCheck: domain of attacker.example designates 192.0.2.1 as permitted sender) client-ip=192.0.2.1; envelope-from=m@attacker.example; helo=mx.attacker.example;\n dkim=none;\n dmarc=none header.from=example.com;\n'),
  // To the create mailbox, with no From, Reply-To or Sender.
  'no-submitter': async () => composeMail({ to: 'new@helpdesk.example', subject: 'from nobody' }).replace(/^From: .*\n/m, ''),
  'no-ticket-ref': async () => composeMail({ subject: 'no tag' }),
  'ticket-not-found': async () => composeMail({ subject: '[support-999] gone' }),
  // The same mail stored a second time: the same Message-ID and the same content.
  duplicate: async () => DUPLICATE_ORIGINAL,
  'no-mailbox': async () => composeMail({ to: 'someone@elsewhere.example', subject: 'hello' }),
  empty: async () => '',
  malformed: async () => composeMail({ headers: [`X-Padding: ${'a'.repeat(1_200_000)}`] }),
  'too-large': async () => composeMail({ subject: '[support-42] big', body: 'x'.repeat(2_100_000) }),
  'object-missing': async () => null,
};
