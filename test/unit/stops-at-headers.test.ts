/**
 * Where reading a redelivered mail stops (lib/pipeline/fingerprint.ts, `stopsAtHeaders`): at its
 * header block only when its first attempt recorded it at its header block; a mail recorded over
 * its content is read to its end again (its redone steps compare and store what the body holds,
 * and must never find a different fingerprint for the same object). Pure.
 */
import { describe, expect, it } from 'vitest';
import { stopsAtHeaders } from '../../lib/pipeline/fingerprint.js';
import { appliedEntry, skippedEntry } from '../helpers/ledger-entries.js';

const redelivered = { kind: 'redelivered' } as const;

describe('a redelivered mail', () => {
  it('stops at its header block when its ledger entry was fingerprinted over the header block', () => {
    expect(stopsAtHeaders({ decision: redelivered, heldBy: null, prior: { ...skippedEntry({ reason: 'auto-reply' }), fingerprintScope: 'headers' } })).toBe(true);
  });

  it('is read to its end when its ledger entry was fingerprinted over its content', () => {
    expect(stopsAtHeaders({ decision: redelivered, heldBy: null, prior: appliedEntry() })).toBe(false);
    expect(stopsAtHeaders({ decision: redelivered, heldBy: null, prior: skippedEntry({ reason: 'malformed' }) })).toBe(false);
  });
});
