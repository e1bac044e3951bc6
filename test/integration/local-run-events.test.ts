/**
 * `npm start -- --events FILE`, run as a separate process: the file holds what the gateway
 * published to the local EventBridge, one PutEvents entry per line, and the summary counts them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SOURCE, type DetailType } from '../../lib/events/gateway-event.js';
import { LOCAL_NAMES } from '../../lib/local/embedded-stack.js';
import { schemaErrors } from '../helpers/event-schemas.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'local-events-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm start -- --events FILE', () => {
  it('writes the published events as JSON lines, valid against their schemas, and counts them', async () => {
    const file = join(dir, 'events.jsonl');
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['lib/local/start.ts', '--events', file], { cwd: ROOT });
    const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
    // One event per sample mail: every outcome is announced.
    const samples = (await readdir(join(ROOT, 'samples'))).filter((name) => name.endsWith('.eml'));
    expect(lines).toHaveLength(samples.length);
    expect(stdout).toContain(`; ${lines.length} ${lines.length === 1 ? 'event' : 'events'} written to ${file};`);
    for (const line of lines) {
      const entry = JSON.parse(line) as { Source: string; DetailType: DetailType; Detail: string; EventBusName: string };
      expect(Object.keys(entry)).toEqual(['Source', 'DetailType', 'Detail', 'EventBusName']);
      expect(entry).toMatchObject({ Source: EVENT_SOURCE, EventBusName: LOCAL_NAMES.eventBus });
      expect(schemaErrors(entry)).toEqual([]);
    }
  });
});
