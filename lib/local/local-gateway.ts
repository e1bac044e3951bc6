/**
 * The gateway running locally: the embedded stack, seeded tickets, and the real Lambda handler
 * module, imported after the environment is set exactly as Lambda would see it. Mail is delivered
 * the way SES delivers it: written to the inbound prefix, then announced by an S3 event notification.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { RetryRequestedError, type IngestResult } from '../ingest-handler.js';
import type { MailboxMode } from '../mailbox.js';
import type { MailReport } from '../pipeline/index.js';
import { startEmbeddedStack, type EmbeddedStack } from './embedded-stack.js';
import { seedTickets, type TicketSeed } from './seed.js';
import { isolateFromShellAws } from './shell-isolation.js';
import { withSimulatedSesReceipt } from './ses-receipt.js';

/** The domain of the local run's mailboxes: queue `support` is reachable at support@helpdesk.example. */
export const LOCAL_MAIL_DOMAIN = 'helpdesk.example';

/** The inbound prefix of the local run (SES's ObjectKeyPrefix). */
export const LOCAL_INBOUND_PREFIX = 'inbound/';

export interface LocalGatewayOptions {
  readonly mode: MailboxMode;
  readonly tickets: readonly TicketSeed[];
  /** Queue slugs to configure besides those the tickets name. */
  readonly queues?: readonly string[];
  /**
   * Extra or overriding environment for the gateway (e.g. to test bad configuration), or a function
   * of the stack that answers it (e.g. to put a proxy in front of the stack's endpoints).
   */
  readonly env?: Readonly<Record<string, string>> | ((stack: EmbeddedStack) => Promise<Readonly<Record<string, string>>>);
  /**
   * Prepend the headers SES writes that a mail lacks, as for a sender that passes SPF, DKIM and
   * DMARC (see `ses-receipt.ts`). Default true: a file stands for mail as SES stores it.
   */
  readonly simulateSesReceipt?: boolean;
}

export interface LocalGateway {
  readonly stack: EmbeddedStack;
  readonly env: Readonly<Record<string, string>>;
  /** The real Lambda handler. */
  readonly handler: (event: unknown) => Promise<IngestResult>;
  /** Stores raw mail under the inbound prefix as SES would (see {@link LocalGatewayOptions.simulateSesReceipt}) and answers the S3 event notification S3 raised. */
  store(key: string, raw: Uint8Array | string): Promise<S3Event>;
  /** Stores raw mail (as {@link store} does) and runs the handler on its S3 event: the mail's report. */
  deliver(name: string, raw: Uint8Array | string): Promise<MailReport>;
  stop(): Promise<void>;
}

/** The environment of a local run: one mailbox per queue, `<slug>@helpdesk.example`. */
export function localGatewayEnv(stack: EmbeddedStack, options: LocalGatewayOptions, overrides: Readonly<Record<string, string>> = {}): Record<string, string> {
  const queues = [...new Set([...options.tickets.map((t) => t.queue), ...(options.queues ?? [])])];
  if (queues.length === 0) queues.push('support');
  return {
    ...stack.env,
    INBOUND_PREFIX: LOCAL_INBOUND_PREFIX,
    MAILBOXES: queues.map((q) => `${q}@${LOCAL_MAIL_DOMAIN}=${q}`).join(','),
    DEFAULT_QUEUE: queues[0] as string,
    UPDATE_ONLY: String(options.mode === 'update-only'),
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    ...overrides,
  };
}

/** Starts the stack, seeds the tickets, sets the environment and loads the handler. */
export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  const stack = await startEmbeddedStack();
  try {
    const overrides = typeof options.env === 'function' ? await options.env(stack) : options.env;
    const env = localGatewayEnv(stack, options, overrides);
    // The shell's AWS_PROFILE, AWS_ENDPOINT_URL, AWS_SESSION_TOKEN … must not reach the handler's clients.
    isolateFromShellAws(process.env);
    Object.assign(process.env, env);
    await seedTickets(stack.env, { tickets: stack.names.ticketsTable, messages: stack.names.messagesTable }, options.tickets);
    const { handler } = (await import('../../functions/ingest-mail.js')) as { handler: (event: unknown) => Promise<IngestResult> };
    const s3 = new S3Client({
      region: stack.env.AWS_REGION,
      endpoint: stack.env.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: stack.env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: stack.env.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    let sequence = 0;
    const mailboxes = (env.MAILBOXES ?? '').split(',').map((entry) => (entry.split('=')[0] ?? '').trim().toLowerCase()).filter(Boolean);
    const asSesStoresIt = (raw: Uint8Array | string): Uint8Array =>
      options.simulateSesReceipt === false
        ? Buffer.from(raw)
        : withSimulatedSesReceipt(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw, { mailboxes, region: env.AWS_REGION ?? 'us-east-1', now: new Date() });

    const store = async (key: string, raw: Uint8Array | string): Promise<S3Event> => {
      const created = stack.nextObjectCreated(key);
      await s3.send(new PutObjectCommand({ Bucket: stack.names.bucket, Key: key, Body: asSesStoresIt(raw) }));
      return created;
    };

    const deliver = async (name: string, raw: Uint8Array | string): Promise<MailReport> => {
      sequence += 1;
      const safeName = name.replace(/[/\\]/g, '_');
      const event = await store(`${LOCAL_INBOUND_PREFIX}${String(sequence).padStart(4, '0')}-${safeName}`, raw);
      try {
        const result = await handler(event);
        const report = 'mails' in result ? result.mails[0] : undefined;
        if (!report) throw new Error(`the handler reported no mail for ${name}`);
        return report;
      } catch (error) {
        const report = error instanceof RetryRequestedError ? error.mails[0] : undefined;
        if (report) return report;
        throw error;
      }
    };

    return {
      stack,
      env,
      handler,
      store,
      deliver,
      stop: async () => {
        s3.destroy();
        await stack.stop();
      },
    };
  } catch (error) {
    await stack.stop();
    throw error;
  }
}
