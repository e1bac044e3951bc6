/**
 * Replay: re-drive skipped mail through the same pipeline once the cause is fixed (the ticket was
 * created, the mailbox configured, the size limit raised). Each mail is decided anew; a new outcome
 * that gets further with the mail replaces the skip in the ledger, and the raw mail's tags follow.
 * A replay never destroys information: one that comes to the same skip, or to less (a quarantined
 * virus mail is `object-missing` at its old key), leaves the entry as it was.
 */
import type { SkippedEntry } from './ledger-entry.js';
import { outcomeOfEntry, sameOutcome } from './ledger-outcomes.js';
import type { MailProcessor, MailReport } from './pipeline/index.js';
import type { MessageLedger, SkippedFilter } from './ports.js';

/** One replayed (or, in a dry run, listed) mail. */
export interface ReplayResult {
  readonly entry: SkippedEntry;
  /** What the replay came to; `null` in a dry run. */
  readonly report: MailReport | null;
}

/**
 * Replays the skipped mail that matches `filter`, one after another, yielding each result. The
 * candidates are listed first, so entries the replay writes are not met again.
 */
export async function* replaySkipped(
  deps: { readonly ledger: MessageLedger; readonly processMail: MailProcessor },
  filter: SkippedFilter,
  options: { readonly dryRun?: boolean } = {},
): AsyncIterable<ReplayResult> {
  const candidates: SkippedEntry[] = [];
  for await (const entry of deps.ledger.skipped(filter)) candidates.push(entry);
  candidates.sort((a, b) => (a.recordedAt < b.recordedAt ? -1 : a.recordedAt > b.recordedAt ? 1 : 0));
  for (const entry of candidates) {
    if (options.dryRun) {
      yield { entry, report: null };
      continue;
    }
    const report = await deps.processMail({ bucket: entry.bucket, key: entry.key }, undefined, { replay: true });
    // When the mail's new outcome went under another ledger key (e.g. a mail first skipped
    // unread as too-large now has its Message-ID), the old skip entry goes. It is kept when the
    // replay must be retried, when the replay left it standing (its outcome is the entry's own),
    // and when the replay rewrote it in place (removeSkipped checks the entry is unchanged).
    if (report.outcome.kind !== 'retry' && !sameOutcome(report.outcome, outcomeOfEntry(entry))) await deps.ledger.removeSkipped(entry);
    yield { entry, report };
  }
}
