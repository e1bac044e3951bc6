/**
 * The local SMTP intake (`npm start -- --smtp [PORT]`): an SMTP server on 127.0.0.1, built on
 * Nodemailer's `smtp-server`, that receives mail as SES's inbound endpoint does:
 *
 * - `RCPT TO` is accepted for the configured mailbox addresses and their `+tags` (RFC 5233
 *   subaddressing, which signed reply addresses use), and refused with `550` for any other
 *   recipient, as SES refuses recipients no receipt rule names;
 * - a mail over {@link SES_MAX_MESSAGE_BYTES} is refused with `552` (SES's limit for mail received);
 * - the accepted mail gets the headers SES adds (`ses-receipt.ts`: `Received … for <recipient>` with
 *   the envelope recipient, the verdict headers, `Authentication-Results`; a header of these that
 *   the mail already carries is kept, as for a mail file, so a test mail can state a failing
 *   verdict) and is handed to `deliver`, which stores it under `inbound/` and runs the handler on
 *   the S3 event.
 *
 * The `250` answers the DATA once the mail is stored and handled, so the client knows its outcome
 * has been printed. No TLS and no authentication: it listens on 127.0.0.1 only.
 * (SES's limits: https://docs.aws.amazon.com/ses/latest/dg/quotas.html)
 */
import { CONFIG_VARIABLES } from '../config.js';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { UsageError } from '../cli/run-command.js';
import { baseAddress } from '../mailbox.js';
import type { MailReport } from '../pipeline/index.js';
import { simulatedSesHeaders } from './ses-receipt.js';

/** The largest mail SES receives (40 MB, including headers). */
export const SES_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

/** The default port of `--smtp` without a PORT: an unprivileged submission-like port. */
export const DEFAULT_SMTP_PORT = 2525;

export interface SmtpIntakeOptions {
  /** The port to listen on, on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** The configured mailbox addresses, lower case, without `+tag`. */
  readonly mailboxes: readonly string[];
  /** The region named in the simulated SES `Received` header. */
  readonly region: string;
  /** Stores and handles one mail (its name for the table, its bytes with SES's headers); answers its report. */
  readonly deliver: (name: string, raw: Buffer) => Promise<MailReport>;
  /** Told about each mail handled, in the order they were received. */
  readonly onReport: (name: string, report: MailReport) => Promise<void> | void;
}

export interface SmtpIntake {
  /** The port it listens on. */
  readonly port: number;
  /** Stops accepting connections and waits for the mail in progress. */
  stop(): Promise<void>;
}

/**
 * `--smtp [PORT]`: the PORT is optional, which `parseArgs` cannot say: a number right after
 * `--smtp` is its port. Answers the port (`null` without `--smtp`) and the other arguments.
 */
export function smtpArgument(argv: readonly string[]): { port: number | null; rest: string[] } {
  const at = argv.indexOf('--smtp');
  const end = argv.indexOf('--');
  if (at < 0 || (end >= 0 && at > end)) return { port: null, rest: [...argv] };
  const next = argv[at + 1];
  const hasPort = next !== undefined && /^\d+$/.test(next);
  const port = hasPort ? Number(next) : DEFAULT_SMTP_PORT;
  if (port > 65535) throw new UsageError(`--smtp ${next}: expected a port number (0 to 65535)`);
  return { port, rest: [...argv.slice(0, at), ...argv.slice(at + (hasPort ? 2 : 1))] };
}

/** The variables printed at `--smtp`'s start: with them, another shell's commands reach this stack. */
const REACH_VARIABLES = [
  'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
  'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ENDPOINT_URL_EVENTBRIDGE', 'AWS_ENDPOINT_URL_SESV2',
  'MAIL_BUCKET', 'TICKETS_TABLE', 'MESSAGES_TABLE', 'NOTICES_TABLE', 'EVENT_BUS_NAME', 'INBOUND_PREFIX',
  'MAILBOXES', 'DEFAULT_QUEUE', 'UPDATE_ONLY', 'SENDER_NOTICES',
] as const;

/**
 * The shell lines that point another shell at the stack: the shell's own AWS profile and session
 * unset, then the stack's variables, then every configuration variable (`CONFIG_VARIABLES`) the
 * stack was started with from `shell`, so that replay and inspect decide as the stack does.
 */
export function reachLines(env: Readonly<Record<string, string | undefined>>, shell: Readonly<Record<string, string | undefined>> = {}): string {
  const quoted = (value: string) => (/^[\w@%+=:,./-]*$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
  const names = [...new Set<string>([...REACH_VARIABLES, ...Object.keys(CONFIG_VARIABLES)])];
  const value = (name: string) => env[name] ?? shell[name];
  const exports = names.flatMap((name) => (value(name) === undefined ? [] : [`export ${name}=${quoted(value(name) as string)}`]));
  return ['unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL', ...exports].join('\n');
}

/** Whether SES would accept `address` as a recipient: a configured mailbox, `+tag` and case ignored. */
export function acceptsRecipient(mailboxes: readonly string[], address: string): boolean {
  return mailboxes.includes(baseAddress(address));
}

/** An SMTP reply: `smtp-server` answers an error with its `responseCode`. */
function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

async function readAll(stream: SMTPServerDataStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Starts the SMTP intake. */
export async function startSmtpIntake(options: SmtpIntakeOptions): Promise<SmtpIntake> {
  let received = 0;
  // One mail at a time, in the order received: the rows come out in order, as SES's would in the log.
  let queue: Promise<unknown> = Promise.resolve();
  const handle = (session: SMTPServerSession, raw: Buffer): Promise<MailReport> => {
    received += 1;
    const name = `smtp-${String(received).padStart(4, '0')}.eml`;
    const recipient = session.envelope.rcptTo[0]?.address;
    const receipt = { mailboxes: options.mailboxes, region: options.region, now: new Date(), ...(recipient ? { recipient } : {}) };
    const withHeaders = Buffer.concat([Buffer.from(simulatedSesHeaders(raw, receipt), 'latin1'), raw]);
    const done = queue.then(async () => {
      const report = await options.deliver(name, withHeaders);
      await options.onReport(name, report);
      return report;
    });
    queue = done.catch(() => undefined);
    return done;
  };

  const server = new SMTPServer({
    banner: 'helpdesk local SMTP intake (behaves like SES inbound; no TLS, no auth)',
    disabledCommands: ['AUTH', 'STARTTLS'],
    authOptional: true,
    size: SES_MAX_MESSAGE_BYTES,
    logger: false,
    closeTimeout: 5_000,
    onRcptTo(address, _session, callback) {
      if (acceptsRecipient(options.mailboxes, address.address)) callback();
      else callback(smtpError(550, `5.1.1 <${address.address}>: no such mailbox here (configured: ${options.mailboxes.join(', ')})`));
    },
    onData(stream, session, callback) {
      readAll(stream).then(
        async (raw) => {
          if (stream.sizeExceeded) {
            callback(smtpError(552, `5.3.4 the mail exceeds ${SES_MAX_MESSAGE_BYTES} bytes`));
            return;
          }
          try {
            await handle(session, raw);
            callback();
          } catch (error) {
            callback(smtpError(451, `4.3.0 the mail could not be handled: ${error instanceof Error ? error.message : String(error)}`));
          }
        },
        (error: unknown) => callback(smtpError(451, `4.3.0 reading the mail failed: ${String(error)}`)),
      );
    },
  });

  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    const listening = server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(listening.address() as AddressInfo);
    });
  });
  // Once listening, a client's misbehaviour is the client's: smtp-server reports it here, and it must not end the process.
  server.on('error', () => undefined);

  return {
    port: address.port,
    stop: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await queue;
    },
  };
}
