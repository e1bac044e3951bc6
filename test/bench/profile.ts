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
 * `reports/profile/`, beside the bundle they sampled (`function/`, with its source maps);
 * `npm run profile -- --again` summarizes those files again without running anything.
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

/**
 * The layers the profile is summed by: a sample counts for the innermost frame of a package or of
 * the gateway up its stack (so a socket write or a stream's plumbing counts for the code that
 * asked for it: the SDK's HTTP handler, the parser); samples with none count for Node on its own.
 */
const LAYERS: [string, (source: string) => boolean][] = [
  ['AWS SDK (middleware, signing, serialization)', (s) => s.startsWith('@smithy/') || s.startsWith('@aws-sdk/') || s === 'bowser' || s === 'fast-xml-parser' || s === '@aws-crypto/crc32'],
  ['MIME parsing (mailparser and its decoders)', (s) => ['mailparser', '@zone-eu/mailsplit', 'libmime', 'libbase64', 'libqp', 'iconv-lite', 'encoding-japanese', 'he', 'punycode.js', 'nodemailer'].includes(s)],
  ['HTML, reply trimming, forwards', (s) => ['sanitize-html', 'htmlparser2', 'postcss', 'html-to-text', 'email-reply-parser', 'email-forward-parser', 'domhandler', 'domutils', 'entities', 'selderee', 'parseley', 'leac', 'peberminta', 'deepmerge', 'nanoid', 'is-plain-object', 'escape-string-regexp', 're2js', 'dom-serializer', 'parse-srcset', 'picocolors', 'source-map-js'].includes(s)],
  ['IDNA (tr46)', (s) => s === 'tr46'],
  ['Logs and metrics (Powertools)', (s) => s.startsWith('@aws-lambda-powertools/')],
  ['the gateway (lib/, functions/)', (s) => s.startsWith('lib/') || s.startsWith('functions/') || s === 'valibot'],
  ['garbage collector', (s) => s === '(garbage collector)'],
];
const NODE_ON_ITS_OWN = 'Node.js on its own (event loop, socket reads, HTTP response parsing)';
const layerOf = (source: string) => LAYERS.find(([, test]) => test(source))?.[0] ?? 'other';

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

/** Self time per frame, per source and per layer, in ms, from the profile's samples and time deltas. */
async function summarize(profile: CpuProfile): Promise<{ total: number; frames: [string, number][]; sources: [string, number][]; layers: [string, number][] }> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMicros = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const frames = new Map<string, number>();
  const sources = new Map<string, number>();
  const layers = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  let total = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const ms = micros / 1000;
    const frame = await frameOf(node.callFrame);
    add(frames, frame.where ? `\`${frame.name}\` ${frame.where}` : `\`${frame.name}\``, ms);
    add(sources, frame.source, ms);
    // The layer of the innermost package or gateway frame up the stack (Node's and V8's own work
    // counts for who asked); none up to the root: Node's own (the event loop, reading sockets, parsing HTTP responses).
    let asking: ProfileNode | undefined = node.callFrame.functionName.startsWith('(') ? undefined : node;
    while (asking && !asking.callFrame.url.startsWith('file:')) asking = byId.get(parentOf.get(asking.id) ?? -1);
    const layer = asking ? layerOf((await frameOf(asking.callFrame)).source) : node.callFrame.functionName.startsWith('(') ? layerOf(frame.source) : NODE_ON_ITS_OWN;
    add(layers, layer, ms);
    total += ms;
  }
  const top = (m: Map<string, number>, n = TOP) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n);
  return { total, frames: top(frames), sources: top(sources), layers: top(layers, LAYERS.length + 2) };
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
    table('by layer (Node\'s and V8\'s work counted for the code that asked)', summary.layers),
    '',
  ].join('\n');
}

const PATHS = [
  { name: 'typical', title: 'Typical reply (follow-up)', mails: 200, make: (n: number) => typicalMail(n), outcome: 'followup' },
  { name: 'skip-1mib', title: '1 MiB mail skipped in update-only mode (no ticket reference)', mails: 20, make: (n: number) => skippedMailOfSize(1_048_576, n), outcome: 'skipped' },
];

/** `--again`: summarizes the profiles of the last run (reports/profile/) without running anything. */
async function again(): Promise<void> {
  const sections: string[] = [];
  for (const path of PATHS) sections.push(markdown(path.title, await summarize(JSON.parse(await readFile(join(OUT, `${path.name}.cpuprofile`), 'utf8')) as CpuProfile), path.mails));
  process.stdout.write(sections.join('\n'));
}

async function main(): Promise<void> {
  if (process.argv.includes('--again')) return again();
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
    const paths = PATHS;
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
