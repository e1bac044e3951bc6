/**
 * What every local command (`npm start`, `npm run inspect` on a file) takes from the command line
 * and the shell alike: the samples folder, the `--tickets FILE` to seed, and the routing variables
 * the shell may set.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../cli/run-command.js';
import { parseTicketSeeds, type TicketSeed } from './seed.js';

/** The sample mails and tickets of the repository. */
export const SAMPLES = resolve(dirname(fileURLToPath(import.meta.url)), '../../samples');

/** Routing variables the shell may set for a local run; everything else is the local stack's. */
export const SHELL_ROUTING = ['MAILBOXES', 'DEFAULT_QUEUE', 'SENDER_NOTICES', 'SENDER_NOTICE_REASONS'] as const;

/** The {@link SHELL_ROUTING} variables the shell sets (non-empty). */
export function routingFromShell(env: Readonly<Record<string, string | undefined>> = process.env): Record<string, string> {
  return Object.fromEntries(SHELL_ROUTING.flatMap((name) => (env[name] ? [[name, env[name] as string]] : [])));
}

/** Reads and validates a `--tickets FILE`; a missing or malformed file is a usage error naming it. */
export async function readTicketFile(file: string): Promise<TicketSeed[]> {
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
