/**
 * `npm run reply-address -- --ticket 42 --mailbox support@helpdesk.example.com`
 *
 * Prints the signed reply address of a ticket (`support+42.<mac>@helpdesk.example.com`) for the
 * helpdesk's outgoing mail (its Reply-To). The secret comes from REPLY_TOKEN_SECRET, or from the SSM
 * SecureString parameter named by REPLY_TOKEN_SECRET_PARAMETER (with the shell's AWS credentials).
 */
import { parseArgs } from 'node:util';
import { loadReplyTokenKeys } from '../adapters/reply-token-secrets.js';
import { CONFIG_VARIABLES } from '../config.js';
import { ConfigError, GatewayError } from '../errors.js';
import { mintReplyAddress } from '../screening/reply-token.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ticket: { type: 'string' }, mailbox: { type: 'string' } } });
  if (!values.ticket || !values.mailbox) throw new GatewayError('usage: npm run reply-address -- --ticket N --mailbox address@domain');
  const parameter = process.env.REPLY_TOKEN_SECRET_PARAMETER;
  const secret = process.env.REPLY_TOKEN_SECRET;
  if (!parameter && !secret) throw new ConfigError('REPLY_TOKEN_SECRET', CONFIG_VARIABLES.REPLY_TOKEN_SECRET);
  const keys = await loadReplyTokenKeys(parameter ? { kind: 'ssm', current: parameter, previous: null } : { kind: 'environment', current: secret as string, previous: null });
  if (!keys) throw new ConfigError('REPLY_TOKEN_SECRET', CONFIG_VARIABLES.REPLY_TOKEN_SECRET);
  try {
    process.stdout.write(`${mintReplyAddress(values.mailbox, Number(values.ticket), keys)}\n`);
  } catch (error) {
    throw new GatewayError((error as Error).message);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof GatewayError ? 2 : 1);
});
