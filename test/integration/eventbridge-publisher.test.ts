/**
 * The EventBridge publisher (lib/adapters/eventbridge-publisher.ts): how entries are grouped into
 * PutEvents requests at the limits (10 entries, under 256 KB together), and how refused entries are
 * told in the error. Against the local EventBridge (lib/local/eventbridge-server.ts), which refuses a
 * request as EventBridge does; answers it never gives (a refused entry without a message, a failed
 * count without codes) come from a few-line PutEvents server (test/helpers/json-service.ts).
 * Mutation testing showed these rules were reached only through the handler, where a request split
 * one entry too late or a garbled error changed no outcome.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBridgePublisher, createEventBridgeClient, requestsOf } from '../../lib/adapters/eventbridge-publisher.js';
import { TransientError } from '../../lib/errors.js';
import { EVENT_SOURCE, MAX_ENTRY_BYTES, entrySize, type PutEventsEntry } from '../../lib/events/gateway-event.js';
import { startLocalEventBridge, type LocalEventBridge } from '../../lib/local/eventbridge-server.js';
import { failureIfAny } from '../helpers/failure.js';
import { withJsonService } from '../helpers/json-service.js';

const BUS = 'publisher-test-bus';

let eventBridge: LocalEventBridge;

beforeAll(async () => {
  eventBridge = await startLocalEventBridge({ buses: [BUS] });
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eventBridge.endpoint;
});

afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  await eventBridge.stop();
});

let sequence = 0;

/** An entry of exactly `size` bytes by EventBridge's formula, its Detail naming it. */
function entryOfSize(size: number, overrides: Partial<PutEventsEntry> = {}): PutEventsEntry {
  sequence += 1;
  const base: PutEventsEntry = { Source: EVENT_SOURCE, DetailType: 'Mail Skipped', Detail: JSON.stringify({ n: sequence, pad: '' }), EventBusName: BUS, ...overrides };
  const entry = { ...base, Detail: JSON.stringify({ n: sequence, pad: 'p'.repeat(size - entrySize(base)) }) };
  expect(entrySize(entry)).toBe(size);
  return entry;
}

/** Publishes with the gateway's EventBridge client (made now, so it reaches the endpoint set now). */
async function publish(entries: readonly PutEventsEntry[]): Promise<unknown> {
  const client = createEventBridgeClient();
  try {
    return await failureIfAny(() => new EventBridgePublisher(client).publish(entries));
  } finally {
    client.destroy();
  }
}

/** What a publish did on the local EventBridge: its failure, the requests it sent, the entries accepted. */
async function publishLocally(entries: readonly PutEventsEntry[]) {
  eventBridge.clear();
  const before = eventBridge.requestCount();
  const failure = await publish(entries);
  return { failure, requests: eventBridge.requestCount() - before, details: eventBridge.events().map((e) => e.Detail) };
}

describe('grouping entries into PutEvents requests', () => {
  it('starts a new request when the next entry would bring the request to 256 KB, not only past it', async () => {
    const half = MAX_ENTRY_BYTES / 2;
    const atLimit = [entryOfSize(half), entryOfSize(half)];
    expect(requestsOf(atLimit)).toEqual([[atLimit[0]], [atLimit[1]]]);
    // EventBridge refuses a request of 256 KB: sent as two, both are accepted.
    expect(await publishLocally(atLimit)).toEqual({ failure: null, requests: 2, details: atLimit.map((e) => e.Detail) });

    const underLimit = [entryOfSize(half), entryOfSize(half - 1)];
    expect(requestsOf(underLimit)).toEqual([underLimit]);
    expect(await publishLocally(underLimit)).toEqual({ failure: null, requests: 1, details: underLimit.map((e) => e.Detail) });
  });

  it('sends no request for no entries (EventBridge refuses an empty one)', async () => {
    expect(requestsOf([])).toEqual([]);
    expect(await publishLocally([])).toEqual({ failure: null, requests: 0, details: [] });
  });

  it('puts an entry of 256 KB or more in a request of its own, never after an empty one', () => {
    const small = entryOfSize(100);
    const big = entryOfSize(MAX_ENTRY_BYTES);
    const bigger = entryOfSize(MAX_ENTRY_BYTES + 1);
    expect(requestsOf([big])).toEqual([[big]]);
    expect(requestsOf([small, big, bigger, small])).toEqual([[small], [big], [bigger], [small]]);
  });
});

describe('refused entries', () => {
  it('tells each distinct refusal once, code and message, in a TransientError; the accepted entries are in', async () => {
    const unknownBus = (n: number) => entryOfSize(200 + n, { EventBusName: 'no-such-bus' });
    const accepted = entryOfSize(300);
    const { failure, requests, details } = await publishLocally([unknownBus(1), entryOfSize(200, { Source: 'aws.helpdesk' }), accepted, unknownBus(2)]);
    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toBe(
      'PutEvents failed for 3 of 4 entries: InvalidArgument: Event bus no-such-bus does not exist.; NotAuthorizedForSourceException: Not authorized for the source aws.helpdesk.',
    );
    expect(requests).toBe(1);
    expect(details).toEqual([accepted.Detail]);
  });

  it('tells a refusal without a message by its code alone, and a failed count without any code as such', async () => {
    // The local EventBridge always gives a refused entry its code and message: these answers come from a stand-in.
    const answers = [
      { FailedEntryCount: 2, Entries: [{ ErrorCode: 'InternalFailure' }, { EventId: 'e-2' }, { ErrorCode: 'InternalFailure' }] },
      { FailedEntryCount: 1, Entries: [{ EventId: 'e-1' }] },
      { FailedEntryCount: 1 },
    ];
    const { result: failures, requests } = await withJsonService(
      'AWS_ENDPOINT_URL_EVENTBRIDGE',
      (_request, index) => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: answers[index] }),
      async () => [await publish([entryOfSize(100), entryOfSize(100), entryOfSize(100)]), await publish([entryOfSize(100)]), await publish([entryOfSize(100)])],
    );
    expect(requests.map((r) => r.headers['x-amz-target'])).toEqual(['AWSEvents.PutEvents', 'AWSEvents.PutEvents', 'AWSEvents.PutEvents']);
    for (const failure of failures) expect(failure).toBeInstanceOf(TransientError);
    expect(failures.map((f) => (f as Error).message)).toEqual([
      'PutEvents failed for 2 of 3 entries: InternalFailure',
      'PutEvents failed for 1 of 1 entries: no error code given',
      'PutEvents failed for 1 of 1 entries: no error code given',
    ]);
  });
});
