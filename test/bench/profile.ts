/**
 * `npm run profile`: where the handler's CPU goes, on the two paths of issue 17: 200 typical
 * replies (a follow-up each) and 20 mails of 1 MiB that update-only mode skips (no ticket
 * reference), each after one mail handled before the profiler starts (a warm container). Each runs through the deployed bundle in a fresh process (`handle-mails.mjs` with
 * `CPU_PROFILE`: V8's sampling profiler, the one `node --cpu-prof` starts, around the handler loop
 * only, 200 µs interval), against the benchmark's stack in another process.
 *
 * The bundle is minified: every sampled frame is mapped back through the bundle's source maps to
 * its source file, line and function name. Prints, per path, the top frames by self time and the
 * self time per source (a file of lib/, a package of node_modules, or V8/Node's own), as Markdown
 * for BENCHMARKS.md; writes the raw `.cpuprofile` files (Chrome DevTools, speedscope) under
 * `reports/profile/`, beside the bundle they sampled (`function/`, with its source maps).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { benchStore, gatewayEnvironment, HERE, packagedBundle, ROOT, run, skippedMailOfSize, startStack, typicalMail } from './fixtures.js';

const TOP = 15;
const OUT = join(ROOT, 'reports', 'profile');

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const say = (line: string) => process.stderr.write(`${line}\n`);

/** Source maps of the bundle's files, loaded on first use. */
const maps = new Map<string, TraceMap | null>();
async function mapFor(url: string): Promise<TraceMap | null> {
  if (!maps.has(url)) {
    try {
      const file = fileURLToPath(url);
      maps.set(url, new TraceMap(await readFile(`${file}.map`, 'utf8'), url));
    } catch {
      maps.set(url, null);
    }
  }
  return maps.get(url) ?? null;
}

/** `source` as a reader names it: lib/… for our code, the package for node_modules, else as given. */
function sourceName(source: string): string {
  const modules = source.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = source.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? source);
  }
  const lib = source.lastIndexOf('lib/');
  if (lib >= 0) return source.slice(lib);
  const functions = source.lastIndexOf('functions/');
  return functions >= 0 ? source.slice(functions) : source;
}

interface Frame { name: string; where: string; source: string }

async function frameOf(callFrame: CallFrame): Promise<Frame> {
  const { functionName, url, lineNumber, columnNumber } = callFrame;
  if (!url) return { name: functionName || '(anonymous)', where: '', source: functionName.startsWith('(') ? functionName : '(V8)' };
  if (url.startsWith('node:')) return { name: functionName || '(anonymous)', where: url, source: 'node: (Node.js)' };
  const map = url.startsWith('file:') ? await mapFor(url) : null;
  if (map) {
    const original = originalPositionFor(map, { line: lineNumber + 1, column: columnNumber });
    if (original.source) {
      const source = sourceName(original.source);
      const file = original.source.split('/').pop() ?? original.source;
      const where = source.startsWith('lib/') || source.startsWith('functions/') ? `${source}:${original.line}` : `${source} ${file}:${original.line}`;
      return { name: original.name ?? (functionName || '(anonymous)'), where, source };
    }
  }
  return { name: functionName || '(anonymous)', where: url, source: url };
}

/** Self time per frame and per source, in ms, from the profile's samples and time deltas. */
async function summarize(profile: CpuProfile): Promise<{ total: number; frames: [string, number][]; sources: [string, number][] }> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const frames = new Map<string, number>();
  const sources = new Map<string, number>();
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const frame = await frameOf(node.callFrame);
    const key = frame.where ? `\`${frame.name}\` ${frame.where}` : `\`${frame.name}\``;
    frames.set(key, (frames.get(key) ?? 0) + micros / 1000);
    sources.set(frame.source, (sources.get(frame.source) ?? 0) + micros / 1000);
    total += micros / 1000;
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  return { total, frames: top(frames), sources: top(sources) };
}

function markdown(title: string, summary: Awaited<ReturnType<typeof summarize>>, mails: number): string {
  const pct = (ms: number) => `${((100 * ms) / summary.total).toFixed(1)} %`;
  const table = (head: string, rows: [string, number][]) =>
    [`| ${head} | self ms | share |`, '| --- | ---: | ---: |', ...rows.map(([k, ms]) => `| ${k} | ${ms.toFixed(0)} | ${pct(ms)} |`)].join('\n');
  return [
    `#### ${title}: ${summary.total.toFixed(0)} ms of samples over ${mails} mails (${(summary.total / mails).toFixed(2)} ms a mail; idle excluded)`,
    '',
    table('top frames (self time)', summary.frames),
    '',
    table('by source', summary.sources),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-profile-'));
  const { child, env: stackEnv } = await startStack();
  try {
    const gatewayEnv = { ...gatewayEnvironment(stackEnv), POWERTOOLS_LOG_LEVEL: 'INFO' };
    const { s3, store } = benchStore(stackEnv);
    say('packaging the deployed bundle…');
    // The bundle (and its source maps) stays beside the profiles, so that they can be read again.
    await rm(join(OUT, 'function'), { recursive: true, force: true });
    await mkdir(OUT, { recursive: true });
    const bundle = await packagedBundle(OUT);
    await rm(join(OUT, 'package'), { recursive: true, force: true });
    const paths = [
      { name: 'typical', title: 'Typical reply (follow-up)', mails: 200, make: (n: number) => typicalMail(n), outcome: 'followup' },
      { name: 'skip-1mib', title: '1 MiB mail skipped in update-only mode (no ticket reference)', mails: 20, make: (n: number) => skippedMailOfSize(1_048_576, n), outcome: 'skipped' },
    ];
    const sections: string[] = [];
    for (const path of paths) {
      say(`profiling ${path.mails} × ${path.name}…`);
      const events = [];
      for (let n = 0; n <= path.mails; n++) events.push(await store(`inbound/profile-${path.name}-${n}.eml`, await path.make(n)));
      const eventsFile = join(dir, `${path.name}-events.json`);
      await writeFile(eventsFile, JSON.stringify(events));
      const results = join(dir, `${path.name}-results.json`);
      const profileFile = join(OUT, `${path.name}.cpuprofile`);
      await run(process.execPath, [join(HERE, 'handle-mails.mjs'), bundle, eventsFile, results], { env: { ...gatewayEnv, CPU_PROFILE: profileFile, WARMUP: '1' }, maxBuffer: 256 * 1024 * 1024 });
      const handled = JSON.parse(await readFile(results, 'utf8')) as { cpuMs: number; outcomes: string[] };
      if (handled.outcomes.some((o) => o !== path.outcome)) throw new Error(`${path.name}: came to ${handled.outcomes.join(',')}`);
      sections.push(markdown(path.title, await summarize(JSON.parse(await readFile(profileFile, 'utf8')) as CpuProfile), path.mails));
    }
    process.stdout.write(`${sections.join('\n')}\nRaw profiles: ${relative(ROOT, OUT)}/*.cpuprofile.\n`);
    s3.destroy();
  } finally {
    child.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
