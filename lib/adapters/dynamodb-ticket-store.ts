/**
 * {@link TicketStore} on DynamoDB. Table key: `id` (number). The item with `id = 0` is not a
 * ticket but the counter that hands out ticket ids (`lastTicketId`).
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CreateTicketResult, ImportTicketResult, TicketImportStore, TicketStore } from '../ports.js';
import { capTicket } from '../record-caps.js';
import { REOPENED_BY_MAIL, isTicketStatus, type NewTicket, type Ticket } from '../ticket.js';
import { asAwsFailure, awsErrorName } from './aws-errors.js';
import { TransientError } from '../errors.js';

/** Key of the counter item. */
export const TICKET_COUNTER_ID = 0;

const CONDITION_FAILED = 'ConditionalCheckFailedException';

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** Reads a stored item as a ticket; fields the helpdesk may leave out get safe defaults. */
export function ticketFromItem(item: Record<string, unknown>): Ticket {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  return {
    id: Number(item.id),
    queue: text(item.queue),
    status: isTicketStatus(item.status) ? item.status : 'open',
    title: text(item.title),
    submitter: text(item.submitter),
    cc: stringList(item.cc),
    ...(typeof item.mergedInto === 'number' && item.mergedInto > 0 ? { mergedInto: item.mergedInto } : {}),
    createdAt: text(item.createdAt),
    updatedAt: text(item.updatedAt),
  };
}

export class DynamoTicketStore implements TicketStore, TicketImportStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async getItem(id: number): Promise<Record<string, unknown> | undefined> {
    try {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { id }, ConsistentRead: true }));
      return Item;
    } catch (error) {
      throw asAwsFailure(`GetItem ticket ${id}`, error);
    }
  }

  async get(id: number): Promise<Ticket | null> {
    if (id === TICKET_COUNTER_ID) return null;
    const item = await this.getItem(id);
    return item ? ticketFromItem(item) : null;
  }

  async allocateId(): Promise<number> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: TICKET_COUNTER_ID },
          UpdateExpression: 'ADD lastTicketId :one',
          ExpressionAttributeValues: { ':one': 1 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.lastTicketId);
    } catch (error) {
      throw asAwsFailure('allocating a ticket id', error);
    }
  }

  async create(ticket: NewTicket): Promise<CreateTicketResult> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          // Every field within its cap (lib/record-caps.ts): any ticket fits DynamoDB's 400 KB.
          Item: capTicket(ticket),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
      return 'created';
    } catch (error) {
      if (awsErrorName(error) !== CONDITION_FAILED) throw asAwsFailure(`PutItem ticket ${ticket.id}`, error);
    }
    const existing = await this.getItem(ticket.id);
    return existing?.sourceMessageKey === ticket.sourceMessageKey ? 'already-created' : 'id-taken';
  }

  async importTicket(ticket: Ticket & { readonly importedFrom: string }): Promise<ImportTicketResult> {
    try {
      await this.db.send(new PutCommand({ TableName: this.table, Item: { ...ticket, cc: [...ticket.cc] }, ConditionExpression: 'attribute_not_exists(id)' }));
      return { result: 'imported' };
    } catch (error) {
      if (awsErrorName(error) !== CONDITION_FAILED) throw asAwsFailure(`PutItem ticket ${ticket.id}`, error);
    }
    const existing = await this.getItem(ticket.id);
    if (!existing) throw new TransientError(`ticket ${ticket.id} vanished while being imported`);
    return { result: 'present', existing: ticketFromItem(existing) };
  }

  async raiseCounter(id: number): Promise<{ readonly before: number; readonly after: number }> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id: TICKET_COUNTER_ID },
          UpdateExpression: 'SET lastTicketId = :id',
          ConditionExpression: 'attribute_not_exists(lastTicketId) OR lastTicketId < :id',
          ExpressionAttributeValues: { ':id': id },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return { before: Number(Attributes?.lastTicketId ?? 0), after: id };
    } catch (error) {
      if (awsErrorName(error) !== CONDITION_FAILED) throw asAwsFailure('raising the ticket id counter', error);
    }
    const current = Number((await this.getItem(TICKET_COUNTER_ID))?.lastTicketId ?? 0);
    return { before: current, after: current };
  }

  async reopen(id: number, at: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET #status = :reopened, updatedAt = :at',
          ConditionExpression: `#status IN (${REOPENED_BY_MAIL.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':reopened': 'reopened',
            ':at': at,
            ...Object.fromEntries(REOPENED_BY_MAIL.map((status, i) => [`:from${i}`, status])),
          },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === CONDITION_FAILED) return false;
      throw asAwsFailure(`reopening ticket ${id}`, error);
    }
  }

  async replaceCc(id: number, expected: readonly string[], next: readonly string[], at: string): Promise<'replaced' | 'changed'> {
    // The list is compared element by element (`cc[0] = :e0 …`): DynamoDB compares whole lists
    // too, but not every emulator does, and this reads the same. An absent list reads as empty
    // (ticketFromItem). At most 50 entries (MAX_TICKET_CC): the expression stays far below 4 KB.
    const unchanged =
      expected.length === 0
        ? '(attribute_not_exists(cc) OR size(cc) = :size)'
        : ['size(cc) = :size', ...expected.map((_, i) => `cc[${i}] = :e${i}`)].join(' AND ');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { id },
          UpdateExpression: 'SET cc = :next, updatedAt = :at',
          ConditionExpression: `attribute_exists(id) AND ${unchanged}`,
          ExpressionAttributeValues: {
            ':next': [...next],
            ':at': at,
            ':size': expected.length,
            ...Object.fromEntries(expected.map((address, i) => [`:e${i}`, address])),
          },
        }),
      );
      return 'replaced';
    } catch (error) {
      if (awsErrorName(error) === CONDITION_FAILED) return 'changed';
      throw asAwsFailure(`updating the CC list of ticket ${id}`, error);
    }
  }
}
