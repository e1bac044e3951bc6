/**
 * `npm run inspect -- FILE.eml|s3://BUCKET/KEY [--tickets FILE] [--mode create|update-only] [--function NAME] [--json]`
 *
 * A dry run of one mail: what the gateway would do with it and why, check by check (screening,
 * SES's authentication results, routing, the ledger, each reference and the one taken, the sender
 * policy, the decision, the body and its reply part, the attachments with the policy's verdicts).
 * Nothing is written (`lib/inspect/`).
 *
 * - A FILE runs against the embedded local stack, seeded with `--tickets` (as `npm start`; the
 *   shell's AWS variables are ignored).
 * - `s3://BUCKET/KEY` reads a stored raw mail with the shell's AWS credentials and region, and the
 *   tickets and ledger of the tables the configuration names (TICKETS_TABLE, MESSAGES_TABLE,
 *   MAIL_BUCKET, MAILBOXES, … as for the Lambda, or the deployed function's with `--function`).
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createAwsClients, destroyAwsClients } from '../adapters/aws-clients.js';
import { loadReplyTokenKeys } from '../adapters/reply-token-secrets.js';
import { loadConfig } from '../config.js';
import { readOnlyPipelineContext } from '../inspect/inspect-context.js';
import { inspectMail, type Inspection } from '../inspect/inspect-mail.js';
import { inspectOnLocalGateway } from '../inspect/local-file.js';
import { renderInspection } from '../inspect/render.js';
import { startLocalGateway } from '../local/local-gateway.js';
import { readTicketFile, routingFromShell, SAMPLES } from '../local/run-inputs.js';
import { isolateFromShellAws } from '../local/shell-isolation.js';
import { MAILBOX_MODES, type MailboxMode } from '../mailbox.js';
import { functionEnvironment } from './function-environment.js';
import { refuseNpmSwallowedOptions, runCommand, UsageError, type CommandHelp } from './run-command.js';

const HELP: CommandHelp = {
  usage: 'usage: npm run inspect -- FILE.eml|s3://BUCKET/KEY [--tickets FILE] [--mode create|update-only] [--function NAME] [--json]',
  description: `A dry run of one mail: prints what the gateway would do with it and why, check by check
(screening and SES's verdicts, SES's authentication results, routing, the ledger, each ticket
reference and the one taken, the sender policy, the decision, the body and its reply part, the
attachments with the attachment policy's verdicts). Nothing is written: no ticket, no ledger
entry, no id reserved.

  FILE.eml         run against the embedded local stack (no AWS account), the file stored as SES
                   stores it; the shell's AWS variables are ignored, as for npm start
  s3://BUCKET/KEY  a stored raw mail, read with the shell's AWS credentials and region, against the
                   tables the configuration names (TICKETS_TABLE, MESSAGES_TABLE, MAIL_BUCKET,
                   MAILBOXES, … as for the Lambda; AWS_ENDPOINT_URL_* reach a local stack)
  --tickets FILE   (FILE only) tickets to seed, a JSON array (default: samples/tickets.json)
  --mode MODE      the mode of mailboxes that name none: update-only or create (FILE: default
                   update-only; s3://: default the configuration's UPDATE_ONLY)
  --function NAME  (s3:// only) take the configuration from the deployed Lambda function NAME
  --json           print one JSON object

Exit codes: 0 inspected, 1 the mail could not be read, 2 a usage or configuration error.`,
};

function parseS3Url(url: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  if (!match) throw new UsageError(`${url}: expected s3://BUCKET/KEY`);
  return { bucket: match[1] as string, key: match[2] as string };
}

async function inspectFile(file: string, mode: MailboxMode, ticketsFile: string | undefined): Promise<Inspection> {
  isolateFromShellAws(process.env);
  const raw = await readFile(file).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const tickets = await readTicketFile(ticketsFile ?? join(SAMPLES, 'tickets.json'));
  const gateway = await startLocalGateway({ mode, tickets, env: routingFromShell() });
  try {
    return await inspectOnLocalGateway(gateway, basename(file), raw);
  } finally {
    await gateway.stop();
  }
}

async function inspectStored(url: string, mode: MailboxMode | undefined, functionName: string | undefined): Promise<Inspection> {
  const location = parseS3Url(url);
  if (functionName) Object.assign(process.env, await functionEnvironment(functionName));
  if (mode) process.env.UPDATE_ONLY = String(mode === 'update-only');
  const config = loadConfig();
  const clients = createAwsClients();
  try {
    const ctx = readOnlyPipelineContext(config, clients, await loadReplyTokenKeys(config.replyTokenSecrets));
    return await inspectMail(ctx, location);
  } finally {
    destroyAwsClients(clients);
  }
}

const OPTIONS = { tickets: { type: 'string' }, mode: { type: 'string' }, function: { type: 'string' }, json: { type: 'boolean', default: false } } as const;

async function main(argv: readonly string[]): Promise<void> {
  refuseNpmSwallowedOptions(Object.keys(OPTIONS), 'inspect');
  const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
  if (positionals.length !== 1) throw new UsageError('name exactly one mail: a FILE.eml or s3://BUCKET/KEY');
  const target = positionals[0] as string;
  if (values.mode !== undefined && !(MAILBOX_MODES as readonly string[]).includes(values.mode)) throw new UsageError(`--mode must be ${MAILBOX_MODES.join(' or ')}`);
  const mode = values.mode as MailboxMode | undefined;
  const stored = target.startsWith('s3://');
  if (stored && values.tickets !== undefined) throw new UsageError('--tickets seeds the local stack: it goes with a FILE, not with s3://');
  if (!stored && values.function !== undefined) throw new UsageError('--function reads a deployed configuration: it goes with s3://, not with a FILE');
  const inspection = stored ? await inspectStored(target, mode, values.function) : await inspectFile(target, mode ?? 'update-only', values.tickets);
  process.stdout.write(values.json ? `${JSON.stringify(inspection)}\n` : renderInspection(inspection));
}

runCommand(HELP, main);
