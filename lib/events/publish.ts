/**
 * Telling the outside world after the commit (the transactional-outbox pattern without a second
 * table): the ledger entry is written first; then its event is published; then the entry is
 * marked `publishedAt`. A crash or a failure anywhere in between leaves the entry unmarked, and
 * the redelivered mail publishes it again — at least once, never before the commit. Consumers
 * dedupe on the detail's `idempotencyKey`.
 */
import type { LedgerEntry } from '../ledger-entry.js';
import type { EventPublisher, MessageLedger } from '../ports.js';
import { gatewayEvent } from './gateway-event.js';

/** What publishing needs. */
export interface EventDeps {
  readonly publisher: EventPublisher;
  readonly ledger: Pick<MessageLedger, 'markPublished'>;
  /** The bus (name or ARN), from `EVENT_BUS_NAME`. */
  readonly eventBusName: string;
  readonly now: () => Date;
}

/** What {@link publishAfterCommit} did. */
export type PublishResult =
  /** The event was accepted and the entry marked (or found replaced meanwhile: its successor publishes its own). */
  | 'published'
  /** The entry carries the mark: an earlier attempt published it. */
  | 'already-published'
  /** Not a final inbound entry (a pending claim, an outbound Message-ID): there is nothing to announce. */
  | 'not-final';

/**
 * Publishes the event of a committed ledger entry unless it is marked, then marks it.
 *
 * Call it with the entry **as stored**: the one just written, or — for a redelivery — the one
 * read back from the ledger, whose `recordedAt` and `publishedAt` are the stored ones. `text` is
 * the mail's text, used for the snippet when the entry keeps its body in S3.
 *
 * @throws TransientError when publishing or marking fails; the mail must be retried (its entry
 *   stays unmarked, so the retry publishes it).
 */
export async function publishAfterCommit(deps: EventDeps, entry: LedgerEntry, text?: string): Promise<PublishResult> {
  if (entry.direction !== 'inbound' || entry.state === 'pending') return 'not-final';
  if (entry.publishedAt) return 'already-published';
  const event = gatewayEvent(entry, { eventBusName: deps.eventBusName, ...(text === undefined ? {} : { text }) });
  await deps.publisher.publish([event]);
  await deps.ledger.markPublished(entry, deps.now().toISOString());
  return 'published';
}
