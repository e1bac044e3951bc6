/**
 * `npm start -- [--mode create|update-only] [--tickets FILE] [--events FILE] [--json] PATH...`
 *
 * Runs the gateway on this machine: starts the embedded DynamoDB and S3, seeds tickets, and drives
 * each mail file through the real Lambda handler with a real S3 event notification, one after
 * another in the order given (a folder's .eml files sorted by name). Prints a table, or with
 * `--json` exactly one JSON object per mail on stdout; logs and metrics go to stderr. With
 * `--events FILE` it writes the events the gateway published to the local EventBridge, one
 * PutEvents entry per line (`event-lines.ts`), and the summary counts them.
 *
 * Sender notices are on (SENDER_NOTICES=true unless the shell says otherwise), sent to the
 * embedded SES v2: the table marks the rows whose sender got one, and each `--json` line carries
 * `"notice": {"to", "reason"}` or `null`.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MAILBOX_MODES, type MailboxMode } from '../mailbox.js';
import type { MailReport } from '../pipeline/index.js';
import { eventLines, eventsSummary } from './event-lines.js';
import { oneLine } from '../mail/unicode-text.js';
import { StoredReader, type StoredView } from './stored-view.js';
import { startLocalGateway } from './local-gateway.js';
import { parseTicketSeeds, type TicketSeed } from './seed.js';

const SAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../samples');
/** Routing variables the shell may set for the local run. */
const SHELL_ROUTING = ['MAILBOXES', 'DEFAULT_QUEUE', 'SENDER_NOTICES', 'SENDER_NOTICE_REASONS'] as const;
const USAGE = 'usage: npm start -- [--mode create|update-only] [--tickets FILE] [--events FILE] [--json] PATH...';

/** A usage error: printed with the usage line, exit code 2. */
class UsageError extends Error {}

/** One line of the `--json` output. `ticketId` is the ticket the mail was applied to, if any. */
export interface JsonResult {
  file: string;
  messageId: string | null;
  outcome: MailReport['outcome']['kind'];
  reason: string | null;
  ticketId: number | null;
  /** What the follow-up or new ticket holds (`stored-view.ts`); `null` for a mail that was not applied. */
  stored: StoredView | null;
  /** The sender notice this mail's skip sent (SENDER_NOTICES); `null` when none was sent. */
  notice: { to: string; reason: string } | null;
}

export function toJsonResult(file: string, report: MailReport, stored: StoredView | null = null): JsonResult {
  const { outcome } = report;
  return {
    file,
    messageId: report.messageId,
    outcome: outcome.kind,
    reason: outcome.kind === 'skipped' ? outcome.reason : null,
    ticketId: outcome.kind === 'followup' || outcome.kind === 'created' ? outcome.ticketId : null,
    stored,
    notice: report.notice?.kind === 'sent' ? { to: report.notice.to, reason: report.notice.reason } : null,
  };
}

/** The ticket column of the table: where the mail went, or `(N)` for a ticket a skipped mail named. */
function ticketCell(report: MailReport): string {
  const { outcome } = report;
  if (outcome.kind === 'followup' || outcome.kind === 'created') return String(outcome.ticketId);
  return outcome.kind === 'skipped' && outcome.ticketId !== undefined ? `(${outcome.ticketId})` : '';
}

/** Expands PATH arguments: files as given, folders to their .eml files sorted by name. */
async function mailFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => null);
    if (!info) throw new UsageError(`${path}: no such file or folder`);
    if (info.isDirectory()) {
      const names = (await readdir(path, { withFileTypes: true }))
        .filter((entry) => entry.isFile() && entry.name.toLowerCase().endsWith('.eml'))
        .map((entry) => entry.name)
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      files.push(...names.map((name) => join(path, name)));
    } else {
      files.push(path);
    }
  }
  return files;
}

async function readTickets(file: string): Promise<TicketSeed[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--tickets ${file}: ${(error as Error).message}`);
  }
  try {
    return parseTicketSeeds(json, file);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Most characters of the reply column. */
const REPLY_CELL_CHARS = 50;

/** The reply column: the first non-blank line of what a follow-up or new ticket stored as its reply, cut to fit. */
function replyCell(result: JsonResult): string {
  const line = result.stored?.reply.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return oneLine(line, REPLY_CELL_CHARS);
}

function table(rows: readonly { result: JsonResult; report: MailReport }[]): string {
  // `notice`: a sender notice was sent for the skip (`--json` names the address); `reply`: what an applied mail stored as its reply.
  const header = ['file', 'outcome', 'reason', 'ticket', 'notice', 'reply'];
  const cells = rows.map(({ result, report }) => [basename(result.file), result.outcome, result.reason ?? '', ticketCell(report), result.notice ? 'sent' : '', replyCell(result)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]) => c.map((v, i) => v.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Keeps stdout for results: everything else that writes to stdout (logs, EMF metrics) goes to stderr. */
function reserveStdout(): (text: string) => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return (text) => {
    write(text);
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const print = reserveStdout();
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { mode: { type: 'string', default: 'update-only' }, tickets: { type: 'string' }, events: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (!(MAILBOX_MODES as readonly string[]).includes(values.mode)) throw new UsageError(`--mode must be ${MAILBOX_MODES.join(' or ')}`);
  const mode = values.mode as MailboxMode;
  const tickets = await readTickets(values.tickets ?? join(SAMPLES, 'tickets.json'));
  const files = await mailFiles(positionals.length > 0 ? positionals : [SAMPLES]);

  // MAILBOXES and DEFAULT_QUEUE set in the shell are honoured (mixed-mode mailboxes can be tried);
  // --mode then sets only the mode of mailboxes that name none (UPDATE_ONLY).
  const fromShell = Object.fromEntries(SHELL_ROUTING.flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : [])));
  // Notices on, so a newcomer sees them (the embedded SES v2 keeps them; nothing leaves the machine).
  const gateway = await startLocalGateway({ mode, tickets, env: { SENDER_NOTICES: 'true', ...fromShell } });
  const results: { result: JsonResult; report: MailReport }[] = [];
  let events = '';
  const storedReader = new StoredReader(gateway.stack);
  try {
    for (const file of files) {
      const report = await gateway.deliver(basename(file), await readFile(file));
      const result = toJsonResult(file, report, await storedReader.view(report));
      results.push({ result, report });
      if (values.json) print(`${JSON.stringify(result)}\n`);
    }
    const published = gateway.stack.eventBridge.events();
    if (values.events !== undefined) {
      await writeFile(values.events, eventLines(published));
      events = `; ${eventsSummary(published.length, values.events)}`;
    }
  } finally {
    storedReader.destroy();
    await gateway.stop();
  }
  if (!values.json) {
    print(`${table(results)}\n\n${results.length} mails, mode ${mode}${events}; logs and metrics were written to stderr.\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
      process.exit(2);
    }
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
