/**
 * Property: every raw input, however broken, parses to a record (or a MalformedMailError, which
 * the pipeline records as a skip) and every record gets a decision. Nothing else may escape.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideOutcome } from '../../lib/decide.js';
import { MalformedMailError } from '../../lib/errors.js';
import { DRAIN_ATTACHMENTS, parseMail } from '../../lib/mail/parse.js';
import { routeMail } from '../../lib/mailbox.js';
import { findTicketReferences, threadMessageIds } from '../../lib/reference/find-ticket-reference.js';
import { subjectTagFinder } from '../../lib/reference/subject-tag.js';
import { FUZZ_RUNS, FUZZ_SEED, hostileMime } from '../helpers/mime-arbitrary.js';

const findTag = subjectTagFinder(['support', 'billing']);
const routing = { mailboxes: [{ address: 'support@helpdesk.example', queue: 'support', mode: 'update-only' as const }], defaultQueue: null, defaultMode: 'create' as const };

describe('fuzzing parse and decide', () => {
  it('gives every generated or mutated mail an outcome', async () => {
    await fc.assert(
      fc.asyncProperty(hostileMime, fc.integer({ min: 1, max: 70_000 }), async (raw, chunk) => {
        let record;
        try {
          record = await parseMail(
            Readable.from((function* () {
              for (let i = 0; i < raw.length; i += chunk) yield raw.subarray(i, i + chunk);
            })()),
            { onHeaders: async () => DRAIN_ATTACHMENTS },
          );
        } catch (error) {
          expect(error).toBeInstanceOf(MalformedMailError);
          return;
        }
        const threadIds = threadMessageIds(record);
        const references = findTicketReferences({ threadIds, ticketsByMessageId: new Map(), subjectTag: findTag(record.subject) });
        const decision = decideOutcome({
          prior: { kind: 'none' },
          empty: record.headerCount === 0,
          mailbox: routeMail([...record.deliveredTo, ...record.to.map((a) => a.address)], routing),
          references: references.map((reference) => ({ reference, chain: { kind: 'missing' as const, ticketId: reference.ticketId, via: [] } })),
        });
        expect(['followup', 'create', 'skip']).toContain(decision.kind);
        expect(record.rawSize).toBe(raw.length);
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED },
    );
  }, 60_000);
});
