/**
 * The local run's table (`npm start` without `--json`) and its exit code: pure, from the mails'
 * reports.
 */
import { basename } from 'node:path';
import { oneLine } from '../mail/unicode-text.js';
import type { MailReport } from '../pipeline/index.js';

/** The longest error line a `retry` row shows; the rest is in the logs on stderr. */
export const RETRY_REASON_MAX = 120;

/** One row's file and report, and what the run read back of it. */
export interface RunRow {
  readonly file: string;
  readonly report: MailReport;
  /** Whether a sender notice was sent for the skip. */
  readonly noticeSent?: boolean;
  /** What an applied mail stored as its reply (`stored-view.ts`), else `null`. */
  readonly reply?: string | null;
}

/** Most characters of the reply column. */
const REPLY_CELL_CHARS = 50;

/** The reply column: the first non-blank line of the stored reply, cut to fit. */
function replyCell(reply: string | null | undefined): string {
  const line = reply?.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return oneLine(line, REPLY_CELL_CHARS);
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
  return oneLine(first, RETRY_REASON_MAX);
}

/**
 * The table: file, outcome, reason, ticket, `notice` (a sender notice was sent for the skip;
 * `--json` names the address), `reply` (the first line of what an applied mail stored as its
 * reply); columns padded to their widest cell.
 */
export function runTable(rows: readonly RunRow[]): string {
  const cells = rows.map(rowCells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  return [tableLine(HEADER, widths), tableLine(widths.map((w) => '-'.repeat(w)), widths), ...cells.map((c) => tableLine(c, widths))].join('\n');
}

const HEADER = ['file', 'outcome', 'reason', 'ticket', 'notice', 'reply'] as const;

function rowCells({ file, report, noticeSent, reply }: RunRow): string[] {
  return [basename(file), report.outcome.kind, reasonCell(report), ticketCell(report), noticeSent ? 'sent' : '', replyCell(reply)];
}

function tableLine(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd();
}

/**
 * Column widths of the table printed a row at a time, as mail arrives (`npm start -- --smtp`): a
 * longer cell is not cut, only not padded.
 */
const STREAMED_WIDTHS = [14, 9, 20, 6, 6, 0] as const;

/** The header and rule of the table printed a row at a time (see {@link runTableRow}). */
export function runTableHeader(): string {
  return [tableLine(HEADER, STREAMED_WIDTHS), tableLine(STREAMED_WIDTHS.map((w, i) => '-'.repeat(Math.max(w, (HEADER[i] as string).length))), STREAMED_WIDTHS)].join('\n');
}

/** One row of the table printed a row at a time, under {@link runTableHeader}. */
export function runTableRow(row: RunRow): string {
  return tableLine(rowCells(row), STREAMED_WIDTHS);
}

/** The run's exit code: 1 when any mail needs a retry (it has no outcome yet), else 0. */
export function runExitCode(reports: readonly MailReport[]): 0 | 1 {
  return reports.some((r) => r.outcome.kind === 'retry') ? 1 : 0;
}
