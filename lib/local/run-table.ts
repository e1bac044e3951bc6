/**
 * The local run's table (`npm start` without `--json`) and its exit code: pure, from the mails'
 * reports.
 */
import { basename } from 'node:path';
import type { MailReport } from '../pipeline/index.js';

/** The longest error line a `retry` row shows; the rest is in the logs on stderr. */
export const RETRY_REASON_MAX = 120;

/** One row's file and report. */
export interface RunRow {
  readonly file: string;
  readonly report: MailReport;
}

/** The ticket column: where the mail went, or `(N)` for a ticket a skipped mail named. */
function ticketCell(report: MailReport): string {
  const { outcome } = report;
  if (outcome.kind === 'followup' || outcome.kind === 'created') return String(outcome.ticketId);
  return outcome.kind === 'skipped' && outcome.ticketId !== undefined ? `(${outcome.ticketId})` : '';
}

/**
 * The reason column: the skip reason, or for a `retry` the first line of its error (at most
 * {@link RETRY_REASON_MAX} characters).
 */
export function reasonCell(report: MailReport): string {
  const { outcome } = report;
  if (outcome.kind === 'skipped') return outcome.reason;
  if (outcome.kind !== 'retry') return '';
  const first = (outcome.error.split(/\r?\n/).find((line) => line.trim() !== '') ?? 'unknown error').trim();
  return first.length > RETRY_REASON_MAX ? `${first.slice(0, RETRY_REASON_MAX - 1)}…` : first;
}

/** The table: file, outcome, reason, ticket; columns padded to their widest cell. */
export function runTable(rows: readonly RunRow[]): string {
  const header = ['file', 'outcome', 'reason', 'ticket'];
  const cells = rows.map(({ file, report }) => [basename(file), report.outcome.kind, reasonCell(report), ticketCell(report)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]) => c.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The run's exit code: 1 when any mail needs a retry (it has no outcome yet), else 0. */
export function runExitCode(reports: readonly MailReport[]): 0 | 1 {
  return reports.some((r) => r.outcome.kind === 'retry') ? 1 : 0;
}
