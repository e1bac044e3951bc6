import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dashboardYaml } from '../../lib/infra/dashboard.js';
import { skipAlarmYaml } from '../../lib/infra/skip-alarm.js';

describe('infra/dashboard.yml', () => {
  it('is what lib/infra/dashboard.ts generates (run `npm run generate`)', async () => {
    expect(await readFile(new URL('../../infra/dashboard.yml', import.meta.url), 'utf8')).toBe(dashboardYaml());
  });
});

describe('infra/skip-alarm.yml', () => {
  it('is what lib/infra/skip-alarm.ts generates (run `npm run generate`)', async () => {
    expect(await readFile(new URL('../../infra/skip-alarm.yml', import.meta.url), 'utf8')).toBe(skipAlarmYaml());
  });

  it('refuses more reasons than one alarm can sum', () => {
    expect(() => skipAlarmYaml(Array.from({ length: 11 }, () => 'malformed' as const))).toThrow(/1 to 10 reasons/);
    expect(() => skipAlarmYaml([])).toThrow(/1 to 10 reasons/);
  });
});
