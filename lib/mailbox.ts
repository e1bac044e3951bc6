/** Mailboxes: which recipient address feeds which queue, and whether it may open tickets. */

/**
 * `create`: mail without a usable ticket reference opens a new ticket.
 * `update-only` (django-helpdesk's `QUEUE_EMAIL_BOX_UPDATE_ONLY`): such mail is skipped and counted.
 */
export type MailboxMode = 'create' | 'update-only';

/** The accepted spellings of {@link MailboxMode}. */
export const MAILBOX_MODES: readonly MailboxMode[] = ['create', 'update-only'];

/** One configured mailbox. */
export interface Mailbox {
  /** The recipient address, lower-cased; `null` for the default route taken when none matches. */
  readonly address: string | null;
  /** The queue slug, as django-helpdesk writes it in subject tags (`[support-42]`). */
  readonly queue: string;
  readonly mode: MailboxMode;
}

/** A django-helpdesk queue slug (a Django SlugField). */
export const QUEUE_SLUG_PATTERN = /^[A-Za-z0-9_-]{1,50}$/;

/** The parts of the configuration routing reads. */
export interface RoutingTable {
  readonly mailboxes: readonly Mailbox[];
  readonly defaultQueue: string | null;
  readonly defaultMode: MailboxMode;
}

/** An address without its `+tag` (plus addressing, signed reply addresses), lower-cased. */
export function baseAddress(address: string): string {
  return address.toLowerCase().replace(/\+[^@]*@/, '@');
}

/**
 * Picks the mailbox a mail was delivered to: the first recipient, in the order given (envelope
 * recipients first), that is a configured address (`+tags` ignored); else the default queue when one is configured;
 * else `null`.
 */
export function routeMail(recipients: readonly string[], routing: RoutingTable): Mailbox | null {
  for (const recipient of recipients) {
    const wanted = baseAddress(recipient);
    const match = routing.mailboxes.find((mailbox) => mailbox.address === wanted);
    if (match) return match;
  }
  if (routing.defaultQueue === null) return null;
  return { address: null, queue: routing.defaultQueue, mode: routing.defaultMode };
}
