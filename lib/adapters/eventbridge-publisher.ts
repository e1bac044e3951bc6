/**
 * {@link EventPublisher} on Amazon EventBridge: `PutEvents`, at most 10 entries and under 256 KB
 * of entries per request (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html). The endpoint
 * comes from the SDK's own `AWS_ENDPOINT_URL_EVENTBRIDGE` variable (the local stack's server).
 */
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandOutput } from '@aws-sdk/client-eventbridge';
import { TransientError } from '../errors.js';
import { MAX_ENTRY_BYTES, entrySize, type PutEventsEntry } from '../events/gateway-event.js';
import type { EventPublisher } from '../ports.js';
import { AWS_HTTP_TIMEOUTS, observed } from './aws-clients.js';
import { boundByDeadline } from './aws-deadline.js';
import { asTransient } from './aws-errors.js';

/** EventBridge takes at most this many entries per `PutEvents` request. */
export const MAX_ENTRIES_PER_REQUEST = 10;

/** The EventBridge client, with its calls observed like the other clients' (`observeAwsCalls`), and their timeouts. */
export function createEventBridgeClient(): EventBridgeClient {
  return boundByDeadline(observed(new EventBridgeClient({ requestHandler: { ...AWS_HTTP_TIMEOUTS.api } })));
}

/** What went wrong with the entries EventBridge refused, in words. */
function failures(output: PutEventsCommandOutput): string {
  const errors = (output.Entries ?? []).filter((e) => e.ErrorCode).map((e) => (e.ErrorMessage ? `${e.ErrorCode}: ${e.ErrorMessage}` : e.ErrorCode));
  return [...new Set(errors)].join('; ') || 'no error code given';
}

/** Groups entries, in order, into requests of at most 10 entries and under 256 KB together. */
export function requestsOf(entries: readonly PutEventsEntry[]): PutEventsEntry[][] {
  const requests: PutEventsEntry[][] = [];
  let current: PutEventsEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = entrySize(entry);
    if (current.length === MAX_ENTRIES_PER_REQUEST || (current.length > 0 && size + bytes >= MAX_ENTRY_BYTES)) {
      requests.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

export class EventBridgePublisher implements EventPublisher {
  constructor(private readonly client: EventBridgeClient) {}

  /**
   * Sends the entries in as few requests as the limits allow. Every failure is a
   * {@link TransientError}: a thrown SDK error (throttling and 5xx after the SDK's own retries, a
   * reset connection, a missing permission after a bad deploy), and `FailedEntryCount > 0` — the
   * entries are built within EventBridge's limits, so a refused entry is not the mail's fault.
   */
  async publish(entries: readonly PutEventsEntry[]): Promise<void> {
    for (const batch of requestsOf(entries)) {
      let output: PutEventsCommandOutput;
      try {
        output = await this.client.send(new PutEventsCommand({ Entries: batch.map((entry) => ({ ...entry })) }));
      } catch (error) {
        throw asTransient('PutEvents', error);
      }
      const failed = output.FailedEntryCount ?? 0;
      if (failed > 0) throw new TransientError(`PutEvents failed for ${failed} of ${batch.length} entries: ${failures(output)}`);
    }
  }
}
