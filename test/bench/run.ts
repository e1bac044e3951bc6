/**
 * `npm run bench [--silent -- --json]`: performance figures, measured side by side in one run on this
 * machine (never asserted in tests: the machine is shared and noisy).
 *
 * P1 memory: peak RSS of a fresh process handling one 1 MB, 20 MB and 40 MB mail through the
 *    deployed bundle's handler; the ratio 40 MB / 1 MB.
 * P2 overhead: CPU time of the handler process over that of a process that only stream-parses the
 *    same mails with MailParser (attachments drained), for 500 typical mails, the 20 MB mail, and
 *    10 mails of 1 MiB that update-only mode skips (no ticket reference: decided at the headers).
 *    DynamoDB and S3 run in a third process, so their work is not counted. And what validating
 *    GetObject's response checksum would cost: handler CPU on a 20 MB mail with validation on
 *    over off (median of three fresh processes each), S3 answering with a full-object CRC64NVME.
 * P3 AWS calls per mail, counted through the SDK, per outcome.
 * P4 cold start: the bundle's size, and the whole-process time to import it over a bare node.
 * P6 memory per invocation: peak RSS of a fresh process, its heap capped as Lambda caps it for the
 *    function's memorySize, running one SQS batch of 10 mails with 4 MB of HTML each, and one 39 MB
 *    mail with 10 HTML parts; with the CPU time of each against the timeout at a third of a vCPU.
 *
 * Prints a table (or, with --json, exactly one JSON object) and writes BENCHMARKS.md.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, freemem, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { composeMime } from '../helpers/compose.js';
import { newMessageId } from '../helpers/mail.js';
import { LOCAL_NAMES } from '../../lib/local/embedded-stack.js';
import { benchStore, gatewayEnvironment, HERE, mailOfSize, packagedBundle, ROOT, run, skippedMailOfSize, startStack, typicalMail } from './fixtures.js';

const JSON_OUTPUT = process.argv.includes('--json');
const TYPICAL_MAILS = 500;
const IMPORT_RUNS = 9;
const CHECKSUM_RUNS = 3;
const SKIPPED_MAILS = 20;
/** Mails handled (and parsed) before the clock starts, in the figures over many mails: a warm container. */
const WARMUP_MAILS = 1;
const MIB = 1_048_576;

/** Everything but the final result goes to stderr, so `--json` prints one object and nothing else. */
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
const say = (line: string) => process.stderr.write(`${line}\n`);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

/** The function's memorySize and timeout, as serverless.yml sets them. */
async function functionLimits(): Promise<{ memoryMb: number; timeoutS: number }> {
  const yml = await readFile(join(ROOT, 'serverless.yml'), 'utf8');
  const memoryMb = Number(/^\s+memorySize:\s*(\d+)/m.exec(yml)?.[1]);
  const timeoutS = Number(/^\s+timeout:\s*(\d+)/m.exec(yml)?.[1]);
  if (!memoryMb || !timeoutS) throw new Error('serverless.yml names no memorySize or timeout');
  return { memoryMb, timeoutS };
}

/**
 * The heap flags the Lambda Node.js runtime passes for a memory size (its bootstrap): a tenth of the
 * memory for the new space, half of that per semi-space, the rest old space.
 */
function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

/** HTML of about `bytes` bytes, the markup of a newsletter: tables, links, styled text. */
function htmlOf(bytes: number, label: string): string {
  const row = `<tr><td style="padding:4px"><a href="https://shop.example/item?id=1234">${label} item</a></td><td><b>12.00</b> EUR</td><td><div><span>in stock, ships in two days</span></div></td></tr>\n`;
  return `<html><body><table>${row.repeat(Math.ceil(bytes / row.length))}</table></body></html>`;
}

/** A reply to ticket 42 whose HTML parts are `parts` × `partBytes` (and no text part), quoted-printable. */
function htmlMail(label: string, parts: number, partBytes: number): Promise<Buffer> {
  return composeMime({
    from: 'alice@example.com',
    to: 'support@helpdesk.example',
    subject: `Re: [support-42] ${label}`,
    messageId: newMessageId(`bench-${label}`),
    textEncoding: 'quoted-printable',
    alternatives: Array.from({ length: parts }, (_, i) => ({ contentType: 'text/html; charset=utf-8', content: htmlOf(partBytes, `${label}-${i}`) })),
  });
}

/** A mail of HTML parts whose raw size is about `rawBytes` (quoted-printable adds a few per cent). */
async function htmlMailOfSize(label: string, parts: number, rawBytes: number): Promise<Buffer> {
  const probe = await htmlMail(label, 1, 1_000_000);
  const overhead = probe.length / 1_000_000;
  return htmlMail(label, parts, Math.floor(rawBytes / parts / overhead));
}

function sqsEvent(events: readonly object[]) {
  return {
    Records: events.map((event, i) => ({
      messageId: `m${i}`, receiptHandle: `h${i}`, body: JSON.stringify(event), md5OfBody: '', eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:inbound', awsRegion: 'eu-west-1', messageAttributes: {},
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's3', ApproximateFirstReceiveTimestamp: '0' },
    })),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-bench-'));
  const { child: stackProcess, env: stackEnv } = await startStack();
  try {
    const gatewayEnv = gatewayEnvironment(stackEnv);
    const { s3, store } = benchStore(stackEnv);

    say('packaging the deployed bundle…');
    const bundle = await packagedBundle(dir);

    // P1 (and P2 for the 20 MB mail): one mail per fresh process.
    const sizes = { '1mb': 1_000_000, '20mb': 20_000_000, '40mb': 40_000_000 } as const;
    const p1: Record<string, { rss: number; cpu: number; parseCpu: number }> = {};
    for (const [label, bytes] of Object.entries(sizes)) {
      say(`P1: a ${label} mail through the handler…`);
      const raw = await mailOfSize(bytes);
      const file = join(dir, `${label}.eml`);
      await writeFile(file, raw);
      const events = join(dir, `${label}-events.json`);
      await writeFile(events, JSON.stringify([await store(`inbound/bench-${label}.eml`, raw)]));
      const results = join(dir, `${label}-results.json`);
      await run(process.execPath, [join(HERE, 'handle-mails.mjs'), bundle, events, results], { env: gatewayEnv, maxBuffer: 64 * 1024 * 1024 });
      const handled = JSON.parse(await readFile(results, 'utf8')) as { cpuMs: number; maxRssMb: number; outcomes: string[] };
      if (handled.outcomes[0] !== 'followup') throw new Error(`the ${label} mail came to ${handled.outcomes.join(',')}`);
      await run(process.execPath, [join(HERE, 'parse-only.mjs'), results, file], { cwd: ROOT });
      const parsed = JSON.parse(await readFile(results, 'utf8')) as { cpuMs: number };
      p1[label] = { rss: handled.maxRssMb, cpu: handled.cpuMs, parseCpu: parsed.cpuMs };
    }

    // P2: what validating GetObject's response checksum costs, against a proxy that sends S3's CRC64NVME.
    say('P2: response checksum validation on a 20 MB mail…');
    const checksumCpu: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let attempt = 0; attempt < CHECKSUM_RUNS; attempt++) {
      for (const mode of ['off', 'on'] as const) {
        const raw = await mailOfSize(sizes['20mb']);
        const events = join(dir, `checksum-${mode}-${attempt}-events.json`);
        await writeFile(events, JSON.stringify([await store(`inbound/checksum-${mode}-${attempt}.eml`, raw)]));
        const results = join(dir, `checksum-${mode}-${attempt}-results.json`);
        const env = {
          ...gatewayEnv,
          AWS_ENDPOINT_URL_S3: stackEnv.S3_CHECKSUM_ENDPOINT ?? '',
          AWS_RESPONSE_CHECKSUM_VALIDATION: mode === 'on' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
        };
        await run(process.execPath, [join(HERE, 'handle-mails.mjs'), bundle, events, results], { env, maxBuffer: 64 * 1024 * 1024 });
        const handled = JSON.parse(await readFile(results, 'utf8')) as { cpuMs: number; outcomes: string[] };
        if (handled.outcomes[0] !== 'followup') throw new Error(`the checksum-${mode} mail came to ${handled.outcomes.join(',')}`);
        checksumCpu[mode].push(handled.cpuMs);
      }
    }

    /**
     * One set of mails (plus the warm-up ones) through one handler process and one parse-only
     * process: the CPU of each, after checking that every mail came to `outcome`.
     */
    const handleAndParse = async (name: string, count: number, make: (n: number) => Promise<Buffer>, outcome: string) => {
      const events = [];
      const files = [];
      for (let n = 0; n < count + WARMUP_MAILS; n++) {
        const raw = await make(n);
        const file = join(dir, `${name}-${n}.eml`);
        await writeFile(file, raw);
        files.push(file);
        events.push(await store(`inbound/${name}-${n}.eml`, raw));
      }
      const eventsFile = join(dir, `${name}-events.json`);
      await writeFile(eventsFile, JSON.stringify(events));
      const results = join(dir, `${name}-results.json`);
      await run(process.execPath, [join(HERE, 'handle-mails.mjs'), bundle, eventsFile, results], { env: { ...gatewayEnv, WARMUP: String(WARMUP_MAILS) }, maxBuffer: 256 * 1024 * 1024 });
      const handled = JSON.parse(await readFile(results, 'utf8')) as { cpuMs: number; outcomes: string[] };
      if (handled.outcomes.some((o) => o !== outcome)) throw new Error(`the ${name} mails came to ${handled.outcomes.join(',')}, not all ${outcome}`);
      await run(process.execPath, [join(HERE, 'parse-only.mjs'), results, ...files], { cwd: ROOT, env: { ...process.env, WARMUP: String(WARMUP_MAILS) } });
      const parsed = JSON.parse(await readFile(results, 'utf8')) as { cpuMs: number };
      return { handledCpuMs: handled.cpuMs, parsedCpuMs: parsed.cpuMs };
    };

    // P2: 500 typical mails; and the 1 MiB update-only skip (no ticket reference: decided at the headers).
    say(`P2: ${TYPICAL_MAILS} typical mails…`);
    const typical = await handleAndParse('typical', TYPICAL_MAILS, typicalMail, 'followup');
    say(`P2: ${SKIPPED_MAILS} skipped 1 MiB mails…`);
    const skipped = await handleAndParse('skipped', SKIPPED_MAILS, (n) => skippedMailOfSize(MIB, n), 'skipped');

    // What one AWS call costs on this machine (the floor of the per-mail figures; BENCHMARKS.md).
    const sdkCallFile = join(dir, 'sdk-call.json');
    await run(process.execPath, [join(HERE, 'sdk-call.mjs'), sdkCallFile, LOCAL_NAMES.ticketsTable], { cwd: ROOT, env: gatewayEnv });
    const sdkCall = JSON.parse(await readFile(sdkCallFile, 'utf8')) as { cpuMsPerCall: number };

    // P3: AWS calls per mail, counted through the SDK in a process of its own.
    say('P3: AWS calls per mail…');
    const callsFile = join(dir, 'calls.json');
    await run(join(ROOT, 'node_modules/.bin/tsx'), [join(HERE, 'count-calls.ts'), callsFile], { cwd: ROOT, env: { ...gatewayEnv, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } });
    const calls = JSON.parse(await readFile(callsFile, 'utf8')) as { followup: number; followupAttachments: number; created: number; skips: Record<string, number> };

    // P6: one invocation's memory, in a fresh process whose heap is capped as Lambda caps it.
    const limits = await functionLimits();
    const heapFlags = lambdaHeapFlags(limits.memoryMb);
    const p6: Record<string, { rss: number; cpu: number }> = {};
    const batchEvents = [];
    say('P6: an SQS batch of 10 mails with 4 MB of HTML each…');
    for (let n = 0; n < 10; n++) {
      // Two parts of just under 2 MB: the first is converted (the most the budget allows), the second stored.
      const raw = await htmlMail(`batch-${n}`, 2, 2_000_000);
      batchEvents.push(await store(`inbound/bench-html-batch-${n}.eml`, raw));
    }
    say('P6: one 39 MB mail with 10 HTML parts…');
    const bigHtml = await htmlMailOfSize('big-html', 10, 39_000_000);
    const cases = { batch: sqsEvent(batchEvents), big_html: sqsEvent([await store('inbound/bench-big-html.eml', bigHtml)]) };
    for (const [label, event] of Object.entries(cases)) {
      const eventFile = join(dir, `p6-${label}.json`);
      await writeFile(eventFile, JSON.stringify(event));
      const results = join(dir, `p6-${label}-results.json`);
      await run(process.execPath, [...heapFlags, join(HERE, 'handle-batch.mjs'), bundle, eventFile, results], { env: gatewayEnv, maxBuffer: 256 * 1024 * 1024 });
      const handled = JSON.parse(await readFile(results, 'utf8')) as { cpuMs: number; maxRssMb: number; failures: number };
      if (handled.failures > 0) throw new Error(`P6 ${label}: ${handled.failures} batch item failures`);
      p6[label] = { rss: handled.maxRssMb, cpu: handled.cpuMs };
    }

    // P4: cold start.
    say('P4: cold start…');
    const bundleBytes = (await stat(bundle)).size;
    const timeProcess = async (args: string[]) => {
      const t0 = performance.now();
      await run(process.execPath, args, { env: gatewayEnv });
      return performance.now() - t0;
    };
    const bare: number[] = [];
    const imported: number[] = [];
    for (let i = 0; i < IMPORT_RUNS; i++) {
      bare.push(await timeProcess(['-e', '0']));
      imported.push(await timeProcess([join(HERE, 'import-bundle.mjs'), bundle]));
    }

    const figures = {
      p1_rss_mb_1mb: round(p1['1mb']?.rss ?? 0),
      p1_rss_mb_20mb: round(p1['20mb']?.rss ?? 0),
      p1_rss_mb_40mb: round(p1['40mb']?.rss ?? 0),
      p1_ratio: round((p1['40mb']?.rss ?? 0) / (p1['1mb']?.rss ?? 1), 2),
      p2_ratio_typical: round(typical.handledCpuMs / typical.parsedCpuMs, 2),
      p2_ratio_1mb_skip: round(skipped.handledCpuMs / skipped.parsedCpuMs, 2),
      p2_ratio_20mb: round((p1['20mb']?.cpu ?? 0) / (p1['20mb']?.parseCpu ?? 1), 2),
      p2_response_checksum_20mb: round(median(checksumCpu.on) / median(checksumCpu.off), 2),
      p3_calls_followup: calls.followup,
      p3_calls_followup_attachments: calls.followupAttachments,
      p3_calls_created: calls.created,
      p3_calls_skip_max: Math.max(...Object.values(calls.skips)),
      p4_import_ms_over_node: round(median(imported) - median(bare)),
      p4_bundle_kb: round(bundleBytes / 1024),
      p6_batch_rss_mb: round(p6.batch?.rss ?? 0),
      p6_big_html_rss_mb: round(p6.big_html?.rss ?? 0),
    };
    const details = {
      cpuMs: {
        handlerTypical: round(typical.handledCpuMs),
        parseTypical: round(typical.parsedCpuMs),
        handler20mb: round(p1['20mb']?.cpu ?? 0),
        parse20mb: round(p1['20mb']?.parseCpu ?? 0),
        handler1mbSkip: round(skipped.handledCpuMs),
        awsCallCpuMs: round(sdkCall.cpuMsPerCall, 2),
        parse1mbSkip: round(skipped.parsedCpuMs),
        handler20mbChecksumOff: checksumCpu.off.map((v) => round(v)),
        handler20mbChecksumOn: checksumCpu.on.map((v) => round(v)),
      },
      bareNodeMs: round(median(bare)),
      importMs: round(median(imported)),
      skipCalls: calls.skips,
      p6: {
        memorySizeMb: limits.memoryMb,
        heapFlags: heapFlags.join(' '),
        timeoutS: limits.timeoutS,
        batchCpuMs: round(p6.batch?.cpu ?? 0),
        bigHtmlCpuMs: round(p6.big_html?.cpu ?? 0),
      },
      seconds: round((Date.now() - started) / 1000),
    };
    P6_LIMIT.mb = Math.floor(limits.memoryMb * 0.7);
    P6_LIMIT.timeoutS = limits.timeoutS;
    P6_LIMIT.heapFlags = heapFlags.join(' ');
    P6_LIMIT.cpuMs = { batch: p6.batch?.cpu ?? 0, big_html: p6.big_html?.cpu ?? 0 };
    // What follows the marker in BENCHMARKS.md (the profiles, the floor) is written by hand and kept.
    const previous = await readFile(join(ROOT, 'BENCHMARKS.md'), 'utf8').catch(() => '');
    const kept = previous.includes(KEPT_MARKER) ? previous.slice(previous.indexOf(KEPT_MARKER)) : '';
    await writeFile(join(ROOT, 'BENCHMARKS.md'), `${report(figures, details)}${kept ? `\n${kept}` : ''}`);
    if (JSON_OUTPUT) write(`${JSON.stringify(figures)}\n`);
    else write(`${table(figures)}\n\nWritten to BENCHMARKS.md (${details.seconds} s).\n`);
    s3.destroy();
  } finally {
    stackProcess.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

type Figures = Record<string, number>;

/** BENCHMARKS.md from this line on is not generated: `npm run bench` keeps it. */
const KEPT_MARKER = '<!-- Written by hand from here on: npm run bench keeps it. -->';

/** The P6 limits, from serverless.yml: memorySize less 30 % headroom; the timeout. */
const P6_LIMIT = { mb: 358, timeoutS: 60, heapFlags: '', cpuMs: { batch: 0, big_html: 0 } };

const TARGETS: Record<string, [string, (v: number) => boolean]> = {
  get p6_batch_rss_mb(): [string, (v: number) => boolean] {
    return [`≤ ${P6_LIMIT.mb} (memorySize less 30 %)`, (v) => v <= P6_LIMIT.mb];
  },
  get p6_big_html_rss_mb(): [string, (v: number) => boolean] {
    return [`≤ ${P6_LIMIT.mb} (memorySize less 30 %)`, (v) => v <= P6_LIMIT.mb];
  },
  p1_rss_mb_40mb: ['≤ 192', (v) => v <= 192],
  p1_ratio: ['≤ 1.3', (v) => v <= 1.3],
  p2_ratio_typical: ['≤ 3', (v) => v <= 3],
  p2_ratio_1mb_skip: ['≤ 0.5', (v) => v <= 0.5],
  p2_ratio_20mb: ['≤ 1.5', (v) => v <= 1.5],
  p3_calls_followup: ['≤ 4', (v) => v <= 4],
  p3_calls_skip_max: ['≤ 4', (v) => v <= 4],
  p4_import_ms_over_node: ['≤ 100', (v) => v <= 100],
  p4_bundle_kb: ['≤ 1700 (1.7 MB)', (v) => v <= 1700],
};

function table(figures: Figures): string {
  const rows = Object.entries(figures).map(([key, value]) => {
    const target = TARGETS[key];
    return [key, String(value), target ? target[0] : '', target ? (target[1](value) ? 'met' : 'MISSED') : ''];
  });
  const header = ['figure', 'value', 'target', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function report(figures: Figures, details: Record<string, unknown>): string {
  const cpu = cpus();
  return `# Benchmarks

Latest \`npm run bench\`, ${new Date().toISOString().slice(0, 10)}, on ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${round(totalmem() / 2 ** 30)} GiB
(${round(freemem() / 2 ** 30)} GiB free), ${platform()} ${release()}, Node.js ${process.version}. The machine is shared: figures
vary from run to run; the ratios are measured side by side in one run.

| figure | value | target | |
| --- | --- | --- | --- |
${Object.entries(figures)
  .map(([key, value]) => {
    const target = TARGETS[key];
    return `| \`${key}\` | ${value} | ${target ? target[0] : ''} | ${target ? (target[1](value) ? 'met' : '**missed**') : ''} |`;
  })
  .join('\n')}

- **P1** peak RSS (MB) of a fresh process running the deployed bundle's handler on one mail of 1, 20 and 40 MB (one base64 attachment each, streamed to S3 in 5 MB parts).
- **P2** CPU time of the handler process over a process that only stream-parses the same mails with MailParser: ${TYPICAL_MAILS} typical 5 KB replies (multipart/alternative, text and HTML, quoting the thread); the 20 MB mail; and ${SKIPPED_MAILS} mails of 1 MiB (a text and a base64 attachment) to an update-only mailbox without a ticket reference, which the handler skips (\`p2_ratio_1mb_skip\`). Each of the two sets starts with one more mail, handled (and parsed) before the clock starts: a warm container. DynamoDB and S3 run in a third process.
- **P2 response checksum**: the handler's CPU time on a 20 MB mail with GetObject's response checksum validated (\`responseChecksumValidation=WHEN_SUPPORTED\`, S3 answering with the object's full-object CRC64NVME) over not validated (median of ${CHECKSUM_RUNS} fresh processes each). **The gateway does not validate** (\`WHEN_REQUIRED\`, set in \`lib/adapters/aws-clients.ts\`): TLS protects the bytes in transit and S3 at rest, and the SDK's CRC64NVME runs in JavaScript. Uploads keep the SDK's default request checksums, so S3 verifies what the gateway writes. The other figures are measured with validation off, as deployed.
- **P3** AWS calls per mail, counted through the SDK: a follow-up, a follow-up with 2 attachments, a new ticket, and the most any kind of skip takes (per kind below).
- **P4** size of the bundle in the deployment zip, and the whole-process time to import it over a bare \`node -e 0\` (median of ${IMPORT_RUNS}).
- **P6** peak RSS (MB) of a fresh process running the deployed bundle's handler with its heap capped as Lambda caps it for the function's memory (\`${P6_LIMIT.heapFlags}\`): one SQS batch of 10 mails with 4 MB of HTML each (two parts of 2 MB: the first converted to text, as much as the 2 MiB budget per mail allows, the second stored), and one 39 MB mail with 10 HTML parts (each over the budget, stored). CPU time against the ${P6_LIMIT.timeoutS} s timeout at a third of a vCPU (CPU time × 3): batch ${round(P6_LIMIT.cpuMs.batch / 1000, 2)} s → ${round((P6_LIMIT.cpuMs.batch * 3) / 1000, 1)} s (${round((P6_LIMIT.cpuMs.batch * 3) / (P6_LIMIT.timeoutS * 10), 0)} % of the timeout); 39 MB mail ${round(P6_LIMIT.cpuMs.big_html / 1000, 2)} s → ${round((P6_LIMIT.cpuMs.big_html * 3) / 1000, 1)} s (${round((P6_LIMIT.cpuMs.big_html * 3) / (P6_LIMIT.timeoutS * 10), 0)} % of the timeout).

Details: \`${JSON.stringify(details)}\`
`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
