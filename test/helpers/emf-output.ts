/**
 * What the real handler writes to stdout and stderr (both of which Lambda hands to CloudWatch
 * Logs): its JSON log lines and its Embedded Metric Format records.
 */
import { vi } from 'vitest';

/** One EMF record: the metric definitions under `_aws`, dimension and metric values beside them. */
export interface EmfRecord {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

/** Runs `action` and answers the JSON lines it wrote to stdout and stderr. */
export async function outputLines(action: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter((line) => line.startsWith('{')));
    return true;
  };
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(capture), vi.spyOn(process.stderr, 'write').mockImplementation(capture)];
  try {
    await action();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The EMF records among the lines. */
export const emf = (lines: readonly Record<string, unknown>[]): EmfRecord[] => lines.filter((l): l is EmfRecord => '_aws' in l);
