/**
 * `npm run register-outbound -- --ticket 42 --message-id '<notification-42-3.e81f0c6d2a@helpdesk.example>'`
 *
 * Registers the Message-ID of a notification the helpdesk sent for a ticket, so replies to it
 * thread into that ticket. Uses the gateway's configuration variables (TICKETS_TABLE,
 * MESSAGES_TABLE, …) and the normal AWS credentials and region of the shell.
 */
import { parseArgs } from 'node:util';
import { createAwsClients, destroyAwsClients } from '../adapters/aws-clients.js';
import { DynamoMessageLedger } from '../adapters/dynamodb-message-ledger.js';
import { DynamoTicketStore } from '../adapters/dynamodb-ticket-store.js';
import { CONFIG_VARIABLES } from '../config.js';
import { ConfigError } from '../errors.js';
import { registerOutboundMessage } from '../outbound.js';
import { runCommand, UsageError, type CommandHelp } from './run-command.js';

const HELP: CommandHelp = {
  usage: "usage: npm run register-outbound -- --ticket N --message-id '<id@host>'",
  description: `Registers the Message-ID of a notification the helpdesk sent for ticket N, so that replies to it
thread into that ticket.

Uses TICKETS_TABLE and MESSAGES_TABLE, and the shell's AWS credentials and region (the SDK's
AWS_ENDPOINT_URL_DYNAMODB points it at a local stack). Exit codes: 0 registered, 1 failed,
2 a usage or configuration error.`,
};

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: { ticket: { type: 'string' }, 'message-id': { type: 'string' } } });
  if (!values.ticket || !values['message-id']) throw new UsageError('--ticket and --message-id are required');
  for (const variable of ['TICKETS_TABLE', 'MESSAGES_TABLE'] as const) {
    if (!process.env[variable]) throw new ConfigError(variable, CONFIG_VARIABLES[variable]);
  }
  const clients = createAwsClients();
  const { dynamo } = clients;
  const id = await registerOutboundMessage(
    {
      tickets: new DynamoTicketStore(dynamo, process.env.TICKETS_TABLE as string),
      ledger: new DynamoMessageLedger(dynamo, process.env.MESSAGES_TABLE as string),
    },
    values['message-id'],
    Number(values.ticket),
  );
  process.stdout.write(`registered <${id}> for ticket ${values.ticket}\n`);
  destroyAwsClients(clients);
}

runCommand(HELP, main);
