import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPE_NAMES, EVENT_SOURCE } from '../../lib/events/gateway-event.js';
import { schemaFileOf } from '../../lib/events/event-schemas.js';
import { schemaErrors } from '../helpers/event-schemas.js';

const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('## Integrating with your helpdesk'), readme.indexOf('## Metrics'));

describe('README: Integrating with your helpdesk', () => {
  it('shows an example event whose detail is valid against its schema', () => {
    const json = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];
    const event = JSON.parse(json ?? 'null') as { source: string; 'detail-type': (typeof DETAIL_TYPE_NAMES)[number]; detail: unknown };
    expect(event.source).toBe(EVENT_SOURCE);
    expect(schemaErrors({ DetailType: event['detail-type'], Detail: JSON.stringify(event.detail) })).toEqual([]);
  });

  it('links the schema of every detail-type', () => {
    for (const type of DETAIL_TYPE_NAMES) expect(section).toContain(`| \`${type}\` |`);
    for (const type of DETAIL_TYPE_NAMES) expect(section).toContain(`(schemas/events/${schemaFileOf(type)})`);
  });
});
