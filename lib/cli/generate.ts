/**
 * `npm run generate`: rewrites the files generated from the code's definitions — the README's
 * tables, infra/dashboard.yml and infra/skip-alarm.yml — so that no skip reason, metric or variable is spelled by hand
 * twice. Tests fail while they are stale.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dashboardYaml } from '../infra/dashboard.js';
import { skipAlarmYaml } from '../infra/skip-alarm.js';
import { renderReadme } from '../readme-tables.js';

async function update(relative: string, render: (before: string) => string): Promise<void> {
  const path = new URL(`../../${relative}`, import.meta.url);
  const before = await readFile(path, 'utf8').catch(() => '');
  const after = render(before);
  if (after !== before) await writeFile(path, after);
  process.stdout.write(`${relative}: ${after === before ? 'up to date' : 'regenerated'}\n`);
}

await update('README.md', renderReadme);
await update('infra/dashboard.yml', () => dashboardYaml());
await update('infra/skip-alarm.yml', () => skipAlarmYaml());
