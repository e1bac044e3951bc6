import { describe, expect, it } from 'vitest';
import { gatewayEvent } from '../../lib/events/gateway-event.js';
import { eventLines, eventsSummary } from '../../lib/local/event-lines.js';
import { appliedEntry, skippedEntry } from '../helpers/ledger-entries.js';

describe('the --events file of the local run', () => {
  it('holds one PutEvents entry per line, as the SDK takes it, Detail a JSON string', () => {
    const events = [gatewayEvent(appliedEntry(), { eventBusName: 'bus' }), gatewayEvent(skippedEntry(), { eventBusName: 'bus' })];
    const recorded = events.map((e, i) => ({ ...e, EventId: `id-${i}` }));
    const lines = eventLines(recorded).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual(events.map(({ Source, DetailType, Detail, EventBusName }) => ({ Source, DetailType, Detail, EventBusName })));
    expect(typeof (JSON.parse(lines[0] as string) as { Detail: unknown }).Detail).toBe('string');
  });

  it('is empty when nothing was published, and the summary counts the events', () => {
    expect(eventLines([])).toBe('');
    expect(eventsSummary(1, 'e.jsonl')).toBe('1 event written to e.jsonl');
    expect(eventsSummary(3, 'e.jsonl')).toBe('3 events written to e.jsonl');
  });
});
