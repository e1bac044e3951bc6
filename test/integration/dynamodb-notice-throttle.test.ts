/**
 * The DynamoDB notice throttle (lib/adapters/dynamodb-notice-throttle.ts) on its own, in this
 * process against the embedded dynalite: the one notice per sender and reason per 24 hours (a
 * condition on the stored `noticedAt`, to the millisecond), giving a claim back, the hourly counters
 * per clock hour and sender domain, the items' keys and TTL, and which error a failing call
 * becomes. Mutation testing found these rules reached only through the handler or a CLI child
 * process (where it sees no coverage); the clock is the `at` each call is given, never the machine's.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoNoticeThrottle, SENDER_NOTICE_INTERVAL_MS } from '../../lib/adapters/dynamodb-notice-throttle.js';
import { TransientError } from '../../lib/errors.js';
import type { SenderClaim } from '../../lib/notices/notice-ports.js';
import { useAwsClients } from '../helpers/aws-clients.js';
import { failureOf } from '../helpers/failure.js';
import { useGateway } from '../helpers/gateway.js';

const fixture = useGateway();
const clients = useAwsClients();

const table = () => fixture.gateway.stack.names.noticesTable;
const throttle = () => new DynamoNoticeThrottle(clients.dynamo, table());

const HOUR = 60 * 60 * 1000;
/** Two days in seconds: how long an item is kept for the table's TTL after it last mattered. */
const KEEP_SECONDS = 2 * 24 * 60 * 60;
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

async function stored(key: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await fixture.aws.db.send(new GetCommand({ TableName: table(), Key: { key }, ConsistentRead: true }));
  return Item;
}

/** A sender address of this test's own. */
const sender = (label: string) => `${label}-${randomUUID()}@customer.example`;

function claimOf(to: string, messageKey: string, at: Date): SenderClaim {
  return { to, reason: 'no-ticket-ref', messageKey, at };
}

/** A sender domain of this test's own. */
const domain = (label: string) => `${label}-${randomUUID()}.example`;

/**
 * The start of a clock hour (UTC) of this test's own, drawn at random from years 2100 to 9999: an
 * hour's total has no sender in its key, so a fixed hour would be counted again by a re-run (a
 * retry, `--repeats`) in the same gateway.
 */
function freshHour(): Date {
  const from = Date.UTC(2100, 0, 1);
  const hours = (Date.UTC(9999, 0, 1) - from) / HOUR;
  return new Date(from + Math.floor(Math.random() * hours) * HOUR);
}

/** `YYYY-MM-DDTHH` of a time, in UTC: the hour in the throttle's keys. */
const hourOf = (at: Date) => at.toISOString().slice(0, 13);

describe('the one notice per sender and reason per 24 hours', () => {
  it('is refused to another mail until 24 hours after the stored claim, to the millisecond', async () => {
    const to = sender('interval');
    const at = new Date('2031-06-01T10:00:00.123Z');
    const later = (ms: number) => new Date(at.getTime() + ms);
    expect(SENDER_NOTICE_INTERVAL_MS).toBe(24 * HOUR);

    expect(await throttle().claimSender(claimOf(to, 'mail-a', at))).toBe(true);
    expect(await stored(`sender#no-ticket-ref#${to}`)).toEqual({
      key: `sender#no-ticket-ref#${to}`,
      noticedAt: '2031-06-01T10:00:00.123Z',
      messageKey: 'mail-a',
      expiresAt: epochSeconds(at) + KEEP_SECONDS,
    });

    expect(await throttle().claimSender(claimOf(to, 'mail-b', later(1)))).toBe(false);
    expect(await throttle().claimSender(claimOf(to, 'mail-b', later(24 * HOUR - 1)))).toBe(false);
    expect(await throttle().claimSender(claimOf(to, 'mail-b', later(24 * HOUR)))).toBe(false);
    expect(await stored(`sender#no-ticket-ref#${to}`)).toMatchObject({ noticedAt: '2031-06-01T10:00:00.123Z', messageKey: 'mail-a' });

    expect(await throttle().claimSender(claimOf(to, 'mail-b', later(24 * HOUR + 1)))).toBe(true);
    expect(await stored(`sender#no-ticket-ref#${to}`)).toEqual({
      key: `sender#no-ticket-ref#${to}`,
      noticedAt: '2031-06-02T10:00:00.124Z',
      messageKey: 'mail-b',
      expiresAt: epochSeconds(later(24 * HOUR + 1)) + KEEP_SECONDS,
    });
    // Now mail-a is the other mail.
    expect(await throttle().claimSender(claimOf(to, 'mail-a', later(24 * HOUR + 2)))).toBe(false);
  });

  it('lets the claiming mail claim again (its redelivery), and counts one claim per mailbox and reason', async () => {
    const to = sender('bob');
    const [local, domain] = to.split('@') as [string, string];
    const at = new Date('2031-06-03T10:00:00.000Z');
    expect(await throttle().claimSender(claimOf(`${local}+1@${domain}`, 'mail-c', at))).toBe(true);
    expect(await throttle().claimSender(claimOf(`${local}+1@${domain}`, 'mail-c', new Date(at.getTime() + HOUR)))).toBe(true);
    expect(await throttle().claimSender(claimOf(`${local}+2@${domain}`, 'mail-d', new Date(at.getTime() + 2 * HOUR)))).toBe(false);
    expect(await throttle().claimSender({ ...claimOf(to, 'mail-d', new Date(at.getTime() + 2 * HOUR)), reason: 'ticket-not-found' })).toBe(true);
    expect(await stored(`sender#no-ticket-ref#${to}`)).toMatchObject({ noticedAt: '2031-06-03T11:00:00.000Z', messageKey: 'mail-c' });
    expect(await stored(`sender#ticket-not-found#${to}`)).toMatchObject({ noticedAt: '2031-06-03T12:00:00.000Z', messageKey: 'mail-d' });
  });

  it('gives a claim back only for the mail and the moment that made it', async () => {
    const to = sender('release');
    const at = new Date('2031-06-04T10:00:00.000Z');
    const claim = claimOf(to, 'mail-e', at);
    expect(await throttle().claimSender(claim)).toBe(true);

    // Another mail's release, or this mail's of another claim, leaves the claim.
    await throttle().releaseSender(claimOf(to, 'mail-f', at));
    await throttle().releaseSender(claimOf(to, 'mail-e', new Date(at.getTime() + 1)));
    expect(await stored(`sender#no-ticket-ref#${to}`)).toMatchObject({ noticedAt: '2031-06-04T10:00:00.000Z', messageKey: 'mail-e' });
    expect(await throttle().claimSender(claimOf(to, 'mail-f', new Date(at.getTime() + HOUR)))).toBe(false);

    await throttle().releaseSender(claim);
    expect(await stored(`sender#no-ticket-ref#${to}`)).toBeUndefined();
    expect(await throttle().claimSender(claimOf(to, 'mail-f', new Date(at.getTime() + HOUR)))).toBe(true);
  });
});

describe('the hourly slots', () => {
  it('counts the slots of one clock hour (UTC) up to the limit, in one item per hour', async () => {
    const start = freshHour();
    const inHour = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    const lastMoment = new Date(start.getTime() + HOUR - 1);
    const [hour, nextHour] = [`hour#${hourOf(start)}`, `hour#${hourOf(inHour(60))}`];
    expect(hour).toMatch(/^hour#\d{4}-\d\d-\d\dT\d\d$/);

    expect(await throttle().takeHourlySlot(inHour(5), 2)).toBe(true);
    expect(await stored(hour)).toEqual({ key: hour, count: 1, expiresAt: epochSeconds(inHour(5)) + KEEP_SECONDS });
    expect(await throttle().takeHourlySlot(lastMoment, 2)).toBe(true);
    expect(await throttle().takeHourlySlot(inHour(30), 2)).toBe(false);
    expect(await stored(hour)).toEqual({ key: hour, count: 2, expiresAt: epochSeconds(lastMoment) + KEEP_SECONDS });
    // The next hour starts again; a higher limit lets the full hour take more.
    expect(await throttle().takeHourlySlot(inHour(60), 2)).toBe(true);
    expect(await stored(nextHour)).toMatchObject({ count: 1 });
    expect(await throttle().takeHourlySlot(inHour(31), 3)).toBe(true);
    expect(await stored(hour)).toMatchObject({ count: 3 });
  });

  it('counts each sender domain apart from the others and from the hour\'s total', async () => {
    const at = new Date(freshHour().getTime() + 15 * 60_000);
    const [customer, other] = [domain('customer'), domain('other')];
    const hour = `hour#${hourOf(at)}`;
    expect(await throttle().takeHourlySlot(at, 1, customer)).toBe(true);
    expect(await throttle().takeHourlySlot(at, 1, customer)).toBe(false);
    expect(await throttle().takeHourlySlot(at, 1, other)).toBe(true);
    expect(await throttle().takeHourlySlot(at, 1)).toBe(true);
    expect(await throttle().takeHourlySlot(at, 1)).toBe(false);
    expect(await stored(`${hour}#${customer}`)).toEqual({ key: `${hour}#${customer}`, count: 1, expiresAt: epochSeconds(at) + KEEP_SECONDS });
    expect(await stored(`${hour}#${other}`)).toMatchObject({ count: 1 });
    expect(await stored(hour)).toMatchObject({ count: 1 });
  });
});

describe('failures', () => {
  it('makes a failing call an error naming what the throttle was doing, never a refusal', async () => {
    // A table that does not exist: dynalite answers every call with ResourceNotFoundException.
    const missing = new DynamoNoticeThrottle(clients.dynamo, 'helpdesk-notices-missing');
    const claim = claimOf(sender('failing'), 'mail-g', new Date('2031-06-07T10:00:00.000Z'));
    const cases: [string, () => Promise<unknown>][] = [
      ['claiming a sender notice', () => missing.claimSender(claim)],
      ['releasing a sender notice', () => missing.releaseSender(claim)],
      ['counting a sender notice', () => missing.takeHourlySlot(claim.at, 5)],
    ];
    for (const [operation, call] of cases) {
      const failure = await failureOf(call);
      expect(failure, operation).toBeInstanceOf(TransientError);
      expect(failure.message, operation).toBe(`${operation} failed: ResourceNotFoundException: Requested resource not found`);
    }
  });
});
