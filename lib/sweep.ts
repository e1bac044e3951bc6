/**
 * The sweep: no mail without a record. Raw mail whose delivery was lost (a notification dropped, a
 * message that reached the dead-letter queue and expired, an invocation killed between writes) sits
 * under the inbound prefix with no outcome tag. The sweep finds it and re-drives it through the same
 * pipeline, which is idempotent: a mail already recorded is only tagged, a claim for a new ticket is
 * resumed with its reserved id, anything else is decided now.
 *
 * Two passes, each bounded:
 * 1. Raw mail under the inbound prefix, last modified between `lookbackHours` and `afterMinutes`
 *    ago, without the outcome tag (`helpdesk-outcome`), is re-driven.
 * 2. Claims for new tickets (`pending` ledger entries) older than `afterMinutes` — longer than the
 *    function's timeout, so no invocation still works on them — are resumed; when their raw mail is
 *    gone, the claim becomes an `object-missing` skip, so it never blocks its Message-ID.
 */
import type { MailLocation, PendingEntry, SkippedEntry } from './ledger-entry.js';
import { RAW_MAIL_TAGS } from './ledger-outcomes.js';
import type { OutcomeKind } from './outcomes.js';
import type { MailProcessor, MailReport } from './pipeline/index.js';
import type { InboundListing, MessageLedger } from './ports.js';

export interface SweepDeps {
  readonly listing: InboundListing;
  readonly ledger: MessageLedger;
  readonly processMail: MailProcessor;
  /** The mail bucket and the prefix SES writes raw mail to. */
  readonly bucket: string;
  readonly inboundPrefix: string;
}

export interface SweepOptions {
  /** The sweep's clock. */
  readonly now: Date;
  /** Raw mail and claims younger than this (minutes) are left to their own delivery. At least the function's timeout. */
  readonly afterMinutes: number;
  /** Raw mail older than this (hours) is not looked at again: earlier runs swept it. */
  readonly lookbackHours: number;
  /** List what would be re-driven; write nothing. */
  readonly dryRun?: boolean;
  /** Asked before each mail: `true` stops the sweep (its invocation runs out of time); the next run continues. */
  readonly shouldStop?: () => boolean;
}

/** One mail the sweep found without a final record. */
export type SweepFinding =
  | { readonly kind: 'unrecorded'; readonly location: MailLocation; readonly lastModified: Date; readonly report: MailReport | null }
  | { readonly kind: 'pending-claim'; readonly entry: PendingEntry; readonly report: MailReport | null; readonly releasedAsMissing: boolean };

/** What one sweep did. */
export interface SweepSummary {
  /** Raw mail listed under the inbound prefix, and how many of those were in the time window. */
  readonly listed: number;
  readonly inWindow: number;
  /** Raw mail in the window without an outcome tag. */
  readonly unrecorded: number;
  /** Claims for new tickets older than the window's start. */
  readonly pendingClaims: number;
  /** Claims whose raw mail was gone, recorded as `object-missing`. */
  readonly releasedClaims: number;
  /** Outcomes of the mail re-driven (none in a dry run). */
  readonly outcomes: Readonly<Record<OutcomeKind, number>>;
  /** The sweep stopped early (out of time); the next run goes on. */
  readonly stoppedEarly: boolean;
}

/** The skip that releases a claim whose raw mail is gone. */
function releasedClaim(claim: PendingEntry, at: Date): SkippedEntry {
  const { ticketId, queue, state: _state, ...inbound } = claim;
  return {
    ...inbound,
    state: 'skipped',
    reason: 'object-missing',
    detail: `the raw mail of this claim for new ticket ${ticketId} (queue ${queue}) is gone: the ticket was never opened`,
    ticketId: null,
    recordedAt: at.toISOString(),
  };
}

/** Runs one sweep; `onFinding` hears of each mail found without a final record. */
export async function sweep(deps: SweepDeps, options: SweepOptions, onFinding: (finding: SweepFinding) => void = () => undefined): Promise<SweepSummary> {
  const { now } = options;
  const newest = now.getTime() - options.afterMinutes * 60_000;
  const oldest = now.getTime() - options.lookbackHours * 3_600_000;
  const outcomes: Record<OutcomeKind, number> = { followup: 0, created: 0, skipped: 0, retry: 0 };
  const counts = { listed: 0, inWindow: 0, unrecorded: 0, pendingClaims: 0, releasedClaims: 0 };
  const redriven = new Set<string>();
  const stop = () => options.shouldStop?.() ?? false;
  const summary = (stoppedEarly: boolean): SweepSummary => ({ ...counts, outcomes, stoppedEarly });

  const redrive = async (location: MailLocation): Promise<MailReport | null> => {
    if (options.dryRun) return null;
    redriven.add(location.key);
    const report = await deps.processMail(location);
    outcomes[report.outcome.kind] += 1;
    return report;
  };

  for await (const listed of deps.listing.list(deps.inboundPrefix)) {
    counts.listed += 1;
    const modified = listed.lastModified.getTime();
    if (modified > newest || modified < oldest) continue;
    counts.inWindow += 1;
    // Before the tags are read, too: a window of mail all recorded still costs a call per object.
    if (stop()) return summary(true);
    const location = { bucket: deps.bucket, key: listed.key };
    const tags = await deps.listing.tags(location);
    if (tags === null || RAW_MAIL_TAGS.outcome in tags) continue;
    counts.unrecorded += 1;
    onFinding({ kind: 'unrecorded', location, lastModified: listed.lastModified, report: await redrive(location) });
  }

  for await (const claim of deps.ledger.pendingClaims(new Date(newest))) {
    if (claim.bucket !== deps.bucket || redriven.has(claim.key)) continue;
    if (stop()) return summary(true);
    counts.pendingClaims += 1;
    const report = await redrive({ bucket: claim.bucket, key: claim.key });
    let releasedAsMissing = false;
    if (report?.outcome.kind === 'skipped' && report.outcome.reason === 'object-missing') {
      // The mail is gone: its claim would block the Message-ID for good. Record why instead.
      releasedAsMissing = (await deps.ledger.record(releasedClaim(claim, now))) === 'recorded';
      if (releasedAsMissing) counts.releasedClaims += 1;
    }
    onFinding({ kind: 'pending-claim', entry: claim, report, releasedAsMissing });
  }
  return summary(false);
}
