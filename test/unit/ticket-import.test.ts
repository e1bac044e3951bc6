import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DJANGO_HELPDESK_STATUSES, ImportFileError, dumpInstant, parseTicketImport } from '../../lib/import/ticket-import.js';

const NOW = new Date('2026-11-30T12:00:00Z');
const dumpdata = JSON.parse(await readFile(new URL('../fixtures/import/django-helpdesk-dumpdata.json', import.meta.url), 'utf8')) as unknown[];

const queue = (pk: number, slug: unknown) => ({ model: 'helpdesk.queue', pk, fields: { title: String(slug), slug } });
const ticket = (pk: unknown, fields: Record<string, unknown>) => ({
  model: 'helpdesk.ticket',
  pk,
  fields: { title: 't', queue: 1, status: 1, submitter_email: 'a@customer.example', created: '2026-01-01T00:00:00Z', modified: '2026-01-02T00:00:00Z', merged_to: null, ...fields },
});

describe('a django-helpdesk dumpdata file', () => {
  const plan = parseTicketImport(dumpdata, NOW);

  it('becomes tickets with their queue slugs, statuses, submitters, CCs and merges', () => {
    expect(plan.format).toBe('django-helpdesk dumpdata');
    expect(plan.tickets.map((t) => [t.id, t.queue, t.status, t.submitter, t.cc, t.mergedInto ?? null])).toEqual([
      [3, 'support', 'open', 'ada@customer.example', ['grace@customer.example'], null],
      [7, 'support', 'reopened', 'bob@customer.example', ['linus@helpdesk.example.com'], null],
      [12, 'billing', 'resolved', 'carol@customer.example', [], null],
      [15, 'support', 'closed', 'dave@customer.example', [], null],
      [16, 'support', 'duplicate', 'erin@customer.example', [], 3],
    ]);
    expect(plan.queues).toEqual(['billing', 'support']);
  });

  it('keeps the times, in UTC, reading naive ones as UTC', () => {
    const byId = new Map(plan.tickets.map((t) => [t.id, t]));
    expect(byId.get(3)).toMatchObject({ createdAt: '2026-10-01T09:15:02.481Z', updatedAt: '2026-10-02T11:00:00.000Z', title: 'Printer on the 3rd floor jams' });
    expect(byId.get(7)).toMatchObject({ createdAt: '2026-09-12T12:00:00.000Z' });
    expect(byId.get(12)).toMatchObject({ createdAt: '2026-08-03T10:00:00.000Z' });
  });

  it('skips what cannot be a ticket, says why, and still raises the counter past its id', () => {
    expect(plan.skipped).toEqual([{ what: 'ticket 21', why: expect.stringContaining('status 7 is none of') }]);
    expect(plan.highestId).toBe(21);
    expect(plan.notes).toEqual([expect.stringContaining('1 helpdesk.followup records left alone'), expect.stringContaining('CC 3 of ticket 3 has no address')]);
  });

  it('maps every status django-helpdesk defines', () => {
    for (const [number, status] of Object.entries(DJANGO_HELPDESK_STATUSES)) {
      expect(parseTicketImport([queue(1, 'q'), ticket(1, { status: Number(number) })], NOW).tickets[0]?.status).toBe(status);
    }
  });

  it('skips tickets of a missing or unusable queue, with a bad pk, or listed twice', () => {
    const result = parseTicketImport([queue(1, 'ok'), queue(2, 'not a slug'), ticket(1, { queue: 9 }), ticket(2, { queue: 2 }), ticket('x', {}), ticket(4, {}), ticket(4, { title: 'again' })], NOW);
    expect(result.tickets.map((t) => t.id)).toEqual([4]);
    expect(result.skipped.map((s) => s.what)).toEqual(['queue 2', 'ticket 1', 'ticket 2', 'ticket x', 'ticket 4']);
  });

  it('notes a merge into a ticket not in the file, a ticket without submitter, and unreadable dates', () => {
    const result = parseTicketImport([queue(1, 'q'), ticket(5, { merged_to: 99, submitter_email: null, created: 'yesterday', modified: null })], NOW);
    expect(result.tickets[0]).toMatchObject({ id: 5, mergedInto: 99, submitter: '', createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() });
    expect(result.notes).toHaveLength(3);
  });

  it('reads dumpdata instants with and without an offset', () => {
    expect(dumpInstant('2026-03-29T01:30:00+01:00')).toBe('2026-03-29T00:30:00.000Z');
    expect(dumpInstant('2026-03-29 01:30:00')).toBe('2026-03-29T01:30:00.000Z');
    expect(dumpInstant('not a date')).toBeNull();
  });
});

describe('a tickets file', () => {
  it('is read as the local run reads --tickets, entry by entry, skipping bad entries with the reason', () => {
    const result = parseTicketImport(
      [
        { id: 5, queue: 'helpdesk', status: 'closed', title: 'Old', submitter: 'Alice@Example.com', outboundMessageIds: ['n-5@helpdesk.example'] },
        { id: 6, queue: 'helpdesk', status: 'shelved', title: 'Bad' },
        { id: 5, queue: 'helpdesk', status: 'open', title: 'Twice' },
        { id: 9, queue: 'helpdesk', status: 'duplicate', title: 'Merged', submitter: 'b@example.com', mergedInto: 5 },
      ],
      NOW,
    );
    expect(result.format).toBe('tickets file');
    expect(result.tickets.map((t) => [t.id, t.status, t.submitter, t.outboundMessageIds ?? []])).toEqual([
      [5, 'closed', 'alice@example.com', ['n-5@helpdesk.example']],
      [9, 'duplicate', 'b@example.com', []],
    ]);
    expect(result.skipped).toEqual([
      { what: 'ticket 6', why: expect.stringMatching(/^status: expected one of/) },
      { what: 'ticket 5', why: expect.stringContaining('listed twice') },
    ]);
    expect(result.highestId).toBe(9);
  });

  it('is refused when it is no JSON array, or mixes formats', () => {
    expect(() => parseTicketImport({ tickets: [] }, NOW)).toThrow(ImportFileError);
    expect(() => parseTicketImport([queue(1, 'q'), { id: 1 }], NOW)).toThrow(ImportFileError);
  });
});
