/**
 * The DynamoDB ticket store (lib/adapters/dynamodb-ticket-store.ts) against the embedded dynalite,
 * called directly: how stored items read back as tickets, create / import / reopen / CC
 * replacement and their conditions, the id counter (allocate, raise only upward), and which
 * failure each call reports (the operation named in the error). It exists for mutation testing:
 * these rules were only reached through the handler or a CLI child process (`npm run import-tickets`),
 * where Stryker could not see which of them a test pins.
 */
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/adapters/aws-clients.js';
import { DynamoTicketStore, TICKET_COUNTER_ID } from '../../lib/adapters/dynamodb-ticket-store.js';
import { loadConfig } from '../../lib/config.js';
import { TransientError } from '../../lib/errors.js';
import type { NewTicket, Ticket } from '../../lib/ticket.js';
import { destroyAwsClients, useAwsClients } from '../helpers/aws-clients.js';
import { failureOf } from '../helpers/failure.js';
import { useGateway } from '../helpers/gateway.js';
import { freshTicketId } from '../helpers/local-aws.js';
import { requestsDuring } from '../helpers/observing.js';

const fixture = useGateway({ mode: 'update-only' });
const clients = useAwsClients();

let tableName: string;
let store: DynamoTicketStore;

beforeAll(() => {
  tableName = loadConfig().ticketsTable;
  store = new DynamoTicketStore(clients.dynamo, tableName);
});

const AT = '2025-03-04T05:06:07.000Z';
const LATER = '2025-03-05T00:00:00.000Z';

/** Writes an item as the helpdesk might have stored it, fields and types as given. */
async function putRaw(item: Record<string, unknown>): Promise<void> {
  await clients.dynamo.send(new PutCommand({ TableName: tableName, Item: item }));
}

async function counterOf(db: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: table, Key: { id: TICKET_COUNTER_ID }, ConsistentRead: true }));
  return Item;
}

function newTicket(id: number, sourceMessageKey: string, fields: Partial<NewTicket> = {}): NewTicket {
  return {
    id,
    queue: 'support',
    status: 'open',
    title: `opened by ${sourceMessageKey}`,
    submitter: 'alice@example.com',
    cc: ['bob@example.com'],
    createdAt: AT,
    updatedAt: AT,
    description: 'It does not print.',
    sourceMessageKey,
    ...fields,
  };
}

describe('reading tickets', () => {
  it('reads an item with every field as the helpdesk stores it', async () => {
    const id = freshTicketId();
    await putRaw({ id, queue: 'billing', status: 'duplicate', title: 'Invoice', submitter: 'erin@example.org', cc: ['a@example.org', 'b@example.org'], mergedInto: 42, createdAt: AT, updatedAt: LATER, extra: 'ignored' });
    expect(await store.get(id)).toStrictEqual({
      id,
      queue: 'billing',
      status: 'duplicate',
      title: 'Invoice',
      submitter: 'erin@example.org',
      cc: ['a@example.org', 'b@example.org'],
      mergedInto: 42,
      createdAt: AT,
      updatedAt: LATER,
    });
  });

  it('gives the fields a bare item leaves out safe defaults: no CC list is an empty one, no merge is no mergedInto at all', async () => {
    const id = freshTicketId();
    await putRaw({ id });
    const ticket = await store.get(id);
    expect(ticket).toStrictEqual({ id, queue: '', status: 'open', title: '', submitter: '', cc: [], createdAt: '', updatedAt: '' });
    expect(ticket).not.toHaveProperty('mergedInto');
  });

  it('keeps only the addresses of a CC list, and ignores a mergedInto that is 0, negative or not a number', async () => {
    const [zero, text, negative] = [freshTicketId(), freshTicketId(), freshTicketId()];
    await putRaw({ id: zero, status: 'no-such-status', title: 7, cc: ['a@example.org', 7, null, 'b@example.org', ['c@example.org']], mergedInto: 0 });
    await putRaw({ id: text, status: 'open', cc: 'a@example.org', mergedInto: '42' });
    await putRaw({ id: negative, status: 'open', mergedInto: -1 });
    expect(await store.get(zero)).toStrictEqual({ id: zero, queue: '', status: 'open', title: '', submitter: '', cc: ['a@example.org', 'b@example.org'], createdAt: '', updatedAt: '' });
    expect(await store.get(text)).toStrictEqual({ id: text, queue: '', status: 'open', title: '', submitter: '', cc: [], createdAt: '', updatedAt: '' });
    expect(await store.get(negative)).not.toHaveProperty('mergedInto');
  });

  it('answers null for a ticket that does not exist, and for id 0, the counter item, which is no ticket', async () => {
    expect(await store.get(freshTicketId())).toBeNull();
    // The seeded table has its counter: the item exists, but is not a ticket.
    expect(await fixture.aws.ticket(TICKET_COUNTER_ID)).toMatchObject({ id: 0, lastTicketId: expect.any(Number) });
    expect(await store.get(TICKET_COUNTER_ID)).toBeNull();
  });

  it('reads consistently: a ticket written a moment ago (a concurrent create) must be seen', async () => {
    // dynalite is always consistent; DynamoDB is only when asked, so the request is what is checked.
    const id = freshTicketId();
    await putRaw({ id, status: 'open' });
    const { result, requests } = await requestsDuring(() => store.get(id));
    expect(result).toMatchObject({ id });
    expect(requests.map((r) => JSON.parse(r.body ?? '{}') as unknown)).toEqual([{ TableName: tableName, Key: { id: { N: String(id) } }, ConsistentRead: true }]);
  });
});

describe('creating tickets', () => {
  it('creates a ticket once; the same mail again finds it already created, another mail finds the id taken', async () => {
    const id = freshTicketId();
    const ticket = newTicket(id, `mail-${id}-a`);
    expect(await store.create(ticket)).toBe('created');
    expect(await fixture.aws.ticket(id)).toEqual({ ...ticket });

    expect(await store.create({ ...ticket, title: 'again' })).toBe('already-created');
    expect(await store.create(newTicket(id, `mail-${id}-b`, { title: 'someone else' }))).toBe('id-taken');
    expect(await fixture.aws.ticket(id)).toEqual({ ...ticket });
  });

  it('finds the id taken by a ticket the helpdesk opened itself (no sourceMessageKey)', async () => {
    const id = freshTicketId();
    await putRaw({ id, status: 'open', title: 'opened in the web form' });
    expect(await store.create(newTicket(id, `mail-${id}`))).toBe('id-taken');
    expect(await fixture.aws.ticket(id)).toEqual({ id, status: 'open', title: 'opened in the web form' });
  });
});

describe('importing tickets', () => {
  const imported = (id: number, fields: Partial<Ticket> = {}): Ticket & { importedFrom: string } => ({
    id,
    queue: 'support',
    status: 'closed',
    title: 'Printer jams',
    submitter: 'alice@example.com',
    cc: ['bob@example.com', 'carol@example.com'],
    createdAt: AT,
    updatedAt: LATER,
    importedFrom: 'helpdesk-export.json',
    ...fields,
  });

  it('writes a ticket that is not there, with its CC list, and leaves one that is there as it was', async () => {
    const id = freshTicketId();
    const first = imported(id, { mergedInto: 42, status: 'duplicate' });
    expect(await store.importTicket(first)).toEqual({ result: 'imported' });
    expect(await fixture.aws.ticket(id)).toEqual({ ...first, cc: ['bob@example.com', 'carol@example.com'] });

    const again = await store.importTicket(imported(id, { title: 'changed since', cc: [] }));
    // The stored ticket, as a ticket (importedFrom is no ticket field).
    expect(again).toStrictEqual({
      result: 'present',
      existing: { id, queue: 'support', status: 'duplicate', title: 'Printer jams', submitter: 'alice@example.com', cc: ['bob@example.com', 'carol@example.com'], mergedInto: 42, createdAt: AT, updatedAt: LATER },
    });
    expect(await fixture.aws.ticket(id)).toEqual({ ...first });
  });

  it('reports a ticket that vanished between the refused write and the read as transient', async () => {
    // A real server gives this only in a race: the ticket is deleted, on the server, right after
    // the conditional write found it (a middleware on this test's own client does the delete).
    const id = freshTicketId();
    const own = createAwsClients();
    try {
      await putRaw({ id, status: 'open' });
      own.dynamo.middlewareStack.add(
        (next) => async (args) => {
          try {
            return await next(args);
          } catch (error) {
            if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') {
              await clients.dynamo.send(new DeleteCommand({ TableName: tableName, Key: { id } }));
            }
            throw error;
          }
        },
        { step: 'initialize', name: 'deleteAfterRefusedWrite' },
      );
      const failure = await failureOf(() => new DynamoTicketStore(own.dynamo, tableName).importTicket(imported(id)));
      expect(failure).toBeInstanceOf(TransientError);
      expect(failure.message).toBe(`ticket ${id} vanished while being imported`);
      expect(await fixture.aws.ticket(id)).toBeUndefined();
    } finally {
      destroyAwsClients(own);
    }
  });
});

describe('the ticket id counter', () => {
  // Each test has a table of its own (the shared table's counter moves): the ids are the test's alone.
  it('allocates ids one after another from a table without a counter', async () => {
    const table = await fixture.aws.freshTicketsTable('tickets');
    const fresh = new DynamoTicketStore(clients.dynamo, table);
    expect(await fresh.allocateId()).toBe(1);
    expect(await fresh.allocateId()).toBe(2);
    expect(await counterOf(clients.dynamo, table)).toEqual({ id: 0, lastTicketId: 2 });
  });

  it('raises the counter only upward, and says where it was and where it is', async () => {
    const table = await fixture.aws.freshTicketsTable('tickets');
    const fresh = new DynamoTicketStore(clients.dynamo, table);
    // No counter yet: it was at 0.
    expect(await fresh.raiseCounter(9130)).toEqual({ before: 0, after: 9130 });
    expect(await counterOf(clients.dynamo, table)).toEqual({ id: 0, lastTicketId: 9130 });

    expect(await fresh.raiseCounter(9140)).toEqual({ before: 9130, after: 9140 });
    // Lower, or the same: left as it is.
    expect(await fresh.raiseCounter(9135)).toEqual({ before: 9140, after: 9140 });
    expect(await fresh.raiseCounter(9140)).toEqual({ before: 9140, after: 9140 });
    expect(await counterOf(clients.dynamo, table)).toEqual({ id: 0, lastTicketId: 9140 });

    // Ids allocated afterwards come after the raised counter.
    expect(await fresh.allocateId()).toBe(9141);
  });

  it('raises a counter item that has no lastTicketId yet', async () => {
    const table = await fixture.aws.freshTicketsTable('tickets');
    await clients.dynamo.send(new PutCommand({ TableName: table, Item: { id: TICKET_COUNTER_ID } }));
    expect(await new DynamoTicketStore(clients.dynamo, table).raiseCounter(9131)).toEqual({ before: 0, after: 9131 });
    expect(await counterOf(clients.dynamo, table)).toEqual({ id: 0, lastTicketId: 9131 });
  });
});

describe('reopening tickets', () => {
  it('reopens a resolved or closed ticket, and stamps it', async () => {
    const [closed, resolved] = [freshTicketId(), freshTicketId()];
    await putRaw({ id: closed, status: 'closed', title: 'VPN', updatedAt: AT });
    await putRaw({ id: resolved, status: 'resolved', title: 'Old', updatedAt: AT });
    expect(await store.reopen(closed, LATER)).toBe(true);
    expect(await store.reopen(resolved, LATER)).toBe(true);
    expect(await fixture.aws.ticket(closed)).toEqual({ id: closed, status: 'reopened', title: 'VPN', updatedAt: LATER });
    expect(await fixture.aws.ticket(resolved)).toEqual({ id: resolved, status: 'reopened', title: 'Old', updatedAt: LATER });
  });

  it('leaves an open, reopened or merged ticket as it is, and creates none that is missing', async () => {
    for (const status of ['open', 'reopened', 'duplicate'] as const) {
      const id = freshTicketId();
      await putRaw({ id, status, updatedAt: AT });
      expect(await store.reopen(id, LATER)).toBe(false);
      expect(await fixture.aws.ticket(id)).toEqual({ id, status, updatedAt: AT });
    }
    const missing = freshTicketId();
    expect(await store.reopen(missing, LATER)).toBe(false);
    expect(await fixture.aws.ticket(missing)).toBeUndefined();
  });
});

describe('replacing the CC list', () => {
  it('replaces a list that is as expected', async () => {
    const id = freshTicketId();
    await putRaw({ id, status: 'open', cc: ['a@example.org', 'b@example.org'], updatedAt: AT });
    expect(await store.replaceCc(id, ['a@example.org', 'b@example.org'], ['a@example.org', 'b@example.org', 'c@example.org'], LATER)).toBe('replaced');
    expect(await fixture.aws.ticket(id)).toEqual({ id, status: 'open', cc: ['a@example.org', 'b@example.org', 'c@example.org'], updatedAt: LATER });
  });

  it('takes an absent list as the empty one it reads as, as well as a stored empty list', async () => {
    const [absent, empty] = [freshTicketId(), freshTicketId()];
    await putRaw({ id: absent, status: 'open', updatedAt: AT });
    await putRaw({ id: empty, status: 'open', cc: [], updatedAt: AT });
    expect(await store.replaceCc(absent, [], ['new@example.org'], LATER)).toBe('replaced');
    expect(await store.replaceCc(empty, [], ['new@example.org'], LATER)).toBe('replaced');
    expect(await fixture.aws.ticket(absent)).toEqual({ id: absent, status: 'open', cc: ['new@example.org'], updatedAt: LATER });
    expect(await fixture.aws.ticket(empty)).toEqual({ id: empty, status: 'open', cc: ['new@example.org'], updatedAt: LATER });
  });

  it('answers changed, writing nothing, when the list is not as expected or the ticket is missing', async () => {
    const [id, missing] = [freshTicketId(), freshTicketId()];
    await putRaw({ id, status: 'open', cc: ['a@example.org', 'b@example.org'], updatedAt: AT });
    expect(await store.replaceCc(id, [], ['x@example.org'], LATER)).toBe('changed');
    expect(await store.replaceCc(id, ['a@example.org'], ['x@example.org'], LATER)).toBe('changed');
    expect(await store.replaceCc(id, ['b@example.org', 'a@example.org'], ['x@example.org'], LATER)).toBe('changed');
    expect(await fixture.aws.ticket(id)).toEqual({ id, status: 'open', cc: ['a@example.org', 'b@example.org'], updatedAt: AT });
    expect(await store.replaceCc(missing, [], ['x@example.org'], LATER)).toBe('changed');
    expect(await fixture.aws.ticket(missing)).toBeUndefined();
  });
});

describe('failures', () => {
  it('reports a failed call as transient, naming what the store was doing', async () => {
    // A table that does not exist: DynamoDB answers ResourceNotFoundException, which is no
    // refused condition and no answer about the ticket, whatever the call. Each call starts only
    // when its turn comes (no rejection waits unhandled); no table, so no ids shared with any run.
    const missing = new DynamoTicketStore(clients.dynamo, 'no-such-tickets-table');
    const cases: [() => Promise<unknown>, string][] = [
      [() => missing.get(9170), 'GetItem ticket 9170'],
      [() => missing.allocateId(), 'allocating a ticket id'],
      [() => missing.create(newTicket(9171, 'mail-9171')), 'PutItem ticket 9171'],
      [() => missing.importTicket({ ...newTicket(9172, 'mail-9172'), importedFrom: 'export.json' }), 'PutItem ticket 9172'],
      [() => missing.raiseCounter(9173), 'raising the ticket id counter'],
      [() => missing.reopen(9174, LATER), 'reopening ticket 9174'],
      [() => missing.replaceCc(9175, [], ['x@example.org'], LATER), 'updating the CC list of ticket 9175'],
      [() => missing.replaceCc(9176, ['a@example.org'], ['x@example.org'], LATER), 'updating the CC list of ticket 9176'],
    ];
    for (const [call, operation] of cases) {
      const failure = await failureOf(call);
      expect(failure, operation).toBeInstanceOf(TransientError);
      expect(failure.message, operation).toMatch(new RegExp(`^${operation} failed: ResourceNotFoundException: `));
    }
  });
});
