/**
 * What an import file holds, read into tickets for the tickets table. Two formats:
 * - the local run's `--tickets` file: a JSON array of `{"id", "queue", "status", "title",
 *   "submitter", "cc"?, "mergedInto"?, "outboundMessageIds"?}` (`lib/local/seed.ts`);
 * - django-helpdesk's `manage.py dumpdata helpdesk.Queue helpdesk.Ticket [helpdesk.TicketCC
 *   auth.User]`: a JSON array of `{"model", "pk", "fields"}` records. A ticket's queue is the
 *   `slug` of its `helpdesk.queue` record; `status` 1–5 is Open, Reopened, Resolved, Closed,
 *   Duplicate; `submitter_email`, `title`, `created`, `modified` and `merged_to` are taken as they
 *   are; its CCs are the `helpdesk.ticketcc` records that name it (their `email`, or the email of
 *   their `user` when the dump has that `auth.user`).
 * A record that cannot become a ticket is skipped with the reason; the rest is imported. Pure.
 */
import { QUEUE_SLUG_PATTERN } from '../mailbox.js';
import { parseTicketSeeds, TicketSeedError } from '../local/seed.js';
import type { Ticket, TicketStatus } from '../ticket.js';

/** One ticket to write. `outboundMessageIds`: notifications of the helpdesk to register for it. */
export interface ImportedTicket extends Ticket {
  readonly outboundMessageIds?: readonly string[];
}

/** What could not be imported, and why. */
export interface Skipped {
  readonly what: string;
  readonly why: string;
}

export type ImportFormat = 'tickets file' | 'django-helpdesk dumpdata';

export interface ImportPlan {
  readonly format: ImportFormat;
  /** By id, ascending. */
  readonly tickets: readonly ImportedTicket[];
  readonly skipped: readonly Skipped[];
  /** Things imported with a caveat, and records of other models left alone. */
  readonly notes: readonly string[];
  /** The queues the imported tickets are in. */
  readonly queues: readonly string[];
  /**
   * The highest ticket id in the file, skipped tickets included (their ids are taken in the
   * helpdesk the file came from): the id counter is raised to it, never lowered. 0 when none.
   */
  readonly highestId: number;
}

/** The file is not an import file at all (not a JSON array). */
export class ImportFileError extends Error {
  override name = 'ImportFileError';
}

/** django-helpdesk's ticket statuses (`helpdesk/settings.py`: OPEN_STATUS = 1 … DUPLICATE_STATUS = 5). */
export const DJANGO_HELPDESK_STATUSES: Readonly<Record<number, TicketStatus>> = { 1: 'open', 2: 'reopened', 3: 'resolved', 4: 'closed', 5: 'duplicate' };

/** django-helpdesk's `Ticket.title` length. */
const MAX_TITLE_LENGTH = 200;

interface DumpRecord {
  readonly model: string;
  readonly pk: unknown;
  readonly fields: Readonly<Record<string, unknown>>;
}

const positiveInteger = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
const address = (value: unknown): string | null => (typeof value === 'string' && value.includes('@') ? value.trim().toLowerCase() : null);

function isDumpRecord(value: unknown): value is DumpRecord {
  const record = value as Partial<DumpRecord> | null;
  return typeof record === 'object' && record !== null && typeof record.model === 'string' && typeof record.fields === 'object' && record.fields !== null;
}

/**
 * An instant from dumpdata: ISO 8601, with an offset when Django ran with `USE_TZ` (else naive,
 * read as UTC). `null` when absent or unreadable.
 */
export function dumpInstant(value: unknown): string | null {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(value)) return null;
  const zoned = /(?:[zZ]|[+-]\d{2}:?\d{2})$/.test(value) ? value : `${value}Z`;
  const date = new Date(zoned.replace(' ', 'T'));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Reads an import file's JSON in either format. Throws {@link ImportFileError} when it is neither. */
export function parseTicketImport(json: unknown, now: Date): ImportPlan {
  if (!Array.isArray(json)) throw new ImportFileError('expected a JSON array: a tickets file, or the output of manage.py dumpdata');
  if (json.length > 0 && json.every(isDumpRecord)) return fromDumpdata(json, now);
  if (json.some(isDumpRecord)) throw new ImportFileError('a mix of dumpdata records and other values');
  return fromTicketsFile(json, now);
}

function plan(format: ImportFormat, tickets: ImportedTicket[], skipped: Skipped[], notes: string[], idsInFile: readonly unknown[]): ImportPlan {
  const sorted = tickets.sort((a, b) => a.id - b.id);
  const ids = new Set(sorted.map((t) => t.id));
  for (const t of sorted) {
    if (t.mergedInto !== undefined && !ids.has(t.mergedInto)) notes.push(`ticket ${t.id} is merged into ticket ${t.mergedInto}, which is not in the file: mail for ${t.id} finds it only if it exists`);
  }
  const highestId = Math.max(0, ...idsInFile.filter(positiveInteger));
  return { format, tickets: sorted, skipped, notes, queues: [...new Set(sorted.map((t) => t.queue))].sort(), highestId };
}

function fromTicketsFile(json: readonly unknown[], now: Date): ImportPlan {
  const tickets: ImportedTicket[] = [];
  const skipped: Skipped[] = [];
  const at = now.toISOString();
  json.forEach((value, index) => {
    const id = (value as { id?: unknown } | null)?.id;
    const what = positiveInteger(id) ? `ticket ${id}` : `entry ${index}`;
    try {
      const [seed] = parseTicketSeeds([value], 'entry');
      if (!seed) return;
      if (tickets.some((t) => t.id === seed.id)) skipped.push({ what, why: `ticket ${seed.id} is listed twice; the first one is imported` });
      else tickets.push({ ...seed, createdAt: at, updatedAt: at });
    } catch (error) {
      if (!(error instanceof TicketSeedError)) throw error;
      skipped.push({ what, why: error.message.replace(/^entry\[0\]\.?/, '') });
    }
  });
  return plan('tickets file', tickets, skipped, [], json.map((value) => (value as { id?: unknown } | null)?.id));
}

/** Models the import reads; records of any other model are counted in a note and left alone. */
const READ_MODELS = ['helpdesk.queue', 'helpdesk.ticket', 'helpdesk.ticketcc', 'auth.user'] as const;

function byModel(records: readonly DumpRecord[]): { models: Map<string, DumpRecord[]>; notes: string[] } {
  const models = new Map<string, DumpRecord[]>();
  for (const record of records) {
    const model = record.model.toLowerCase();
    models.set(model, [...(models.get(model) ?? []), record]);
  }
  const notes = [...models].filter(([model]) => !(READ_MODELS as readonly string[]).includes(model)).map(([model, list]) => `${list.length} ${model} records left alone (only ${READ_MODELS.join(', ')} are read)`);
  return { models, notes };
}

/** Queue pk → slug, skipping queues whose slug cannot be a subject tag here. */
function queueSlugs(records: readonly DumpRecord[], skipped: Skipped[]): Map<unknown, string> {
  const slugs = new Map<unknown, string>();
  for (const { pk, fields } of records) {
    if (typeof fields.slug === 'string' && QUEUE_SLUG_PATTERN.test(fields.slug)) slugs.set(pk, fields.slug);
    else skipped.push({ what: `queue ${String(pk)}`, why: `slug ${JSON.stringify(fields.slug)} is not letters, digits, "-" and "_" (at most 50); its tickets are skipped` });
  }
  return slugs;
}

/** Ticket pk → CC addresses, from TicketCC records (their email, or their user's). */
function ticketCcs(records: readonly DumpRecord[], users: readonly DumpRecord[], notes: string[]): Map<unknown, string[]> {
  const emails = new Map<string, string>();
  for (const { pk, fields } of users) {
    const email = address(fields.email);
    if (email === null) continue;
    emails.set(JSON.stringify(pk), email);
    if (typeof fields.username === 'string') emails.set(JSON.stringify([fields.username]), email);
  }
  const ccs = new Map<unknown, string[]>();
  for (const { pk, fields } of records) {
    const email = (fields.user !== null && fields.user !== undefined ? emails.get(JSON.stringify(fields.user)) : undefined) ?? address(fields.email);
    if (email === null || email === undefined) {
      notes.push(`CC ${String(pk)} of ticket ${String(fields.ticket)} has no address here (a user not in the file: add auth.User to the dump)`);
      continue;
    }
    ccs.set(fields.ticket, [...(ccs.get(fields.ticket) ?? []), email]);
  }
  return ccs;
}

interface TicketContext {
  readonly slugs: ReadonlyMap<unknown, string>;
  readonly ccs: ReadonlyMap<unknown, readonly string[]>;
  readonly notes: string[];
  readonly at: string;
}

/** One `helpdesk.ticket` record as a ticket, or why it cannot be one. */
function ticketOf({ pk, fields }: DumpRecord, ctx: TicketContext): ImportedTicket | string {
  if (!positiveInteger(pk)) return 'its pk is not a positive integer';
  const queue = ctx.slugs.get(fields.queue);
  if (queue === undefined) return `its queue ${String(fields.queue)} is not in the file (dump helpdesk.Queue too) or has an unusable slug`;
  const status = typeof fields.status === 'number' ? DJANGO_HELPDESK_STATUSES[fields.status] : undefined;
  if (status === undefined) return `status ${JSON.stringify(fields.status)} is none of django-helpdesk's 1-5 (Open, Reopened, Resolved, Closed, Duplicate)`;
  const submitter = address(fields.submitter_email) ?? '';
  if (submitter === '') ctx.notes.push(`ticket ${pk} has no submitter e-mail: under the strict sender policy only CCs and agents can update it by mail`);
  const createdAt = dumpInstant(fields.created);
  if (createdAt === null) ctx.notes.push(`ticket ${pk} has no readable "created"; the import time is used`);
  return {
    id: pk,
    queue,
    status,
    title: (typeof fields.title === 'string' ? fields.title : '').slice(0, MAX_TITLE_LENGTH),
    submitter,
    cc: [...new Set(ctx.ccs.get(pk) ?? [])].filter((a) => a !== submitter),
    ...(positiveInteger(fields.merged_to) && fields.merged_to !== pk ? { mergedInto: fields.merged_to } : {}),
    createdAt: createdAt ?? ctx.at,
    updatedAt: dumpInstant(fields.modified) ?? createdAt ?? ctx.at,
  };
}

function fromDumpdata(records: readonly DumpRecord[], now: Date): ImportPlan {
  const skipped: Skipped[] = [];
  const { models, notes } = byModel(records);
  const slugs = queueSlugs(models.get('helpdesk.queue') ?? [], skipped);
  const ccs = ticketCcs(models.get('helpdesk.ticketcc') ?? [], models.get('auth.user') ?? [], notes);
  const ctx: TicketContext = { slugs, ccs, notes, at: now.toISOString() };
  const tickets: ImportedTicket[] = [];
  for (const record of models.get('helpdesk.ticket') ?? []) {
    const what = `ticket ${String(record.pk)}`;
    const ticket = ticketOf(record, ctx);
    if (typeof ticket === 'string') skipped.push({ what, why: ticket });
    else if (tickets.some((t) => t.id === ticket.id)) skipped.push({ what, why: 'listed twice; the first one is imported' });
    else tickets.push(ticket);
  }
  if (!models.has('helpdesk.ticket')) notes.push('the file has no helpdesk.ticket records');
  return plan('django-helpdesk dumpdata', tickets, skipped, notes, (models.get('helpdesk.ticket') ?? []).map((r) => r.pk));
}
