/**
 * `npm run register-outbound -- --ticket 42 --message-id '<notification-42-3.e81f0c6d2a@helpdesk.example>'`
 *
 * Registers the Message-ID of a notification the helpdesk sent for a ticket, so replies to it
 * thread into that ticket. Uses the gateway's configuration variables (TICKETS_TABLE,
 * MESSAGES_TABLE, …) and the normal AWS credentials and region of the shell.
 */
import { parseArgs } from 'node:util';
import { createAwsClients } from '../adapters/aws-clients.js';
import { DynamoMessageLedger } from '../adapters/dynamodb-message-ledger.js';
import { DynamoTicketStore } from '../adapters/dynamodb-ticket-store.js';
import { CONFIG_VARIABLES } from '../config.js';
import { ConfigError, GatewayError } from '../errors.js';
import { registerOutboundMessage } from '../outbound.js';

const USAGE = "usage: npm run register-outbound -- --ticket N --message-id '<id@host>'";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ticket: { type: 'string' }, 'message-id': { type: 'string' } } });
  if (!values.ticket || !values['message-id']) throw new GatewayError(USAGE);
  for (const variable of ['TICKETS_TABLE', 'MESSAGES_TABLE'] as const) {
    if (!process.env[variable]) throw new ConfigError(variable, CONFIG_VARIABLES[variable]);
  }
  const { dynamo } = createAwsClients();
  const id = await registerOutboundMessage(
    {
      tickets: new DynamoTicketStore(dynamo, process.env.TICKETS_TABLE as string),
      ledger: new DynamoMessageLedger(dynamo, process.env.MESSAGES_TABLE as string),
    },
    values['message-id'],
    Number(values.ticket),
  );
  process.stdout.write(`registered <${id}> for ticket ${values.ticket}\n`);
  dynamo.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof GatewayError ? 2 : 1);
});
