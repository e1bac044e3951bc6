/**
 * The README's generated tables, rendered from the one definition of each list (skip reasons,
 * outcomes, configuration variables), so the runbook cannot drift from the code. `npm run docs`
 * rewrites them; a test fails when the README is stale.
 */
import { CONFIG_VARIABLES } from './config.js';
import { OUTCOMES, SKIP_REASONS, SKIP_REASON_NAMES, type SkipReason } from './outcomes.js';
import { NOTICE_CONFIG_VARIABLES } from './notices/notice-config.js';
import { NOTICE_REASONS, NOTICE_SUPPRESSIONS } from './notices/notice-reasons.js';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** How much of a mail skipped for `reason` the gateway read: nothing, its header block (the body cannot change the outcome), or all of it. */
const readOf = (reason: SkipReason) => (SKIP_REASONS[reason].read === 'no' ? 'nothing' : SKIP_REASONS[reason].readsBody ? 'whole mail' : 'header block');

/** Generated sections of the README, by marker name. */
export const README_TABLES: Record<string, () => string> = {
  'skip-reasons': () =>
    [
      '| reason | what happened | what to do | read | pages |',
      '| --- | --- | --- | --- | --- |',
      ...SKIP_REASON_NAMES.map((r) => `| \`${r}\` | ${cell(SKIP_REASONS[r].description)} | ${cell(SKIP_REASONS[r].action)} | ${readOf(r)} | ${SKIP_REASONS[r].pages ? 'yes' : 'no'} |`),
    ].join('\n'),
  outcomes: () =>
    ['| outcome | meaning |', '| --- | --- |', ...Object.entries(OUTCOMES).map(([k, v]) => `| \`${k}\` | ${cell(v)} |`)].join('\n'),
  configuration: () =>
    ['| variable | expected |', '| --- | --- |', ...Object.entries({ ...CONFIG_VARIABLES, ...NOTICE_CONFIG_VARIABLES }).map(([k, v]) => `| \`${k}\` | ${cell(v)} |`)].join('\n'),
  'notice-reasons': () => ['| skip reason | the sender is told |', '| --- | --- |', ...Object.entries(NOTICE_REASONS).map(([k, v]) => `| \`${k}\` | ${cell(v)} |`)].join('\n'),
  'notice-suppressions': () =>
    ['| why (`NoticesSuppressed` dimension) | meaning |', '| --- | --- |', ...Object.entries(NOTICE_SUPPRESSIONS).map(([k, v]) => `| \`${k}\` | ${cell(v)} |`)].join('\n'),
};

/** Replaces the text between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers. */
export function renderReadme(readme: string): string {
  let out = readme;
  for (const [name, render] of Object.entries(README_TABLES)) {
    const start = `<!-- generated:${name} -->`;
    const end = `<!-- /generated:${name} -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) throw new Error(`README.md has no ${start} … ${end} section`);
    out = `${out.slice(0, from + start.length)}\n${render()}\n${out.slice(to)}`;
  }
  return out;
}
