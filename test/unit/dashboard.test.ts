import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dashboardYaml } from '../../lib/infra/dashboard.js';

describe('infra/dashboard.yml', () => {
  it('is what lib/infra/dashboard.ts generates (run `npm run generate`)', async () => {
    expect(await readFile(new URL('../../infra/dashboard.yml', import.meta.url), 'utf8')).toBe(dashboardYaml());
  });
});
