/**
 * Property, through the real handler against dynalite and s3rver: every generated or mutated raw
 * mail gets a final outcome (never `retry`, never an exception out of the handler).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';
import { FUZZ_RUNS, FUZZ_SEED, hostileMime } from '../helpers/mime-arbitrary.js';

const fixture = useGateway({ mode: 'update-only' });

describe('fuzzing the handler', () => {
  it('gives every hostile mail a final outcome and lets nothing escape', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostileMime, async (raw) => {
        n += 1;
        const report = await fixture.gateway.deliver(`fuzz-${n}.eml`, raw);
        expect(['followup', 'created', 'skipped']).toContain(report.outcome.kind);
      }),
      { numRuns: Math.ceil(FUZZ_RUNS / 5), seed: FUZZ_SEED },
    );
  }, 60_000);
});
