/**
 * The pipeline's ports for a dry run (`npm run inspect`): every read goes to the real store, every
 * write throws {@link ReadOnlyError}. The inspection never calls a write on purpose (it stops the
 * plan before a new ticket's id is reserved, `draftPlan` of `lib/pipeline/plan.ts`); these wrappers
 * make sure that a change elsewhere cannot turn it into one that writes.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GatewayError } from '../errors.js';
import type { MessageLedger, Prefetcher, RawMailStore, TicketStore } from '../ports.js';

/** A dry run tried to write: a programming error, never a mail's outcome. */
export class ReadOnlyError extends GatewayError {
  constructor(what: string) {
    super(`dry run: ${what} would write, and nothing may be written`);
  }
}

/** A write method that rejects, as the port's promise would. */
const refuse = (what: string) => (): Promise<never> => Promise.reject(new ReadOnlyError(what));

/** The raw mail store, reads only. */
export function readOnlyRawMail(store: RawMailStore): RawMailStore {
  return {
    open: (location) => store.open(location),
    hash: (location) => store.hash(location),
    quarantine: refuse('moving the raw mail to the quarantine'),
    markOutcome: refuse('tagging the raw mail'),
    putAttachment: refuse('storing an attachment'),
    putText: refuse('storing a body'),
  };
}

/**
 * A raw mail store whose `putAttachment` reads the attachment to its end and keeps nothing (every
 * other method throws): under `storingSink` (`lib/attachment-sinks.ts`) it gives each attachment
 * the verdict the policy would give it, sizes included, without storing a byte.
 */
export function discardingAttachmentStore(): RawMailStore {
  return {
    open: refuse('opening a mail through the attachment store'),
    hash: refuse('hashing a mail through the attachment store'),
    quarantine: refuse('moving the raw mail to the quarantine'),
    markOutcome: refuse('tagging the raw mail'),
    putText: refuse('storing a body'),
    putAttachment: async (_key, content) => {
      await pipeline(content, new Writable({ write: (_chunk, _encoding, done) => done() }));
    },
  };
}

/** The tickets, reads only. */
export function readOnlyTickets(store: TicketStore): TicketStore {
  return {
    get: (id) => store.get(id),
    allocateId: refuse('reserving a ticket id'),
    create: refuse('creating a ticket'),
    reopen: refuse('reopening a ticket'),
    replaceCc: refuse("changing a ticket's CC list"),
  };
}

/** The message ledger, reads only. */
export function readOnlyLedger(ledger: MessageLedger): MessageLedger {
  return {
    lookup: (keys) => ledger.lookup(keys),
    skipped: (filter) => ledger.skipped(filter),
    pendingClaims: (before) => ledger.pendingClaims(before),
    claim: refuse('claiming a ledger key'),
    reclaim: refuse('re-pointing a ledger claim'),
    record: refuse('recording a ledger entry'),
    removeSkipped: refuse('removing a ledger entry'),
    registerOutbound: refuse('registering an outbound Message-ID'),
    markPublished: refuse('marking a ledger entry published'),
  };
}

/** The prefetcher only reads; it is passed through as it is, named here for completeness. */
export function readOnlyPrefetcher(prefetcher: Prefetcher): Prefetcher {
  return { prefetch: (request) => prefetcher.prefetch(request) };
}
