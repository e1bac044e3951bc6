/**
 * {@link MessageLedger} on DynamoDB. Table key: `messageKey` (string); global secondary index
 * `byTicket` (`ticketId`, `recordedAt`) lists a ticket's follow-ups and outbound Message-IDs.
 * Every write is a single-item conditional write. A final entry gains `publishedAt` once its event
 * was published (`markPublished`); a skip with a sender notice gains `noticeDone` once it was dealt with (`markNoticed`).
 */
import { DeleteCommand, GetCommand, PutCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LedgerConflictError, TransientError } from '../errors.js';
import type { FinalEntry, InboundEntry, LedgerEntry, MailLocation, PendingEntry, SkippedEntry } from '../ledger-entry.js';
import { ledgerKeyOfMessageId } from '../mail/message-id.js';
import { replaceableSkipReasons } from '../ledger-outcomes.js';
import { capLedgerEntry } from '../record-caps.js';
import type { LedgerWriteOptions, MessageLedger, RecordResult, SkippedFilter } from '../ports.js';
import type { NoticeDone } from '../notices/notice-decision.js';
import type { NoticeMarker } from '../notices/notice-ports.js';
import { asAwsFailure, awsErrorName } from './aws-errors.js';
import { batchGetAll } from './dynamodb-batch-get.js';

/** Name of the index that lists a ticket's ledger entries. */
export const LEDGER_TICKET_INDEX = 'byTicket';

const CONDITION_FAILED = 'ConditionalCheckFailedException';

/**
 * The item of an entry: every field within its cap (lib/record-caps.ts), so that any entry fits
 * DynamoDB's 400 KB; nulls left out (an index key attribute may not be NULL).
 */
function toItem(entry: LedgerEntry): Record<string, unknown> {
  return Object.fromEntries(Object.entries(capLedgerEntry(entry)).filter(([, value]) => value !== null));
}

/** Reads items back into entries by key, leaving out what is not a ledger entry. */
export function entriesFrom(items: readonly Record<string, unknown>[]): Map<string, LedgerEntry> {
  const entries = new Map<string, LedgerEntry>();
  for (const item of items) {
    const entry = fromItem(item);
    if (entry) entries.set(entry.messageKey, entry);
  }
  return entries;
}

/** Reads an item back; absent optional fields come back as `null`. */
function fromItem(item: Record<string, unknown>): LedgerEntry | null {
  const direction = item.direction;
  if (direction === 'outbound') return item as unknown as LedgerEntry;
  if (direction !== 'inbound' || !['pending', 'applied', 'skipped'].includes(String(item.state))) return null;
  return {
    messageId: null,
    from: null,
    ...(item.state === 'applied' ? { body: null, bodyKey: null } : {}),
    ...(item.state === 'skipped' ? { ticketId: null } : {}),
    ...item,
  } as unknown as LedgerEntry;
}


/**
 * The condition of a write that creates a missing entry, or replaces an entry of the same object
 * that is a pending claim (when `pending`) or a skip for one of `skipReasons`.
 */
function sameObjectCondition(location: MailLocation, replacing: { pending: boolean; skipReasons: readonly string[] }) {
  const alternatives: string[] = [];
  const values: Record<string, unknown> = {};
  if (replacing.pending) {
    alternatives.push('#state = :pending');
    values[':pending'] = 'pending';
  }
  if (replacing.skipReasons.length > 0) {
    const names = replacing.skipReasons.map((_, i) => `:reason${i}`);
    alternatives.push(`(#state = :skipped AND #reason IN (${names.join(', ')}))`);
    values[':skipped'] = 'skipped';
    replacing.skipReasons.forEach((reason, i) => (values[`:reason${i}`] = reason));
  }
  if (alternatives.length === 0) {
    return { ConditionExpression: 'attribute_not_exists(messageKey)', ExpressionAttributeNames: undefined, ExpressionAttributeValues: undefined };
  }
  // One alternative goes unwrapped: DynamoDB refuses `((…))` ("The expression has redundant parentheses").
  const anyOf = alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(' OR ')})`;
  return {
    ConditionExpression: `attribute_not_exists(messageKey) OR (${anyOf} AND #bucket = :bucket AND #key = :key)`,
    ExpressionAttributeNames: { '#state': 'state', '#bucket': 'bucket', '#key': 'key', ...(replacing.skipReasons.length > 0 ? { '#reason': 'reason' } : {}) },
    ExpressionAttributeValues: { ...values, ':bucket': location.bucket, ':key': location.key },
  };
}

export class DynamoMessageLedger implements MessageLedger, NoticeMarker {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  private async get(messageKey: string): Promise<LedgerEntry | null> {
    try {
      const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: { messageKey }, ConsistentRead: true }));
      return Item ? fromItem(Item) : null;
    } catch (error) {
      throw asAwsFailure('GetItem ledger entry', error);
    }
  }

  async lookup(messageKeys: readonly string[]): Promise<Map<string, LedgerEntry>> {
    const keys = [...new Set(messageKeys)].map((messageKey) => ({ messageKey }));
    return entriesFrom((await batchGetAll(this.db, { [this.table]: keys })).get(this.table) ?? []);
  }

  async claim(entry: PendingEntry, options: LedgerWriteOptions = {}): Promise<LedgerEntry> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem(entry),
          // Stryker disable next-line ArrayDeclaration: equivalent, a made-up skip reason in the condition matches no stored skip (every one is a SkipReason)
          ...sameObjectCondition(entry, { pending: false, skipReasons: options.replacingSkip ? replaceableSkipReasons(entry) : [] }),
        }),
      );
      return entry;
    } catch (error) {
      if (awsErrorName(error) !== CONDITION_FAILED) throw asAwsFailure('claiming a ledger entry', error);
    }
    const existing = await this.get(entry.messageKey);
    if (!existing) throw new TransientError(`ledger entry ${entry.messageKey} vanished while being claimed`);
    return existing;
  }

  async reclaim(messageKey: string, ticketId: number): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { messageKey },
          UpdateExpression: 'SET ticketId = :ticketId',
          ConditionExpression: '#state = :pending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':ticketId': ticketId, ':pending': 'pending' },
        }),
      );
    } catch (error) {
      throw asAwsFailure('re-pointing a ledger claim', error);
    }
  }

  async record(entry: FinalEntry, options: LedgerWriteOptions = {}): Promise<RecordResult> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem(entry),
          // A replay replaces a skip only with an outcome that got further (replaceableSkipReasons).
          // Stryker disable next-line ArrayDeclaration: equivalent, a made-up skip reason in the condition matches no stored skip (every one is a SkipReason)
          ...sameObjectCondition(entry, { pending: true, skipReasons: options.replacingSkip ? replaceableSkipReasons(entry) : [] }),
        }),
      );
      return 'recorded';
    } catch (error) {
      if (awsErrorName(error) !== CONDITION_FAILED) throw asAwsFailure('writing a ledger entry', error);
    }
    const existing = await this.get(entry.messageKey);
    const sameObject = existing?.direction === 'inbound' && existing.bucket === entry.bucket && existing.key === entry.key;
    return sameObject ? 'already-recorded' : 'taken-by-other';
  }

  async *skipped(filter: SkippedFilter): AsyncIterable<SkippedEntry> {
    const wanted: [attribute: string, operator: string, value: unknown][] = [
      ['state', '=', 'skipped'],
      ['direction', '=', 'inbound'],
      ...(filter.reason ? [['reason', '=', filter.reason] as [string, string, unknown]] : []),
      ...(filter.since ? [['recordedAt', '>=', filter.since.toISOString()] as [string, string, unknown]] : []),
      ...(filter.ticketId !== undefined ? [['ticketId', '=', filter.ticketId] as [string, string, unknown]] : []),
    ];
    for await (const entry of this.scanInbound(wanted, 'scanning the ledger for skipped mail')) if (entry.state === 'skipped') yield entry;
  }

  async *pendingClaims(before: Date): AsyncIterable<PendingEntry> {
    const wanted: [string, string, unknown][] = [
      ['state', '=', 'pending'],
      ['direction', '=', 'inbound'],
      ['recordedAt', '<', before.toISOString()],
    ];
    for await (const entry of this.scanInbound(wanted, 'scanning the ledger for pending claims')) if (entry.state === 'pending') yield entry;
  }

  /** Scans for inbound entries whose attributes compare as `wanted` (a scan: for operators and the sweep). */
  private async *scanInbound(wanted: readonly [attribute: string, operator: string, value: unknown][], operation: string): AsyncIterable<InboundEntry> {
    const FilterExpression = wanted.map(([attribute, operator]) => `#${attribute} ${operator} :${attribute}`).join(' AND ');
    const ExpressionAttributeNames = Object.fromEntries(wanted.map(([attribute]) => [`#${attribute}`, attribute]));
    const ExpressionAttributeValues = Object.fromEntries(wanted.map(([attribute, , value]) => [`:${attribute}`, value]));
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      let page;
      try {
        page = await this.db.send(new ScanCommand({ TableName: this.table, ConsistentRead: true, FilterExpression, ExpressionAttributeNames, ExpressionAttributeValues, ExclusiveStartKey }));
      } catch (error) {
        throw asAwsFailure(operation, error);
      }
      for (const item of page.Items ?? []) {
        const entry = fromItem(item);
        if (entry?.direction === 'inbound') yield entry;
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }


  async removeSkipped(entry: SkippedEntry): Promise<boolean> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { messageKey: entry.messageKey },
          ConditionExpression: '#state = :skipped AND recordedAt = :recordedAt',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':skipped': 'skipped', ':recordedAt': entry.recordedAt },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === CONDITION_FAILED) return false;
      throw asAwsFailure('removing a replayed ledger entry', error);
    }
  }

  async markPublished(entry: Pick<FinalEntry, 'messageKey' | 'recordedAt'>, at: string): Promise<boolean> {
    return this.markEntry(entry, 'publishedAt', at, ['applied', 'skipped'], 'marking a ledger entry published');
  }

  async markNoticed(entry: Pick<SkippedEntry, 'messageKey' | 'recordedAt'>, done: NoticeDone): Promise<boolean> {
    return this.markEntry(entry, 'noticeDone', done, ['skipped'], 'marking a ledger entry noticed');
  }

  /**
   * Sets one attribute of a final entry, on condition that it is still the entry that was written
   * (`recordedAt`) in one of `states`: false when it is not (replaced by a replay, say).
   */
  private async markEntry(entry: Pick<FinalEntry, 'messageKey' | 'recordedAt'>, attribute: 'publishedAt' | 'noticeDone', value: unknown, states: readonly FinalEntry['state'][], what: string): Promise<boolean> {
    const stateValues = Object.fromEntries(states.map((state, n) => [`:state${n}`, state]));
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { messageKey: entry.messageKey },
          UpdateExpression: `SET ${attribute} = :value`,
          ConditionExpression: `recordedAt = :recordedAt AND #state IN (${Object.keys(stateValues).join(', ')})`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':value': value, ':recordedAt': entry.recordedAt, ...stateValues },
        }),
      );
      return true;
    } catch (error) {
      if (awsErrorName(error) === CONDITION_FAILED) return false;
      throw asAwsFailure(what, error);
    }
  }


  async registerOutbound(messageId: string, ticketId: number, at: string): Promise<void> {
    const messageKey = ledgerKeyOfMessageId(messageId);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: toItem({ messageKey, direction: 'outbound', messageId, ticketId, recordedAt: at }),
          ConditionExpression: 'attribute_not_exists(messageKey) OR direction = :outbound',
          ExpressionAttributeValues: { ':outbound': 'outbound' },
        }),
      );
    } catch (error) {
      if (awsErrorName(error) === CONDITION_FAILED) {
        throw new LedgerConflictError(`Message-ID <${messageId}> is already in the ledger as an inbound mail`);
      }
      throw asAwsFailure('registering an outbound Message-ID', error);
    }
  }
}
