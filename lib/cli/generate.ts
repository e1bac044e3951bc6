/**
 * `npm run generate`: rewrites the files generated from the code's definitions — the README's
 * tables, infra/dashboard.yml, infra/skip-alarm.yml and the events' JSON Schemas in schemas/events/ — so that
 * no skip reason, metric or variable is spelled by hand twice. Tests fail while they are stale.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { EVENT_SCHEMA_DIR, schemaFileOf, schemaFileText } from '../events/event-schemas.js';
import { DETAIL_TYPE_NAMES } from '../events/gateway-event.js';
import { dashboardYaml } from '../infra/dashboard.js';
import { skipAlarmYaml } from '../infra/skip-alarm.js';
import { renderReadme } from '../readme-tables.js';
import { runCommand, type CommandHelp } from './run-command.js';

const HELP: CommandHelp = {
  usage: 'usage: npm run generate',
  description: `Rewrites the files generated from the code's definitions: the README's tables, infra/dashboard.yml,
infra/skip-alarm.yml and schemas/events/*.schema.json. Exit codes: 0 done, 1 failed, 2 a usage error.`,
};

async function update(relative: string, render: (before: string) => string): Promise<void> {
  const path = new URL(`../../${relative}`, import.meta.url);
  const before = await readFile(path, 'utf8').catch(() => '');
  const after = render(before);
  if (after !== before) await writeFile(path, after);
  process.stdout.write(`${relative}: ${after === before ? 'up to date' : 'regenerated'}\n`);
}

async function main(argv: readonly string[]): Promise<void> {
  parseArgs({ args: [...argv], options: {} });
  await update('README.md', renderReadme);
  await update('infra/dashboard.yml', () => dashboardYaml());
  await update('infra/skip-alarm.yml', () => skipAlarmYaml());
  await mkdir(new URL(`../../${EVENT_SCHEMA_DIR}/`, import.meta.url), { recursive: true });
  for (const detailType of DETAIL_TYPE_NAMES) await update(`${EVENT_SCHEMA_DIR}/${schemaFileOf(detailType)}`, () => schemaFileText(detailType));
}

runCommand(HELP, main);
