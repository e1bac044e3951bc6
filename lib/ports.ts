/**
 * The ports the pipeline talks to. The pipeline depends only on these interfaces; the AWS
 * adapters in `lib/adapters/` implement them.
 */
import type { Readable } from 'node:stream';
import type { PutEventsEntry } from './events/gateway-event.js';
import type { FinalEntry, LedgerEntry, MailLocation, PendingEntry, SkippedEntry } from './ledger-entry.js';
import type { SkipReason } from './outcomes.js';
import type { NewTicket, Ticket } from './ticket.js';

/** Raw mail and the objects derived from it, in S3. */
export interface RawMailStore {
  /** Streams the raw mail, with its size when S3 tells it. Throws `ObjectMissingError` when it does not exist. */
  open(location: MailLocation): Promise<{ readonly body: Readable; readonly size: number | null }>;
  /** SHA-256 (hex) of the raw mail, read as a stream. */
  hash(location: MailLocation): Promise<string>;
  /** Moves the raw mail to `key` (copy, then delete); done when it was moved before. */
  quarantine(location: MailLocation, key: string): Promise<void>;
  /** Tags the raw mail with its outcome, so lifecycle rules and operators can find it. */
  markOutcome(location: MailLocation, tags: Readonly<Record<string, string>>): Promise<void>;
  /** Streams one attachment, byte for byte, into `key` of the mail bucket. */
  putAttachment(key: string, content: Readable, meta: { contentType: string; filename: string | null }): Promise<void>;
  /**
   * Stores a text at `key` of the mail bucket, UTF-8: a body too long for the ledger
   * (`text/plain`, the default), or a follow-up's sanitized HTML (`text/html`).
   */
  putText(key: string, text: string, mediaType?: 'text/plain' | 'text/html'): Promise<void>;
}

/** One raw mail as the inbound prefix lists it. */
export interface ListedMail {
  readonly key: string;
  readonly lastModified: Date;
}

/** The raw mail under the inbound prefix, as the sweep looks at it. */
export interface InboundListing {
  /** Every object under `prefix` of the mail bucket, in key order. */
  list(prefix: string): AsyncIterable<ListedMail>;
  /** The raw mail's tags (`{}` when it has none), or `null` when it is gone. */
  tags(location: MailLocation): Promise<Readonly<Record<string, string>> | null>;
}

/** What creating a ticket found. */
export type CreateTicketResult = 'created' | 'already-created' | 'id-taken';

/** Tickets in DynamoDB. */
export interface TicketStore {
  get(id: number): Promise<Ticket | null>;
  /** Reserves the next ticket id (atomic counter). Ids are never reused; a crash leaves a gap. */
  allocateId(): Promise<number>;
  /**
   * Writes the ticket unless its id exists: `already-created` when it was created from the same
   * mail before, `id-taken` when another ticket holds the id.
   */
  create(ticket: NewTicket): Promise<CreateTicketResult>;
  /** Sets a resolved or closed ticket to reopened; answers whether it changed anything. */
  reopen(id: number, at: string): Promise<boolean>;
  /**
   * Replaces the ticket's CC list with `next` when it still holds `expected` (a conditional
   * write): `changed` when another writer changed it first, or the ticket is gone.
   */
  replaceCc(id: number, expected: readonly string[], next: readonly string[], at: string): Promise<'replaced' | 'changed'>;
}

/** What importing one ticket found. */
export type ImportTicketResult =
  | { readonly result: 'imported' }
  /** The id is taken (an earlier import, or a ticket the gateway opened): nothing was written. */
  | { readonly result: 'present'; readonly existing: Ticket };

/** Loading existing tickets into the tickets table (`npm run import-tickets`). */
export interface TicketImportStore {
  /** Writes the ticket unless its id exists; never overwrites. */
  importTicket(ticket: Ticket & { readonly importedFrom: string }): Promise<ImportTicketResult>;
  /** Raises the id counter to at least `id`, never lowering it; answers the counter before and after. */
  raiseCounter(id: number): Promise<{ readonly before: number; readonly after: number }>;
}

/** What {@link Prefetcher.prefetch} found. */
export interface Prefetched {
  /** Ledger entries found, by key (missing keys are absent). */
  readonly entries: ReadonlyMap<string, LedgerEntry>;
  /** Every requested ticket id: its ticket, or `null` when it does not exist. */
  readonly tickets: ReadonlyMap<number, Ticket | null>;
}

/** Reads what one mail's decision needs from the ledger and the tickets in one round trip. */
export interface Prefetcher {
  prefetch(request: { readonly messageKeys: readonly string[]; readonly ticketIds: readonly number[] }): Promise<Prefetched>;
}

/** What writing a final ledger entry found. */
export type RecordResult =
  /** Written now: this attempt applied or skipped the mail. */
  | 'recorded'
  /** The same object was recorded by an earlier or concurrent attempt: nothing more to do. */
  | 'already-recorded'
  /** Another object holds this Message-ID: this mail is a duplicate. */
  | 'taken-by-other';

/**
 * How a ledger write treats an entry of the same object that says it was skipped: a normal
 * delivery leaves it alone (the mail is done); a replay replaces it, but only with an outcome that
 * got further with the mail (`replaceableSkipReasons` in ledger-outcomes.ts).
 */
export interface LedgerWriteOptions {
  readonly replacingSkip?: boolean;
}

/** Which skipped entries to list. */
export interface SkippedFilter {
  readonly reason?: SkipReason;
  /** Only entries recorded at or after this instant. */
  readonly since?: Date;
  /** Only entries that named this ticket. */
  readonly ticketId?: number;
}

/** The message ledger in DynamoDB. */
export interface MessageLedger {
  /** Reads the entries under these keys (strongly consistent); missing keys are absent. */
  lookup(messageKeys: readonly string[]): Promise<Map<string, LedgerEntry>>;
  /** Reserves this mail's key for a new ticket. Answers the entry that holds the key afterwards. */
  claim(entry: PendingEntry, options?: LedgerWriteOptions): Promise<LedgerEntry>;
  /** Points a pending claim at another ticket id (when the first one turned out to be taken). */
  reclaim(messageKey: string, ticketId: number): Promise<void>;
  /** Writes the final entry: unconditionally new, or over this same object's pending claim. */
  record(entry: FinalEntry, options?: LedgerWriteOptions): Promise<RecordResult>;
  /** Lists skipped inbound entries (a scan: for operators, not for the per-mail path). */
  skipped(filter: SkippedFilter): AsyncIterable<SkippedEntry>;
  /** Removes a skipped entry that a replay recorded under another key; false when it changed meanwhile. */
  removeSkipped(entry: SkippedEntry): Promise<boolean>;
  /** Lists claims for new tickets recorded before `before` and never finished (a scan, for the sweep). */
  pendingClaims(before: Date): AsyncIterable<PendingEntry>;
  /** Registers the Message-ID of an outbound notification for a ticket. */
  registerOutbound(messageId: string, ticketId: number, at: string): Promise<void>;
  /**
   * Marks a final entry as published (`publishedAt = at`), after its event was accepted: a single
   * conditional update on the entry's `recordedAt`. Answers false when the entry was replaced (a
   * replay) or removed meanwhile; the entry that replaced it publishes its own event.
   */
  markPublished(entry: Pick<FinalEntry, 'messageKey' | 'recordedAt'>, at: string): Promise<boolean>;
}

/** Publishes the gateway's events (on AWS: Amazon EventBridge `PutEvents`). */
export interface EventPublisher {
  /**
   * Publishes the entries; resolves once EventBridge accepted every one of them. Throws
   * `TransientError` otherwise — throttling, a failed entry (`FailedEntryCount > 0`), an
   * unreachable endpoint, a missing permission — so that the mail is delivered again and its
   * unmarked entry published again (at least once; consumers dedupe on the idempotency key).
   */
  publish(entries: readonly PutEventsEntry[]): Promise<void>;
}
