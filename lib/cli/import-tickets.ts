/**
 * `npm run import-tickets -- [--dry-run] FILE`
 *
 * Loads existing tickets into the tickets table and raises the ticket id counter past them. FILE is
 * a tickets file (the local run's `--tickets` format) or the output of django-helpdesk's
 * `manage.py dumpdata helpdesk.Queue helpdesk.Ticket [helpdesk.TicketCC auth.User]`. Idempotent:
 * a ticket whose id exists is never overwritten, so a re-run imports nothing twice. Prints what it
 * imported, found present and skipped (and why); `--dry-run` prints the plan and writes nothing.
 *
 * Uses TICKETS_TABLE and MESSAGES_TABLE, and the shell's AWS credentials and region; the SDK's
 * endpoint variables (AWS_ENDPOINT_URL_DYNAMODB) point it at a local stack instead.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createAwsClients, destroyAwsClients } from '../adapters/aws-clients.js';
import { DynamoMessageLedger } from '../adapters/dynamodb-message-ledger.js';
import { DynamoTicketStore } from '../adapters/dynamodb-ticket-store.js';
import { CONFIG_VARIABLES } from '../config.js';
import { ConfigError } from '../errors.js';
import { importTickets, type ImportReport } from '../import/import-tickets.js';
import { ImportFileError, parseTicketImport, type ImportedTicket, type ImportPlan } from '../import/ticket-import.js';
import { refuseNpmDryRun, runCommand, UsageError, type CommandHelp } from './run-command.js';

const HELP: CommandHelp = {
  usage: 'usage: npm run import-tickets -- [--dry-run] FILE',
  description: `Loads existing tickets into the tickets table and raises the ticket id counter past them. FILE is a
tickets file (npm start's --tickets format) or django-helpdesk's dumpdata output. Idempotent.

  --dry-run   print the plan, write nothing (write it after the --)

Uses TICKETS_TABLE and MESSAGES_TABLE, and the shell's AWS credentials and region. Exit codes:
0 done, 1 failed, 2 a usage or configuration error.`,
};

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

const describeTicket = (t: ImportedTicket) =>
  `ticket ${t.id} [${t.queue}-${t.id}] ${t.status}${t.mergedInto ? ` → ${t.mergedInto}` : ''} ${JSON.stringify(t.title)}${t.cc.length > 0 ? ` cc ${t.cc.join(', ')}` : ''}`;

function planLines(plan: ImportPlan): string[] {
  return [
    ...plan.skipped.map((s) => `skipped   ${s.what}: ${s.why}`),
    ...plan.notes.map((n) => `note      ${n}`),
  ];
}

function reportLines(report: ImportReport): string[] {
  return [
    ...report.imported.map((t) => `imported  ${describeTicket(t)}`),
    ...report.present.map(({ ticket, unchanged }) => `present   ticket ${ticket.id}: ${unchanged ? 'already imported, unchanged' : 'the id is taken by a different ticket (or it changed since): not overwritten'}`),
    ...report.skipped.map((s) => `skipped   ${s.what}: ${s.why}`),
    ...report.notes.map((n) => `note      ${n}`),
    `ticket id counter: ${report.counter.before} → ${report.counter.after}`,
    `${report.imported.length} imported, ${report.present.length} already present, ${report.skipped.length} skipped${report.outboundRegistered ? `, ${count(report.outboundRegistered, 'outbound Message-ID')} registered` : ''}`,
  ];
}

async function readPlan(file: string): Promise<ImportPlan> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${file}: ${(error as Error).message}`);
  }
  try {
    return parseTicketImport(json, new Date());
  } catch (error) {
    if (error instanceof ImportFileError) throw new UsageError(`${file}: ${error.message}`);
    throw error;
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false } } });
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError('expected one FILE');
  refuseNpmDryRun(values['dry-run'], 'import-tickets');
  const plan = await readPlan(file);
  const out = (lines: readonly string[]) => process.stdout.write(lines.map((line) => `${line}\n`).join(''));
  out([`${file}: ${plan.format}, ${count(plan.tickets.length, 'ticket')} in ${count(plan.queues.length, 'queue')} (${plan.queues.join(', ') || 'none'})`]);
  if (values['dry-run']) {
    out([...plan.tickets.map((t) => `would import ${describeTicket(t)}`), ...planLines(plan), `would raise the ticket id counter to ${plan.highestId}`]);
    return;
  }
  for (const variable of ['TICKETS_TABLE', 'MESSAGES_TABLE'] as const) {
    if (!process.env[variable]) throw new ConfigError(variable, CONFIG_VARIABLES[variable]);
  }
  const clients = createAwsClients();
  const { dynamo } = clients;
  try {
    const report = await importTickets(
      { store: new DynamoTicketStore(dynamo, process.env.TICKETS_TABLE as string), ledger: new DynamoMessageLedger(dynamo, process.env.MESSAGES_TABLE as string), now: () => new Date() },
      plan,
    );
    out(reportLines(report));
    if (plan.queues.length > 0) out([`subject tags [<queue>-<id>] are recognized for the queues of MAILBOXES and DEFAULT_QUEUE: configure ${plan.queues.join(', ')}`]);
  } finally {
    destroyAwsClients(clients);
  }
}

runCommand(HELP, main);
