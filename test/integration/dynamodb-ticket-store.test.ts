/**
 * The DynamoDB ticket store (lib/adapters/dynamodb-ticket-store.ts) against the embedded dynalite,
 * called directly: how stored items read back as tickets, create / import / reopen / CC
 * replacement and their conditions, the id counter (allocate, raise only upward), and which
 * failure each call reports (the operation named in the error). It exists for mutation testing:
 * these rules were only reached through the handler or a CLI child process (`npm run import-tickets`),
 * where Stryker could not see which of them a test pins.
 */
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, observeAwsRequests, type AwsClients, type SentRequest } from '../../lib/adapters/aws-clients.js';
import { DynamoTicketStore, TICKET_COUNTER_ID } from '../../lib/adapters/dynamodb-ticket-store.js';
import { loadConfig } from '../../lib/config.js';
import { TransientError } from '../../lib/errors.js';
import { ticketsTableDefinition } from '../../lib/local/tables.js';
import type { NewTicket, Ticket } from '../../lib/ticket.js';
import { useGateway } from '../helpers/gateway.js';

const fixture = useGateway({ mode: 'update-only' });

let clients: AwsClients;
let tableName: string;
let store: DynamoTicketStore;

beforeAll(() => {
  clients = createAwsClients();
  tableName = loadConfig().ticketsTable;
  store = new DynamoTicketStore(clients.dynamo, tableName);
});

afterAll(() => {
  clients.s3.destroy();
  clients.dynamo.destroy();
});

const AT = '2025-03-04T05:06:07.000Z';
const LATER = '2025-03-05T00:00:00.000Z';

/** Writes an item as the helpdesk might have stored it, fields and types as given. */
async function putRaw(item: Record<string, unknown>): Promise<void> {
  await clients.dynamo.send(new PutCommand({ TableName: tableName, Item: item }));
}

/** A tickets table of its own, for tests of the id counter (the shared table's counter moves). */
async function freshTable(): Promise<string> {
  const name = `tickets-${Math.random().toString(36).slice(2)}`;
  const db = new DynamoDBClient({});
  try {
    await db.send(new CreateTableCommand(ticketsTableDefinition(name)));
  } finally {
    db.destroy();
  }
  return name;
}

async function counterOf(db: DynamoDBDocumentClient, table: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.send(new GetCommand({ TableName: table, Key: { id: TICKET_COUNTER_ID }, ConsistentRead: true }));
  return Item;
}

/** The error a call failed with (the test fails when it did not fail). */
async function failureOf(call: Promise<unknown>): Promise<Error> {
  const outcome = await call.then(
    () => null,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(Error);
  return outcome as Error;
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
    await putRaw({ id: 9100, queue: 'billing', status: 'duplicate', title: 'Invoice', submitter: 'erin@example.org', cc: ['a@example.org', 'b@example.org'], mergedInto: 42, createdAt: AT, updatedAt: LATER, extra: 'ignored' });
    expect(await store.get(9100)).toStrictEqual({
      id: 9100,
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
    await putRaw({ id: 9101 });
    const ticket = await store.get(9101);
    expect(ticket).toStrictEqual({ id: 9101, queue: '', status: 'open', title: '', submitter: '', cc: [], createdAt: '', updatedAt: '' });
    expect(ticket).not.toHaveProperty('mergedInto');
  });

  it('keeps only the addresses of a CC list, and ignores a mergedInto that is 0, negative or not a number', async () => {
    await putRaw({ id: 9102, status: 'no-such-status', title: 7, cc: ['a@example.org', 7, null, 'b@example.org', ['c@example.org']], mergedInto: 0 });
    await putRaw({ id: 9103, status: 'open', cc: 'a@example.org', mergedInto: '42' });
    await putRaw({ id: 9104, status: 'open', mergedInto: -1 });
    expect(await store.get(9102)).toStrictEqual({ id: 9102, queue: '', status: 'open', title: '', submitter: '', cc: ['a@example.org', 'b@example.org'], createdAt: '', updatedAt: '' });
    expect(await store.get(9103)).toStrictEqual({ id: 9103, queue: '', status: 'open', title: '', submitter: '', cc: [], createdAt: '', updatedAt: '' });
    expect(await store.get(9104)).not.toHaveProperty('mergedInto');
  });

  it('answers null for a ticket that does not exist, and for id 0, the counter item, which is no ticket', async () => {
    expect(await store.get(9105)).toBeNull();
    // The seeded table has its counter: the item exists, but is not a ticket.
    expect(await fixture.aws.ticket(TICKET_COUNTER_ID)).toMatchObject({ id: 0, lastTicketId: expect.any(Number) });
    expect(await store.get(TICKET_COUNTER_ID)).toBeNull();
  });

  it('reads consistently: a ticket written a moment ago (a concurrent create) must be seen', async () => {
    // dynalite is always consistent; DynamoDB is only when asked, so the request is what is checked.
    await putRaw({ id: 9106, status: 'open' });
    const requests: SentRequest[] = [];
    const stop = observeAwsRequests((request) => requests.push(request));
    try {
      expect(await store.get(9106)).toMatchObject({ id: 9106 });
    } finally {
      stop();
    }
    expect(requests.map((r) => JSON.parse(r.body ?? '{}') as unknown)).toEqual([{ TableName: tableName, Key: { id: { N: '9106' } }, ConsistentRead: true }]);
  });
});

describe('creating tickets', () => {
  it('creates a ticket once; the same mail again finds it already created, another mail finds the id taken', async () => {
    const ticket = newTicket(9110, 'mail-9110-a');
    expect(await store.create(ticket)).toBe('created');
    expect(await fixture.aws.ticket(9110)).toEqual({ ...ticket });

    expect(await store.create({ ...ticket, title: 'again' })).toBe('already-created');
    expect(await store.create(newTicket(9110, 'mail-9110-b', { title: 'someone else' }))).toBe('id-taken');
    expect(await fixture.aws.ticket(9110)).toEqual({ ...ticket });
  });

  it('finds the id taken by a ticket the helpdesk opened itself (no sourceMessageKey)', async () => {
    await putRaw({ id: 9111, status: 'open', title: 'opened in the web form' });
    expect(await store.create(newTicket(9111, 'mail-9111'))).toBe('id-taken');
    expect(await fixture.aws.ticket(9111)).toEqual({ id: 9111, status: 'open', title: 'opened in the web form' });
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
    const first = imported(9120, { mergedInto: 42, status: 'duplicate' });
    expect(await store.importTicket(first)).toEqual({ result: 'imported' });
    expect(await fixture.aws.ticket(9120)).toEqual({ ...first, cc: ['bob@example.com', 'carol@example.com'] });

    const again = await store.importTicket(imported(9120, { title: 'changed since', cc: [] }));
    // The stored ticket, as a ticket (importedFrom is no ticket field).
    expect(again).toStrictEqual({
      result: 'present',
      existing: { id: 9120, queue: 'support', status: 'duplicate', title: 'Printer jams', submitter: 'alice@example.com', cc: ['bob@example.com', 'carol@example.com'], mergedInto: 42, createdAt: AT, updatedAt: LATER },
    });
    expect(await fixture.aws.ticket(9120)).toEqual({ ...first });
  });

  it('reports a ticket that vanished between the refused write and the read as transient', async () => {
    // A real server gives this only in a race: the ticket is deleted, on the server, right after
    // the conditional write found it (a middleware on this test's own client does the delete).
    const own = createAwsClients();
    try {
      await putRaw({ id: 9121, status: 'open' });
      own.dynamo.middlewareStack.add(
        (next) => async (args) => {
          try {
            return await next(args);
          } catch (error) {
            if ((error as { name?: unknown }).name === 'ConditionalCheckFailedException') {
              await clients.dynamo.send(new DeleteCommand({ TableName: tableName, Key: { id: 9121 } }));
            }
            throw error;
          }
        },
        { step: 'initialize', name: 'deleteAfterRefusedWrite' },
      );
      const failure = await failureOf(new DynamoTicketStore(own.dynamo, tableName).importTicket(imported(9121)));
      expect(failure).toBeInstanceOf(TransientError);
      expect(failure.message).toBe('ticket 9121 vanished while being imported');
      expect(await fixture.aws.ticket(9121)).toBeUndefined();
    } finally {
      own.s3.destroy();
      own.dynamo.destroy();
    }
  });
});

describe('the ticket id counter', () => {
  it('allocates ids one after another from a table without a counter', async () => {
    const table = await freshTable();
    const fresh = new DynamoTicketStore(clients.dynamo, table);
    expect(await fresh.allocateId()).toBe(1);
    expect(await fresh.allocateId()).toBe(2);
    expect(await counterOf(clients.dynamo, table)).toEqual({ id: 0, lastTicketId: 2 });
  });

  it('raises the counter only upward, and says where it was and where it is', async () => {
    const table = await freshTable();
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
    const table = await freshTable();
    await clients.dynamo.send(new PutCommand({ TableName: table, Item: { id: TICKET_COUNTER_ID } }));
    expect(await new DynamoTicketStore(clients.dynamo, table).raiseCounter(9131)).toEqual({ before: 0, after: 9131 });
    expect(await counterOf(clients.dynamo, table)).toEqual({ id: 0, lastTicketId: 9131 });
  });
});

describe('reopening tickets', () => {
  it('reopens a resolved or closed ticket, and stamps it', async () => {
    await putRaw({ id: 9150, status: 'closed', title: 'VPN', updatedAt: AT });
    await putRaw({ id: 9151, status: 'resolved', title: 'Old', updatedAt: AT });
    expect(await store.reopen(9150, LATER)).toBe(true);
    expect(await store.reopen(9151, LATER)).toBe(true);
    expect(await fixture.aws.ticket(9150)).toEqual({ id: 9150, status: 'reopened', title: 'VPN', updatedAt: LATER });
    expect(await fixture.aws.ticket(9151)).toEqual({ id: 9151, status: 'reopened', title: 'Old', updatedAt: LATER });
  });

  it('leaves an open, reopened or merged ticket as it is, and creates none that is missing', async () => {
    for (const [id, status] of [
      [9152, 'open'],
      [9153, 'reopened'],
      [9154, 'duplicate'],
    ] as const) {
      await putRaw({ id, status, updatedAt: AT });
      expect(await store.reopen(id, LATER)).toBe(false);
      expect(await fixture.aws.ticket(id)).toEqual({ id, status, updatedAt: AT });
    }
    expect(await store.reopen(9155, LATER)).toBe(false);
    expect(await fixture.aws.ticket(9155)).toBeUndefined();
  });
});

describe('replacing the CC list', () => {
  it('replaces a list that is as expected', async () => {
    await putRaw({ id: 9160, status: 'open', cc: ['a@example.org', 'b@example.org'], updatedAt: AT });
    expect(await store.replaceCc(9160, ['a@example.org', 'b@example.org'], ['a@example.org', 'b@example.org', 'c@example.org'], LATER)).toBe('replaced');
    expect(await fixture.aws.ticket(9160)).toEqual({ id: 9160, status: 'open', cc: ['a@example.org', 'b@example.org', 'c@example.org'], updatedAt: LATER });
  });

  it('takes an absent list as the empty one it reads as, as well as a stored empty list', async () => {
    await putRaw({ id: 9161, status: 'open', updatedAt: AT });
    await putRaw({ id: 9162, status: 'open', cc: [], updatedAt: AT });
    expect(await store.replaceCc(9161, [], ['new@example.org'], LATER)).toBe('replaced');
    expect(await store.replaceCc(9162, [], ['new@example.org'], LATER)).toBe('replaced');
    expect(await fixture.aws.ticket(9161)).toEqual({ id: 9161, status: 'open', cc: ['new@example.org'], updatedAt: LATER });
    expect(await fixture.aws.ticket(9162)).toEqual({ id: 9162, status: 'open', cc: ['new@example.org'], updatedAt: LATER });
  });

  it('answers changed, writing nothing, when the list is not as expected or the ticket is missing', async () => {
    await putRaw({ id: 9163, status: 'open', cc: ['a@example.org', 'b@example.org'], updatedAt: AT });
    expect(await store.replaceCc(9163, [], ['x@example.org'], LATER)).toBe('changed');
    expect(await store.replaceCc(9163, ['a@example.org'], ['x@example.org'], LATER)).toBe('changed');
    expect(await store.replaceCc(9163, ['b@example.org', 'a@example.org'], ['x@example.org'], LATER)).toBe('changed');
    expect(await fixture.aws.ticket(9163)).toEqual({ id: 9163, status: 'open', cc: ['a@example.org', 'b@example.org'], updatedAt: AT });
    expect(await store.replaceCc(9164, [], ['x@example.org'], LATER)).toBe('changed');
    expect(await fixture.aws.ticket(9164)).toBeUndefined();
  });
});

describe('failures', () => {
  it('reports a failed call as transient, naming what the store was doing', async () => {
    // A table that does not exist: DynamoDB answers ResourceNotFoundException, which is no
    // refused condition and no answer about the ticket, whatever the call.
    const missing = new DynamoTicketStore(clients.dynamo, 'no-such-tickets-table');
    const cases: [Promise<unknown>, string][] = [
      [missing.get(9170), 'GetItem ticket 9170'],
      [missing.allocateId(), 'allocating a ticket id'],
      [missing.create(newTicket(9171, 'mail-9171')), 'PutItem ticket 9171'],
      [missing.importTicket({ ...newTicket(9172, 'mail-9172'), importedFrom: 'export.json' }), 'PutItem ticket 9172'],
      [missing.raiseCounter(9173), 'raising the ticket id counter'],
      [missing.reopen(9174, LATER), 'reopening ticket 9174'],
      [missing.replaceCc(9175, [], ['x@example.org'], LATER), 'updating the CC list of ticket 9175'],
      [missing.replaceCc(9176, ['a@example.org'], ['x@example.org'], LATER), 'updating the CC list of ticket 9176'],
    ];
    for (const [call, operation] of cases) {
      const failure = await failureOf(call);
      expect(failure).toBeInstanceOf(TransientError);
      expect(failure.message).toMatch(new RegExp(`^${operation} failed: ResourceNotFoundException: `));
    }
  });
});
