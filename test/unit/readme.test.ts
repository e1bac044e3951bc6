import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { SKIP_REASON_NAMES } from '../../lib/outcomes.js';
import { renderReadme } from '../../lib/readme-tables.js';

const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  it('has its generated tables up to date (run `npm run generate`)', () => {
    expect(renderReadme(readme)).toBe(readme);
  });

  it('has a runbook row for every skip reason', () => {
    for (const reason of SKIP_REASON_NAMES) expect(readme).toContain(`| \`${reason}\` |`);
  });

  it('shows the two commands a newcomer needs', () => {
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
  });
});

describe('README deploy section', () => {
  it('documents every stack parameter of serverless.yml', async () => {
    const yml = await readFile(new URL('../../serverless.yml', import.meta.url), 'utf8');
    const block = yml.slice(yml.indexOf('\n  default:\n'), yml.indexOf('\n  prod:\n'));
    const params = [...block.matchAll(/^ {4}(\w+):/gm)].map((m) => m[1]);
    expect(params.length).toBeGreaterThan(5);
    for (const param of params) expect(readme).toContain(`| \`${param}\` |`);
  });
});
