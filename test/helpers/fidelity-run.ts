/**
 * The local run as a user runs it, `npm start -- --json`, over fidelity fixtures (issue 12): one
 * JSON result per mail, by file name. Runs `tsx lib/local/start.ts` in a child process.
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { JsonResult } from '../../lib/local/start.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
/** The fidelity fixtures; a file name without a folder is looked up here. */
export const FIDELITY = join(ROOT, 'test/fixtures/fidelity');
const TICKETS = join(ROOT, 'test/fixtures/trust/tickets.json');

/** What a run takes besides the mode and the files. */
export interface FidelityRunOptions {
  /** The tickets to seed (default: the trust fixtures' tickets). */
  readonly tickets?: string;
  /** Variables added to the child's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs the files (names in {@link FIDELITY}, or absolute paths) and answers each one's `--json` line by file name. */
export async function localRun(mode: 'update-only' | 'create', files: readonly string[], options: FidelityRunOptions = {}): Promise<Map<string, JsonResult>> {
  const args = ['lib/local/start.ts', '--json', '--mode', mode, '--tickets', options.tickets ?? TICKETS, ...files.map((f) => (f.startsWith('/') ? f : join(FIDELITY, f)))];
  const { stdout } = await run(TSX, args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...options.env } });
  const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as JsonResult);
  return new Map(lines.map((line) => [line.file.slice(line.file.lastIndexOf('/') + 1), line]));
}
