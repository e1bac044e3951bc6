/**
 * Writes an import plan (`ticket-import.ts`) into the tickets table: each ticket with a single
 * conditional put that never overwrites (a re-run finds its tickets present and writes nothing),
 * then the id counter raised to the file's highest id (never lowered), so the tickets the gateway
 * opens next take ids after the imported ones. Outbound Message-IDs of a tickets file are
 * registered in the ledger, idempotently.
 */
import { GatewayError } from '../errors.js';
import { registerOutboundMessage } from '../outbound.js';
import type { MessageLedger, TicketImportStore } from '../ports.js';
import type { Ticket } from '../ticket.js';
import type { ImportedTicket, ImportPlan, Skipped } from './ticket-import.js';

export interface ImportDeps {
  readonly store: TicketImportStore;
  readonly ledger: Pick<MessageLedger, 'registerOutbound'>;
  readonly now: () => Date;
}

/** What an import did. */
export interface ImportReport {
  readonly imported: readonly ImportedTicket[];
  /** Tickets whose id was taken: `unchanged` when the table holds the same ticket (a re-run). */
  readonly present: readonly { readonly ticket: ImportedTicket; readonly unchanged: boolean }[];
  readonly skipped: readonly Skipped[];
  readonly notes: readonly string[];
  readonly counter: { readonly before: number; readonly after: number };
  readonly outboundRegistered: number;
}

/** The fields an import sets, compared to tell a re-run from a different ticket under the same id. */
function sameTicket(a: Ticket, b: Ticket): boolean {
  const fields = (t: Ticket) => JSON.stringify([t.queue, t.status, t.title, t.submitter, [...t.cc].sort(), t.mergedInto ?? null]);
  return fields(a) === fields(b);
}

async function registerOutbound(deps: ImportDeps, ticket: ImportedTicket, skipped: Skipped[]): Promise<number> {
  let registered = 0;
  for (const messageId of ticket.outboundMessageIds ?? []) {
    try {
      await registerOutboundMessage({ tickets: { get: async () => ticket }, ledger: deps.ledger }, messageId, ticket.id, deps.now());
      registered += 1;
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      skipped.push({ what: `Message-ID <${messageId}> of ticket ${ticket.id}`, why: error.message });
    }
  }
  return registered;
}

/** Imports the plan's tickets; `importedFrom` is stored on each new ticket item, for provenance. */
export async function importTickets(deps: ImportDeps, plan: ImportPlan): Promise<ImportReport> {
  const imported: ImportedTicket[] = [];
  const present: { ticket: ImportedTicket; unchanged: boolean }[] = [];
  const skipped = [...plan.skipped];
  let outboundRegistered = 0;
  for (const ticket of plan.tickets) {
    const { outboundMessageIds: _, ...fields } = ticket;
    const result = await deps.store.importTicket({ ...fields, importedFrom: plan.format });
    if (result.result === 'imported') imported.push(ticket);
    else present.push({ ticket, unchanged: sameTicket(result.existing, ticket) });
    outboundRegistered += await registerOutbound(deps, ticket, skipped);
  }
  const counter = await deps.store.raiseCounter(plan.highestId);
  return { imported, present, skipped, notes: plan.notes, counter, outboundRegistered };
}
