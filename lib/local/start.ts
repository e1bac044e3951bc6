/**
 * `npm start -- [--mode create|update-only] [--tickets FILE] [--events FILE] [--json] PATH...`
 * `npm start -- --smtp [PORT] [--mode …] [--tickets FILE] [--json]`
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
 *
 * With `--smtp` it receives mail over SMTP instead of reading files (`smtp-intake.ts`), prints a
 * row per mail as it is handled, and runs until SIGINT or SIGTERM, keeping the stack alive; at
 * start it prints the environment with which `replay`, `inspect` and `register-outbound` reach it.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAILBOX_MODES, type MailboxMode } from '../mailbox.js';
import type { MailReport } from '../pipeline/index.js';
import { eventLines, eventsSummary } from './event-lines.js';
import { StoredReader, type StoredView } from './stored-view.js';
import { startLocalGateway } from './local-gateway.js';
import { runExitCode, runTable, runTableHeader, runTableRow } from './run-table.js';
import { readTicketFile, routingFromShell, SAMPLES } from './run-inputs.js';
import { isolateFromShellAws } from './shell-isolation.js';
import { DEFAULT_SMTP_PORT, reachLines, smtpArgument, startSmtpIntake } from './smtp-intake.js';
import { loadConfig } from '../config.js';
import { refuseNpmSwallowedOptions, runCommand, UsageError, type CommandHelp } from '../cli/run-command.js';

const HELP: CommandHelp = {
  usage: `usage: npm start -- [--mode create|update-only] [--tickets FILE] [--events FILE] [--json] PATH...
       npm start -- --smtp [PORT] [--mode create|update-only] [--tickets FILE] [--json]`,
  description: `Runs the gateway on this machine (embedded DynamoDB, S3 and EventBridge; no AWS account) on
each mail file, in the order given (a folder's .eml files sorted by name; default: samples/).

  --mode MODE      the mode of mailboxes that name none: update-only (default) or create
  --tickets FILE   tickets to seed, a JSON array (default: samples/tickets.json)
  --events FILE    write the events the gateway published, one per line
  --json           one JSON object per mail on stdout, nothing else (use npm start --silent -- --json)
  --smtp [PORT]    receive mail over SMTP on 127.0.0.1:PORT (default ${DEFAULT_SMTP_PORT}; 0: any free port)
                   instead of reading files, as SES receives it: RCPT TO is accepted for the
                   configured mailboxes and their +tags and refused (550) for anyone else; each
                   mail is stored under inbound/ with the headers SES adds and handled through the
                   S3 event, a row printed per mail. Runs until Ctrl-C (SIGINT) or SIGTERM, and
                   prints first the environment with which replay, inspect and register-outbound
                   reach the stack. No TLS and no authentication: it listens on 127.0.0.1 only.

The shell's AWS_PROFILE, AWS_DEFAULT_PROFILE, AWS_REGION, AWS_ENDPOINT_URL*, AWS_SESSION_TOKEN and
keys are ignored. Exit codes: 0 every mail got an outcome, 1 a mail needs a retry (or the run
failed), 2 a usage or configuration error.`,
};

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

/** Keeps stdout for results: everything else that writes to stdout (logs, EMF metrics) goes to stderr. */
function reserveStdout(): (text: string) => void {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  return (text) => {
    write(text);
  };
}

/** `--smtp`: the SMTP intake over the local gateway, until SIGINT or SIGTERM. */
async function serveSmtp(port: number, mode: MailboxMode, tickets: Awaited<ReturnType<typeof readTicketFile>>, json: boolean, print: (text: string) => void): Promise<number> {
  const gateway = await startLocalGateway({ mode, tickets, env: { SENDER_NOTICES: 'true', ...routingFromShell() } });
  const storedReader = new StoredReader(gateway.stack);
  const info = json ? (text: string) => process.stderr.write(text) : print;
  try {
    const mailboxes = loadConfig(process.env).mailboxes.flatMap((m) => (m.address === null ? [] : [m.address]));
    const intake = await startSmtpIntake({
      port,
      mailboxes,
      region: gateway.env.AWS_REGION ?? 'us-east-1',
      deliver: (name, raw) => gateway.deliver(name, raw),
      onReport: async (name, report) => {
        const result = toJsonResult(name, report, await storedReader.view(report));
        print(json ? `${JSON.stringify(result)}\n` : `${runTableRow({ file: name, report, noticeSent: result.notice !== null, reply: result.stored?.reply ?? null })}\n`);
      },
    });
    const stopped = new Promise<string>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    info(
      `# To reach this stack from another shell (npm run replay, npm run inspect -- s3://…, npm run register-outbound), paste:\n${reachLines(gateway.env, process.env)}\n\n` +
        `SMTP intake listening on 127.0.0.1:${intake.port} for ${mailboxes.join(', ')} (and their +tags), mode ${mode}; Ctrl-C stops it.\n\n`,
    );
    if (!json) print(`${runTableHeader()}\n`);
    const signal = await stopped;
    info(`\n${signal}: stopping the SMTP intake and the local stack.\n`);
    await intake.stop();
  } finally {
    storedReader.destroy();
    await gateway.stop();
  }
  return 0;
}

/** The options parseArgs reads (`--smtp [PORT]` is taken off the command line before, by `smtpArgument`). */
const OPTIONS = { mode: { type: 'string', default: 'update-only' }, tickets: { type: 'string' }, events: { type: 'string' }, json: { type: 'boolean', default: false } } as const;

async function main(argv: readonly string[]): Promise<number> {
  refuseNpmSwallowedOptions([...Object.keys(OPTIONS), 'smtp'], 'start');
  isolateFromShellAws(process.env);
  const print = reserveStdout();
  const smtp = smtpArgument(argv);
  const { values, positionals } = parseArgs({
    args: smtp.rest,
    allowPositionals: true,
    options: OPTIONS,
  });
  if (!(MAILBOX_MODES as readonly string[]).includes(values.mode)) throw new UsageError(`--mode must be ${MAILBOX_MODES.join(' or ')}`);
  const mode = values.mode as MailboxMode;
  const tickets = await readTicketFile(values.tickets ?? join(SAMPLES, 'tickets.json'));
  if (smtp.port !== null) {
    if (positionals.length > 0 || values.events !== undefined) throw new UsageError('--smtp receives mail over SMTP: it takes no PATH and no --events');
    return serveSmtp(smtp.port, mode, tickets, values.json, print);
  }
  const files = await mailFiles(positionals.length > 0 ? positionals : [SAMPLES]);

  // MAILBOXES and DEFAULT_QUEUE set in the shell are honoured (mixed-mode mailboxes can be tried);
  // --mode then sets only the mode of mailboxes that name none (UPDATE_ONLY).
  const fromShell = routingFromShell();
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
    const retries = results.filter(({ report }) => report.outcome.kind === 'retry').length;
    const retryNote = retries > 0 ? `; ${retries} need a retry (see the logs)` : '';
    print(`${runTable(results.map(({ result, report }) => ({ file: result.file, report, noticeSent: result.notice !== null, reply: result.stored?.reply ?? null })))}\n\n${results.length} ${results.length === 1 ? "mail" : "mails"}, mode ${mode}${events}${retryNote}; logs and metrics were written to stderr.\n`);
  }
  return runExitCode(results.map(({ report }) => report));
}

runCommand(HELP, main);
