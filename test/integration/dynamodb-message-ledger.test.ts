/**
 * The DynamoDB message ledger (lib/adapters/dynamodb-message-ledger.ts) on its own, in this process
 * against the embedded dynalite: which stored items read back as entries, re-pointing a claim,
 * which object a lost write is compared with, the marks and removals conditional on `recordedAt`,
 * outbound Message-IDs, scans that page, consistent reads, and which error each failing call
 * becomes (naming what the ledger was doing). Mutation testing found these rules reached only
 * through the handler or a CLI child process (where it sees no coverage), or not at all; each is
 * pinned here on the adapter, with real stored state.
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../lib/adapters/aws-clients.js';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import { DynamoMessageLedger } from '../../lib/adapters/dynamodb-message-ledger.js';
import { loadConfig } from '../../lib/config.js';
import { LedgerConflictError, TransientError } from '../../lib/errors.js';
import type { MailLocation, PendingEntry } from '../../lib/ledger-entry.js';
import { createMailProcessor } from '../../lib/pipeline/index.js';
import { destroyAwsClients, dynamoDbClientAt, useAwsClients } from '../helpers/aws-clients.js';
import { failureOf } from '../helpers/failure.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { useGateway } from '../helpers/gateway.js';
import { appliedEntry, skippedEntry } from '../helpers/ledger-entries.js';
import { bare, composeMail, newMessageId } from '../helpers/mail.js';
import { requestsDuring } from '../helpers/observing.js';

const fixture = useGateway();
const clients = useAwsClients();

const table = () => fixture.gateway.stack.names.messagesTable;
const ledger = () => new DynamoMessageLedger(clients.dynamo, table());
/** A ledger whose table does not exist: dynalite answers every call with ResourceNotFoundException. */
const ledgerWithoutTable = () => new DynamoMessageLedger(clients.dynamo, 'helpdesk-messages-missing');

/** A ledger key and a stored object of this test's own. */
function fresh(label: string): { messageKey: string } & MailLocation {
  const id = randomUUID();
  return { messageKey: `${label}-${id}@ledger.test`, bucket: fixture.gateway.stack.names.bucket, key: `inbound/${label}-${id}.eml` };
}

function pendingEntry(at: { messageKey: string } & MailLocation, ticketId: number): PendingEntry {
  return {
    ...at,
    direction: 'inbound',
    messageId: at.messageKey,
    from: 'ada@customer.example',
    subject: 'New printer',
    receivedAt: '2031-03-01T09:00:00.000Z',
    recordedAt: '2031-03-01T09:00:01.000Z',
    state: 'pending',
    ticketId,
    queue: 'support',
  };
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

async function putRaw(item: Record<string, unknown>): Promise<void> {
  await fixture.aws.db.send(new PutCommand({ TableName: table(), Item: item }));
}

describe('reading items back', () => {
  it('answers inbound entries in a known state and outbound entries, and leaves out every other item', async () => {
    const applied = fresh('read-applied');
    const skipped = fresh('read-skipped');
    const outbound = fresh('read-outbound');
    const unknownState = fresh('read-unknown-state');
    const unknownDirection = fresh('read-unknown-direction');
    const noDirection = fresh('read-no-direction');
    await putRaw({ ...applied, direction: 'inbound', state: 'applied', outcome: 'followup', ticketId: 9001, followupId: 'f1', subject: 's', recordedAt: '2031-03-01T09:00:00.000Z' });
    await putRaw({ ...skipped, direction: 'inbound', state: 'skipped', reason: 'no-ticket-ref', detail: 'd', subject: 's', recordedAt: '2031-03-01T09:00:00.000Z' });
    await putRaw({ messageKey: outbound.messageKey, direction: 'outbound', messageId: outbound.messageKey, ticketId: 9001, recordedAt: '2031-03-01T09:00:00.000Z' });
    // An inbound item in a state no entry has, and an applied item of no or another direction.
    await putRaw({ ...unknownState, direction: 'inbound', state: 'archived', ticketId: 9001, recordedAt: '2031-03-01T09:00:00.000Z' });
    await putRaw({ ...unknownDirection, direction: 'sideways', state: 'applied', ticketId: 9001, recordedAt: '2031-03-01T09:00:00.000Z' });
    await putRaw({ ...noDirection, state: 'skipped', reason: 'no-ticket-ref', recordedAt: '2031-03-01T09:00:00.000Z' });

    const found = await ledger().lookup([applied, skipped, outbound, unknownState, unknownDirection, noDirection].map((k) => k.messageKey));
    expect([...found.keys()].sort()).toEqual([applied.messageKey, outbound.messageKey, skipped.messageKey].sort());
    // Absent optional fields come back as null.
    expect(found.get(applied.messageKey)).toMatchObject({ state: 'applied', messageId: null, from: null, body: null, bodyKey: null, ticketId: 9001 });
    expect(found.get(skipped.messageKey)).toMatchObject({ state: 'skipped', messageId: null, from: null, ticketId: null });
    expect(found.get(outbound.messageKey)).toEqual({ messageKey: outbound.messageKey, direction: 'outbound', messageId: outbound.messageKey, ticketId: 9001, recordedAt: '2031-03-01T09:00:00.000Z' });
  });
});

describe('claiming a key', () => {
  it('answers the holder\'s entry, read consistently, when the key is taken', async () => {
    const a = fresh('claim-taken');
    const b = { ...a, key: `${a.key}.other` };
    expect(await ledger().claim(pendingEntry(a, 9010))).toMatchObject({ state: 'pending', key: a.key, ticketId: 9010 });
    const { result: holder, requests: sent } = await requestsDuring(() => ledger().claim(pendingEntry(b, 9011)));
    expect(holder).toMatchObject({ state: 'pending', key: a.key, ticketId: 9010 });
    // dynalite is always consistent: what the read asks for is what shows that DynamoDB's would be.
    const reads = sent.filter((r) => r.command === 'GetItemCommand');
    expect(reads).toHaveLength(1);
    expect(JSON.parse(reads[0]?.body ?? '{}')).toEqual({ TableName: table(), Key: { messageKey: { S: a.messageKey } }, ConsistentRead: true });
  });

  it('is a transient failure when the entry that made the claim fail is gone when read', async () => {
    const a = fresh('claim-vanished');
    await ledger().claim(pendingEntry(a, 9012));
    // A real race on the real server, staged on this test's own client: another writer deletes the
    // entry after the conditional put failed on it and before the ledger reads it.
    const own = createAwsClients();
    const racing = own.dynamo;
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetItemCommand') await fixture.aws.db.send(new DeleteCommand({ TableName: table(), Key: { messageKey: a.messageKey } }));
        return next(args);
      },
      { step: 'initialize', name: 'deleteBeforeRead' },
    );
    try {
      const failure = await failureOf(() => new DynamoMessageLedger(racing, table()).claim(pendingEntry({ ...a, key: `${a.key}.other` }, 9013)));
      expect(failure).toBeInstanceOf(TransientError);
      expect(failure.message).toBe(`ledger entry ${a.messageKey} vanished while being claimed`);
      expect(await fixture.aws.ledgerEntry(a.messageKey)).toBeUndefined();
    } finally {
      destroyAwsClients(own);
    }
  });

  it('names the read when reading the holder after a lost write fails, for a claim and for a record', async () => {
    const a = fresh('read-denied');
    await ledger().claim(pendingEntry(a, 9014));
    // dynalite cannot be made to refuse one GetItem: a proxy in front of it answers GetItem as
    // DynamoDB does for a role without dynamodb:GetItem, and passes the (really failing) put on.
    const proxy = await startFaultProxy('dynamodb', fixture.gateway.stack.env.AWS_ENDPOINT_URL_DYNAMODB as string);
    proxy.plan = { decide: (_service, request) => (request.headers['x-amz-target'] === 'DynamoDB_20120810.GetItem' ? 'deny-access' : 'none') };
    const dynamodb = dynamoDbClientAt(fixture.gateway.stack.env, proxy.url);
    const client = DynamoDBDocumentClient.from(dynamodb);
    try {
      const denied = new DynamoMessageLedger(client, table());
      const other = { ...a, key: `${a.key}.other` };
      for (const failure of [await failureOf(() => denied.claim(pendingEntry(other, 9015))), await failureOf(() => denied.record(appliedEntry({ ...other, ticketId: 9015 })))]) {
        expect(failure).toBeInstanceOf(TransientError);
        expect(failure.message).toBe('GetItem ledger entry failed: AccessDeniedException: User is not authorized to perform: dynamodb:GetItem');
      }
      expect(proxy.stats.faults['deny-access']).toBe(2);
      expect(await fixture.aws.ledgerEntry(a.messageKey)).toMatchObject({ state: 'pending', key: a.key, ticketId: 9014 });
    } finally {
      dynamodb.destroy();
      await proxy.close();
    }
  });
});

describe('a replay\'s writes over its own skip', () => {
  // Regression: a claim that may replace a skip (and nothing else) once had the condition
  // `… OR (((#state = :skipped AND …)) AND …)`, which DynamoDB (and dynalite) refuse as having
  // redundant parentheses: every replay that opened a ticket became an `unstorable` skip.
  it('lets a replay\'s claim replace its own object\'s skip, and no other object\'s', async () => {
    const a = fresh('replay-claim');
    const b = { ...a, key: `${a.key}.other` };
    await ledger().record(skippedEntry({ ...a, reason: 'no-ticket-ref' }));
    expect(await ledger().claim(pendingEntry(b, 9016), { replacingSkip: true })).toMatchObject({ state: 'skipped', key: a.key });
    expect(await fixture.aws.ledgerEntry(a.messageKey)).toMatchObject({ state: 'skipped', key: a.key });
    const claim = pendingEntry(a, 9017);
    expect(await ledger().claim(claim, { replacingSkip: true })).toEqual(claim);
    expect(await fixture.aws.ledgerEntry(a.messageKey)).toEqual(claim);
  });

  it('lets a replay\'s final entry replace neither another object\'s pending claim nor its skip', async () => {
    const a = fresh('replay-record');
    const b = { ...a, key: `${a.key}.other` };
    await ledger().claim(pendingEntry(a, 9018));
    expect(await ledger().record(appliedEntry({ ...b, ticketId: 9019 }), { replacingSkip: true })).toBe('taken-by-other');
    expect(await fixture.aws.ledgerEntry(a.messageKey)).toMatchObject({ state: 'pending', key: a.key, ticketId: 9018 });
    const c = fresh('replay-record-skip');
    await ledger().record(skippedEntry({ ...c, reason: 'no-ticket-ref' }));
    expect(await ledger().record(appliedEntry({ ...c, key: `${c.key}.other` }), { replacingSkip: true })).toBe('taken-by-other');
    expect(await ledger().record(appliedEntry({ ...c, ticketId: 9019 }), { replacingSkip: true })).toBe('recorded');
    expect(await fixture.aws.ledgerEntry(c.messageKey)).toMatchObject({ state: 'applied', key: c.key, ticketId: 9019 });
  });

  it('opens a ticket when a mail skipped at an update-only address is replayed to a create address', async () => {
    const messageId = newMessageId('replay-create');
    const skipped = await fixture.gateway.deliver('replay-create.eml', composeMail({ messageId, subject: 'A new request' }));
    expect(skipped.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    const createMode = loadConfig({ ...process.env, MAILBOXES: 'support@helpdesk.example=support:create' });
    const report = await createMailProcessor(awsPipelineDeps(createMode, clients, null))(skipped.location, undefined, { replay: true });
    expect(report.outcome).toMatchObject({ kind: 'created' });
    expect(await fixture.aws.ledgerEntriesOf(skipped.location.key)).toEqual([expect.objectContaining({ messageKey: bare(messageId), state: 'applied', outcome: 'created' })]);
    expect(await fixture.aws.ticketsOpenedBy(bare(messageId))).toHaveLength(1);
  });
});

describe('re-pointing a claim', () => {
  it('sets the ticket of a pending claim and leaves the rest of it', async () => {
    const a = fresh('reclaim');
    const claim = pendingEntry(a, 9020);
    await ledger().claim(claim);
    await ledger().reclaim(a.messageKey, 9021);
    expect(await fixture.aws.ledgerEntry(a.messageKey)).toEqual({ ...claim, ticketId: 9021 });
  });

  it('refuses an entry that is no longer a pending claim, and a missing one, writing nothing', async () => {
    const a = fresh('reclaim-final');
    await ledger().record(appliedEntry({ ...a, ticketId: 9022 }));
    const before = await fixture.aws.ledgerEntry(a.messageKey);
    const missing = fresh('reclaim-missing');
    for (const messageKey of [a.messageKey, missing.messageKey]) {
      const failure = await failureOf(() => ledger().reclaim(messageKey, 9023));
      expect(failure).toBeInstanceOf(TransientError);
      expect(failure.message).toBe('re-pointing a ledger claim failed: ConditionalCheckFailedException: The conditional request failed');
    }
    expect(await fixture.aws.ledgerEntry(a.messageKey)).toEqual(before);
    expect(await fixture.aws.ledgerEntry(missing.messageKey)).toBeUndefined();
  });
});

describe('recording a final entry', () => {
  it('replaces its own object\'s pending claim, not asked to replace a skip (the pending-only condition)', async () => {
    const a = fresh('record-over-claim');
    await ledger().claim(pendingEntry(a, 9032));
    expect(await ledger().record(appliedEntry({ ...a, ticketId: 9032 }))).toBe('recorded');
    expect(await fixture.aws.ledgerEntry(a.messageKey)).toMatchObject({ state: 'applied', key: a.key, ticketId: 9032 });
  });

  it('tells the same object from one under the same key in another bucket', async () => {
    const a = fresh('record-bucket');
    expect(await ledger().record(appliedEntry({ ...a, ticketId: 9030 }))).toBe('recorded');
    expect(await ledger().record(appliedEntry({ ...a, ticketId: 9030 }))).toBe('already-recorded');
    expect(await ledger().record(appliedEntry({ ...a, bucket: 'another-mail-bucket', ticketId: 9031 }))).toBe('taken-by-other');
    expect(await ledger().record(skippedEntry({ ...a, key: `${a.key}.other` }))).toBe('taken-by-other');
    expect(await fixture.aws.ledgerEntry(a.messageKey)).toMatchObject({ state: 'applied', bucket: a.bucket, key: a.key, ticketId: 9030 });
  });
});

describe('marking and removing a final entry', () => {
  it('marks an entry published or noticed while it is the entry written, in a state that takes the mark', async () => {
    const skipped = skippedEntry({ ...fresh('mark-skipped'), recordedAt: '2031-03-02T10:00:00.000Z' });
    const applied = appliedEntry({ ...fresh('mark-applied'), recordedAt: '2031-03-02T10:00:00.000Z' });
    const pending = pendingEntry(fresh('mark-pending'), 9040);
    await ledger().record(skipped);
    await ledger().record(applied);
    await ledger().claim(pending);
    const done = { at: '2031-03-02T10:05:00.000Z', result: 'sent' } as const;

    expect(await ledger().markPublished(skipped, '2031-03-02T10:01:00.000Z')).toBe(true);
    expect(await ledger().markNoticed(skipped, done)).toBe(true);
    expect(await fixture.aws.ledgerEntry(skipped.messageKey)).toMatchObject({ publishedAt: '2031-03-02T10:01:00.000Z', noticeDone: done });
    expect(await ledger().markPublished(applied, '2031-03-02T10:02:00.000Z')).toBe(true);
    expect(await fixture.aws.ledgerEntry(applied.messageKey)).toMatchObject({ publishedAt: '2031-03-02T10:02:00.000Z' });

    // Not the entry written (replaced meanwhile), not a state that takes the mark, or no entry.
    expect(await ledger().markPublished({ ...skipped, recordedAt: '2031-03-02T09:59:59.999Z' }, '2031-03-02T11:00:00.000Z')).toBe(false);
    expect(await ledger().markNoticed({ ...skipped, recordedAt: '2031-03-02T09:59:59.999Z' }, { ...done, at: '2031-03-02T11:00:00.000Z' })).toBe(false);
    expect(await ledger().markNoticed(applied, done)).toBe(false);
    expect(await ledger().markPublished(pending, '2031-03-02T11:00:00.000Z')).toBe(false);
    expect(await ledger().markPublished({ messageKey: fresh('mark-missing').messageKey, recordedAt: skipped.recordedAt }, '2031-03-02T11:00:00.000Z')).toBe(false);
    expect(await fixture.aws.ledgerEntry(skipped.messageKey)).toMatchObject({ publishedAt: '2031-03-02T10:01:00.000Z', noticeDone: done });
    expect(await fixture.aws.ledgerEntry(applied.messageKey)).not.toHaveProperty('noticeDone');
    expect(await fixture.aws.ledgerEntry(pending.messageKey)).not.toHaveProperty('publishedAt');
  });

  it('removes a skip entry only while it is the entry written', async () => {
    const skipped = skippedEntry({ ...fresh('remove'), recordedAt: '2031-03-03T10:00:00.000Z' });
    await ledger().record(skipped);
    expect(await ledger().removeSkipped({ ...skipped, recordedAt: '2031-03-03T09:00:00.000Z' })).toBe(false);
    expect(await fixture.aws.ledgerEntry(skipped.messageKey)).toMatchObject({ state: 'skipped' });
    expect(await ledger().removeSkipped(skipped)).toBe(true);
    expect(await fixture.aws.ledgerEntry(skipped.messageKey)).toBeUndefined();
    expect(await ledger().removeSkipped(skipped)).toBe(false);
  });
});

describe('outbound Message-IDs', () => {
  it('registers an outbound Message-ID, and again for another ticket', async () => {
    const { messageKey: messageId } = fresh('outbound');
    await ledger().registerOutbound(messageId, 9050, '2031-03-04T10:00:00.000Z');
    expect(await fixture.aws.ledgerEntry(messageId)).toEqual({ messageKey: messageId, direction: 'outbound', messageId, ticketId: 9050, recordedAt: '2031-03-04T10:00:00.000Z' });
    await ledger().registerOutbound(messageId, 9051, '2031-03-04T11:00:00.000Z');
    expect(await fixture.aws.ledgerEntry(messageId)).toEqual({ messageKey: messageId, direction: 'outbound', messageId, ticketId: 9051, recordedAt: '2031-03-04T11:00:00.000Z' });
  });

  it('refuses a Message-ID an inbound mail holds, leaving its entry', async () => {
    const a = fresh('outbound-taken');
    await ledger().record(appliedEntry({ ...a, messageId: a.messageKey, ticketId: 9052 }));
    const failure = await failureOf(() => ledger().registerOutbound(a.messageKey, 9053, '2031-03-04T12:00:00.000Z'));
    expect(failure).toBeInstanceOf(LedgerConflictError);
    expect(failure.message).toBe(`Message-ID <${a.messageKey}> is already in the ledger as an inbound mail`);
    expect(await fixture.aws.ledgerEntry(a.messageKey)).toMatchObject({ direction: 'inbound', state: 'applied', ticketId: 9052 });
  });
});

describe('scanning for skipped mail', () => {
  it('reads every page of a scan, each consistently', async () => {
    const ticketId = 900_000 + Math.floor(Math.random() * 99_999);
    // Five skip entries of some 300 KB: more than the 1 MB that DynamoDB (and dynalite) scans per page.
    const entries = Array.from({ length: 5 }, (_, n) => ({
      ...fresh(`page-${n}`),
      direction: 'inbound',
      state: 'skipped',
      reason: 'ticket-not-found',
      detail: 'x'.repeat(300_000),
      subject: `page ${n}`,
      ticketId,
      recordedAt: `2031-03-05T10:00:0${n}.000Z`,
    }));
    for (const entry of entries) await putRaw(entry);
    try {
      const { result: found, requests: sent } = await requestsDuring(() => collect(ledger().skipped({ ticketId })));
      expect(found.map((e) => e.messageKey).sort()).toEqual(entries.map((e) => e.messageKey).sort());
      const scans = sent.filter((r) => r.command === 'ScanCommand').map((r) => JSON.parse(r.body ?? '{}') as Record<string, unknown>);
      expect(scans.length).toBeGreaterThan(1);
      expect(scans.every((scan) => scan.ConsistentRead === true)).toBe(true);
      expect(scans.slice(1).every((scan) => scan.ExclusiveStartKey !== undefined)).toBe(true);
    } finally {
      for (const entry of entries) await fixture.aws.db.send(new DeleteCommand({ TableName: table(), Key: { messageKey: entry.messageKey } }));
    }
  });
});

describe('failures', () => {
  it('makes every failing call an error naming what the ledger was doing, never a condition result', async () => {
    const missing = ledgerWithoutTable();
    const a = fresh('failing');
    const skipped = skippedEntry({ ...a });
    const cases: [string, () => Promise<unknown>][] = [
      ['claiming a ledger entry', () => missing.claim(pendingEntry(a, 9060))],
      ['re-pointing a ledger claim', () => missing.reclaim(a.messageKey, 9060)],
      ['writing a ledger entry', () => missing.record(skipped)],
      ['scanning the ledger for skipped mail', () => collect(missing.skipped({}))],
      ['scanning the ledger for pending claims', () => collect(missing.pendingClaims(new Date('2031-03-06T00:00:00.000Z')))],
      ['removing a replayed ledger entry', () => missing.removeSkipped(skipped)],
      ['marking a ledger entry published', () => missing.markPublished(skipped, '2031-03-06T00:00:00.000Z')],
      ['marking a ledger entry noticed', () => missing.markNoticed(skipped, { at: '2031-03-06T00:00:00.000Z', result: 'sent' })],
      ['registering an outbound Message-ID', () => missing.registerOutbound(a.messageKey, 9060, '2031-03-06T00:00:00.000Z')],
    ];
    for (const [operation, call] of cases) {
      const failure = await failureOf(call);
      expect(failure, operation).toBeInstanceOf(TransientError);
      expect(failure.message, operation).toBe(`${operation} failed: ResourceNotFoundException: Requested resource not found`);
    }
  });
});
