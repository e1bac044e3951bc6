/** The `--events FILE` output of the local run: JSON lines of PutEvents entries. Pure. */
import type { RecordedEvent } from './eventbridge-server.js';

/** One line of the file: a `PutEvents` entry exactly as the AWS SDK takes it (`Detail` a JSON string). */
export interface EventLine {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
}

/** The entries as JSON lines, one per event in the order they were published (`''` for none). */
export function eventLines(events: readonly (EventLine | RecordedEvent)[]): string {
  return events.map(({ Source, DetailType, Detail, EventBusName }) => `${JSON.stringify({ Source, DetailType, Detail, EventBusName } satisfies EventLine)}\n`).join('');
}

/** The summary's words for the events: `3 events written to events.jsonl` / `1 event …`. */
export function eventsSummary(count: number, file: string): string {
  return `${count} ${count === 1 ? 'event' : 'events'} written to ${file}`;
}
