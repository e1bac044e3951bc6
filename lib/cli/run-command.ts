/**
 * The one way every command (`npm start`, `npm run replay`, `sweep`, `reply-address`, …) starts and
 * ends, so that they all answer alike:
 *
 * - `--help` (or `-h`) prints the usage and the description on stdout, exit 0;
 * - a usage error ({@link UsageError}, or `parseArgs`'s `ERR_PARSE_ARGS_*`) prints its message and
 *   the usage on stderr, exit 2;
 * - a configuration error ({@link ConfigError}, or the deployment's `DeploymentConfigError`) prints
 *   its one-line message naming the variable, exit 2, no stack trace;
 * - any other failure prints its message, exit 1 (a stack trace only for a programming error:
 *   `TypeError`, `RangeError`, `ReferenceError`, `SyntaxError`);
 * - otherwise the exit code is what the command answers (0 when it answers nothing).
 */
import { ConfigError, GatewayError } from '../errors.js';

/** A usage error: printed with the usage line, exit code 2. */
export class UsageError extends GatewayError {}

/** What a command says about itself. */
export interface CommandHelp {
  /** One or more `usage: …` lines. */
  readonly usage: string;
  /** What the command does, its options and exit codes: printed under the usage by `--help`. */
  readonly description: string;
}

/** Exit codes of every command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Whether `argv` asks for help: `--help` or `-h` before any `--`. */
export function asksForHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || String((error as { code?: unknown } | null)?.code ?? '').startsWith('ERR_PARSE_ARGS');
}

function isConfigError(error: unknown): boolean {
  return error instanceof ConfigError || (error instanceof Error && error.name === 'DeploymentConfigError');
}

const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

/** The text and exit code a failure ends a command with (pure; {@link runCommand} prints it). */
export function failureOutput(error: unknown, help: CommandHelp): { readonly text: string; readonly code: number } {
  const message = error instanceof Error ? error.message : String(error);
  if (isUsageError(error)) return { text: `${message}\n${help.usage}\n`, code: EXIT.usage };
  if (isConfigError(error)) return { text: `${message}\n`, code: EXIT.usage };
  if (error instanceof GatewayError) return { text: `${message}\n`, code: EXIT.failed };
  if (error instanceof Error && PROGRAMMING_ERRORS.has(error.name)) return { text: `${error.stack ?? message}\n`, code: EXIT.failed };
  return { text: `${error instanceof Error && !message.startsWith(error.name) ? `${error.name}: ` : ''}${message}\n`, code: EXIT.failed };
}

/**
 * npm takes `--dry-run` before the `--` for itself (`npm run replay --dry-run`) and passes only
 * `npm_config_dry_run=true` to the script, which would then write. A command that writes refuses
 * to run then, unless `--dry-run` reached it too.
 */
export function refuseNpmDryRun(dryRun: boolean, command: string, env: Readonly<Record<string, string | undefined>> = process.env): void {
  if (dryRun || env.npm_config_dry_run !== 'true') return;
  throw new UsageError(`npm took --dry-run for itself (npm_config_dry_run is set) and this run would write: use \`npm run ${command} -- --dry-run\``);
}

/**
 * npm also takes the command's own options written before the `--` (`npm start --json FILE`,
 * `npm start --mode create FILE`) as its configuration, passing `npm_config_<name>` and dropping
 * them from the command line: the command would silently do something else. It refuses instead,
 * naming the option, for each of `options` npm took.
 */
export function refuseNpmSwallowedOptions(options: readonly string[], command: string, env: Readonly<Record<string, string | undefined>> = process.env): void {
  const swallowed = options.filter((option) => env[`npm_config_${option.replaceAll('-', '_')}`] !== undefined);
  if (swallowed.length === 0) return;
  const flags = swallowed.map((option) => `--${option}`).join(', ');
  throw new UsageError(`npm took ${flags} for itself (write it after the --): use \`npm ${command === 'start' ? 'start' : `run ${command}`} -- ${swallowed.map((o) => `--${o} …`).join(' ')}\``);
}

/**
 * Runs `main` with the command line as the rules above say, and ends the process with its exit code.
 */
export function runCommand(help: CommandHelp, main: (argv: readonly string[]) => Promise<number | void>, argv: readonly string[] = process.argv.slice(2)): void {
  if (asksForHelp(argv)) {
    process.stdout.write(`${help.usage}\n\n${help.description.trim()}\n`);
    process.exit(EXIT.ok);
  }
  main(argv).then(
    (code) => process.exit(code ?? EXIT.ok),
    (error: unknown) => {
      const { text, code } = failureOutput(error, help);
      process.stderr.write(text);
      process.exit(code);
    },
  );
}
