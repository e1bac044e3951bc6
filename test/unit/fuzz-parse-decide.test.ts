/**
 * Properties over generated and mutated raw mail, without I/O:
 * - parsing: every input parses to a record or a MalformedMailError (which the pipeline records as
 *   a skip), and to the same record (or the same error) however the input stream is chunked;
 * - deciding: against a ledger and tickets that exist (open, closed, merged, merged into a missing
 *   ticket, a merge loop), with any prior ledger entry, mailbox mode and sender policy, the
 *   decision is the one a small model of the decision table gives.
 *
 * Seeds: a fixed regression set, and one that changes per run and is printed in the test's name
 * (replay with FUZZ_SEED=<seed>). See test/helpers/mime-arbitrary.ts.
 */
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideOutcome, type Decision, type ReferencedTicket } from '../../lib/decide.js';
import { MalformedMailError } from '../../lib/errors.js';
import type { PriorEntry } from '../../lib/ledger-outcomes.js';
import { canonicalizeMailbox } from '../../lib/mail/canonical-address.js';
import { DRAIN_ATTACHMENTS, parseMail } from '../../lib/mail/parse.js';
import type { MailRecord } from '../../lib/mail/record.js';
import { routeMail, type MailboxMode } from '../../lib/mailbox.js';
import { findTicketReferences, threadMessageIds } from '../../lib/reference/find-ticket-reference.js';
import { subjectTagFinder } from '../../lib/reference/subject-tag.js';
import type { SenderCheck } from '../../lib/screening/sender-policy.js';
import { loadTicketChain } from '../../lib/ticket-chain.js';
import type { Ticket } from '../../lib/ticket.js';
import { FUZZ_EXPLORATION_SEED, FUZZ_REGRESSION_SEEDS, FUZZ_RUNS, KNOWN_THREAD_IDS, hostileMime } from '../helpers/mime-arbitrary.js';

const findTag = subjectTagFinder(['support', 'billing']);

const ticket = (id: number, status: Ticket['status'], submitter: string, mergedInto?: number): Ticket => ({
  id, queue: id === 7 ? 'billing' : 'support', status, title: `ticket ${id}`, submitter, cc: [], createdAt: '', updatedAt: '', ...(mergedInto ? { mergedInto } : {}),
});
/** The tickets that exist: open, closed, merged (into an open and a closed one), merged into a missing ticket, and a merge loop. */
const TICKETS = new Map<number, Ticket>(
  [ticket(42, 'open', 'alice@example.com'), ticket(43, 'closed', 'a@example.com'), ticket(44, 'duplicate', 'dave@example.com', 42), ticket(45, 'duplicate', 'dave@example.com', 43), ticket(7, 'resolved', 'a@example.com'),
    ticket(60, 'duplicate', 'a@example.com', 61), ticket(70, 'duplicate', 'a@example.com', 71), ticket(71, 'duplicate', 'a@example.com', 70)].map((t) => [t.id, t]),
);
const store = { get: async (id: number) => TICKETS.get(id) ?? null };

const priors: fc.Arbitrary<PriorEntry> = fc.constantFrom<PriorEntry>(
  { kind: 'none' },
  { kind: 'none' },
  { kind: 'same-object', state: 'final' },
  { kind: 'same-object', state: 'pending', claim: { ticketId: 5000, queue: 'support' } },
  { kind: 'other-object', key: 'inbound/another.eml' },
);
const modes = fc.constantFrom<MailboxMode>('update-only', 'create');
/** Who sent the mail: no sender policy, or a strict or open one with an authenticated sender. */
const senders = fc.option(
  fc.record({ policy: fc.constantFrom<'strict' | 'open'>('strict', 'open'), sender: fc.constantFrom('alice@example.com', 'a@example.com', 'mallory@example.org') }),
  { nil: undefined },
);
/** How the input stream is cut: chunk sizes, used in turn. */
const chunkings = fc.array(fc.integer({ min: 1, max: 70_000 }), { minLength: 1, maxLength: 8 });

function chunked(raw: Buffer, sizes: readonly number[]): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0, n = 0; i < raw.length; n += 1) {
        const size = sizes[n % sizes.length] as number;
        yield raw.subarray(i, i + size);
        i += size;
      }
    })(),
  );
}

/** The record, or the error's class and message. */
async function parsed(stream: Readable): Promise<{ record: MailRecord } | { error: string }> {
  try {
    return { record: await parseMail(stream, { onHeaders: async () => DRAIN_ATTACHMENTS }) };
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedMailError);
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function senderCheck(given: { policy: 'strict' | 'open'; sender: string }): SenderCheck {
  return {
    policy: given.policy,
    authentication: 'required',
    sender: given.sender,
    authenticated: true,
    authenticationDetail: 'dmarc=pass',
    agents: { addresses: new Set(), domains: new Set() },
    canonicalParticipant: (address) => {
      const canonical = canonicalizeMailbox(address);
      return canonical.comparable ? canonical.address : null;
    },
  };
}

/**
 * The model: what the decision must be, from the decision table in the README, written apart from
 * decide.ts. `null` where the model has nothing to say (screening is not part of this check).
 */
function expectedDecision(input: { prior: PriorEntry; empty: boolean; mode: MailboxMode; references: readonly ReferencedTicket[]; senders: { policy: string; sender: string } | undefined }): (decision: Decision) => void {
  const { prior, empty, mode, references } = input;
  return (decision) => {
    if (prior.kind === 'same-object' && prior.state === 'final') return expect(decision).toEqual({ kind: 'redelivered' });
    if (prior.kind === 'same-object' && prior.state === 'pending') return expect(decision).toEqual({ kind: 'create', queue: 'support', ticketId: 5000 });
    if (prior.kind === 'other-object') return expect(decision).toMatchObject({ kind: 'skip', reason: 'duplicate' });
    if (empty) return expect(decision).toMatchObject({ kind: 'skip', reason: 'empty' });
    // Where each reference leads: the end of its merge chain, when every ticket on it exists.
    const destinations = references.flatMap((r) => (r.chain.kind === 'found' ? [r.chain.tickets] : []));
    const mayWrite = (chain: readonly Ticket[]) =>
      !input.senders || input.senders.policy === 'open' || chain.some((t) => t.submitter === input.senders?.sender || t.cc.includes(input.senders?.sender ?? ''));
    const writable = destinations.filter(mayWrite).map((chain) => chain[chain.length - 1] as Ticket);
    if (writable.length > 0) {
      expect(decision.kind).toBe('followup');
      if (decision.kind !== 'followup') return;
      expect(writable.map((t) => t.id)).toContain(decision.ticket.id);
      expect(decision.ticket.mergedInto).toBeUndefined();
      expect(decision.reopen).toBe(decision.ticket.status === 'closed' || decision.ticket.status === 'resolved');
      return;
    }
    if (destinations.length > 0) return expect(decision).toMatchObject({ kind: 'skip', reason: 'sender-not-allowed' });
    if (mode === 'create') return expect(decision).toEqual({ kind: 'create', queue: 'support', ticketId: null });
    return expect(decision).toMatchObject({ kind: 'skip', reason: references.length === 0 ? 'no-ticket-ref' : 'ticket-not-found' });
  };
}

/** How often each decision came out (a skip by its reason), and how often parsing refused the input. */
type Tally = Map<string, number>;
const count = (tally: Tally, what: string) => tally.set(what, (tally.get(what) ?? 0) + 1);

const property = (tally: Tally) => fc.asyncProperty(hostileMime, chunkings, priors, modes, senders, async (raw, sizes, prior, mode, sender) => {
  const whole = await parsed(Readable.from([raw]));
  expect(await parsed(chunked(raw, sizes))).toEqual(whole);
  if (!('record' in whole)) {
    count(tally, 'malformed');
    return;
  }
  const { record } = whole;
  expect(record.rawSize).toBe(raw.length);

  const threadIds = threadMessageIds(record);
  const ticketsByMessageId = new Map(threadIds.filter((id) => id in KNOWN_THREAD_IDS).map((id) => [id, KNOWN_THREAD_IDS[id] as number]));
  const references: ReferencedTicket[] = [];
  for (const reference of findTicketReferences({ threadIds, ticketsByMessageId, subjectTag: findTag(record.subject) })) {
    references.push({ reference, chain: await loadTicketChain(store, reference.ticketId) });
  }
  const routing = { mailboxes: [{ address: 'support@helpdesk.example', queue: 'support', mode }], defaultQueue: 'support', defaultMode: mode };
  const decision = decideOutcome({
    prior,
    empty: record.headerCount === 0,
    mailbox: routeMail(['support@helpdesk.example'], routing),
    references,
    ...(sender ? { senders: senderCheck(sender) } : {}),
  });
  expectedDecision({ prior, empty: record.headerCount === 0, mode, references, senders: sender })(decision);
  count(tally, decision.kind === 'skip' ? decision.reason : decision.kind);
});

/** The kinds of decision the model tells apart. */
const DECISION_KINDS = ['followup', 'create', 'redelivered', 'duplicate', 'no-ticket-ref', 'ticket-not-found', 'sender-not-allowed'];

/** Every kind of decision the model tells apart came out at least once: the check explored. */
function expectExplored(tally: Tally): void {
  const seen = [...tally.keys()].sort();
  for (const kind of DECISION_KINDS) {
    expect(seen, `decisions seen: ${JSON.stringify(Object.fromEntries(tally))}`).toContain(kind);
  }
}

/**
 * Batches of runs from `seed`, `seed + 1`, … until every kind of decision came out, at most
 * {@link MAX_EXPLORING_BATCHES}: one batch of a random seed misses the rarest kind about a third of
 * the time (measured over seeds), which is a check that did not explore, not a bug. A failing
 * batch reports its own seed.
 */
const MAX_EXPLORING_BATCHES = 8;
async function explore(seed: number, numRuns: number): Promise<Tally> {
  const tally: Tally = new Map();
  for (let batch = 0; batch < MAX_EXPLORING_BATCHES && !DECISION_KINDS.every((kind) => tally.has(kind)); batch++) {
    await fc.assert(property(tally), { numRuns, seed: (seed + batch) >>> 0 });
  }
  return tally;
}

describe('fuzzing parse and decide', () => {
  it.each(FUZZ_REGRESSION_SEEDS)('parses any chunking alike and decides as the model says (regression seed %i)', async (seed) => {
    const tally: Tally = new Map();
    await fc.assert(property(tally), { numRuns: Math.ceil(FUZZ_RUNS / 4), seed });
    expectExplored(tally);
  }, 120_000);

  it(`parses any chunking alike and decides as the model says (exploring, seed ${FUZZ_EXPLORATION_SEED})`, async () => {
    expectExplored(await explore(FUZZ_EXPLORATION_SEED, Math.ceil(FUZZ_RUNS / 3)));
  }, 600_000);
});
