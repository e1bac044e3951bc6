/**
 * `npm run reply-address -- --ticket 42 --mailbox support@helpdesk.example.com`
 *
 * Prints the signed reply address of a ticket (`support+42.<mac>@helpdesk.example.com`) for the
 * helpdesk's outgoing mail (its Reply-To). The secret comes from REPLY_TOKEN_SECRET, or from the SSM
 * SecureString parameter named by REPLY_TOKEN_SECRET_PARAMETER (with the shell's AWS credentials),
 * checked exactly as the gateway checks it at cold start (`replyTokenSecretSource` in lib/config.ts):
 * a secret the gateway would refuse mints no address.
 */
import { parseArgs } from 'node:util';
import { loadReplyTokenKeys } from '../adapters/reply-token-secrets.js';
import { CONFIG_VARIABLES, replyTokenSecretSource } from '../config.js';
import { ConfigError } from '../errors.js';
import { mintReplyAddress } from '../screening/reply-token.js';
import { runCommand, UsageError, type CommandHelp } from './run-command.js';

const HELP: CommandHelp = {
  usage: 'usage: npm run reply-address -- --ticket N --mailbox address@domain',
  description: `Prints the signed reply address of ticket N at the mailbox (for the Reply-To of the helpdesk's mail).

The secret is REPLY_TOKEN_SECRET (at least 32 characters), or the SSM SecureString parameter named by
REPLY_TOKEN_SECRET_PARAMETER, read with the shell's AWS credentials. Exit codes: 0 printed, 1 the
parameter could not be read, 2 a usage or configuration error.`,
};

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({ args: [...argv], options: { ticket: { type: 'string' }, mailbox: { type: 'string' } } });
  if (!values.ticket || !values.mailbox) throw new UsageError('--ticket and --mailbox are required');
  const ticketId = Number(values.ticket);
  if (!/^\d+$/.test(values.ticket) || !Number.isSafeInteger(ticketId) || ticketId <= 0) throw new UsageError(`--ticket ${values.ticket}: expected a ticket id`);
  const keys = await loadReplyTokenKeys(replyTokenSecretSource(process.env));
  if (!keys) throw new ConfigError('REPLY_TOKEN_SECRET', CONFIG_VARIABLES.REPLY_TOKEN_SECRET);
  let address: string;
  try {
    address = mintReplyAddress(values.mailbox, ticketId, keys);
  } catch (error) {
    throw new UsageError(`--mailbox ${values.mailbox}: ${(error as Error).message}`);
  }
  process.stdout.write(`${address}\n`);
}

runCommand(HELP, main);
