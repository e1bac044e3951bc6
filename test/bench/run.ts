/**
 * `npm run bench [-- --json]`: performance figures, measured side by side in one run on this
 * machine (never asserted in tests: the machine is shared and noisy).
 *
 * P1 memory: peak RSS of a fresh process handling one 1 MB, 20 MB and 40 MB mail through the
 *    deployed bundle's handler; the ratio 40 MB / 1 MB.
 * P2 overhead: CPU time of the handler process over that of a process that only stream-parses the
 *    same mails with MailParser (attachments drained), for 500 typical mails and the 20 MB mail.
 *    DynamoDB and S3 run in a third process, so their work is not counted. And what validating
 *    GetObject's response checksum would cost: handler CPU on a 20 MB mail with validation on
 *    over off (median of three fresh processes each), S3 answering with a full-object CRC64NVME.
 * P3 AWS calls per mail, counted through the SDK, per outcome.
 * P4 cold start: the bundle's size, and the whole-process time to import it over a bare node.
 *
 * Prints a table (or, with --json, exactly one JSON object) and writes BENCHMARKS.md.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, freemem, platform, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { encodeS3Key } from '../../lib/intake.js';
import { LOCAL_NAMES } from '../../lib/local/embedded-stack.js';
import { composeMime } from '../helpers/compose.js';
import { newMessageId } from '../helpers/mail.js';
import { extractZip } from '../helpers/unzip.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const HERE = import.meta.dirname;
const JSON_OUTPUT = process.argv.includes('--json');
const TYPICAL_MAILS = 500;
const IMPORT_RUNS = 9;
const CHECKSUM_RUNS = 3;

/** Everything but the final result goes to stderr, so `--json` prints one object and nothing else. */
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
const say = (line: string) => process.stderr.write(`${line}\n`);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const round = (value: number, digits = 1) => Number(value.toFixed(digits));

function startStack(): Promise<{ child: ChildProcess; env: Record<string, string> }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(HERE, 'stack.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n')[0];
      if (buffer.includes('\n') && line) resolvePromise({ child, env: JSON.parse(line) as Record<string, string> });
    });
    child.once('exit', (code) => reject(new Error(`the stack process exited (${code})`)));
  });
}

/** The deployed bundle, built by `serverless package` and unpacked from the function's zip (entry and chunks). */
async function packagedBundle(dir: string): Promise<string> {
  await run(join(ROOT, 'node_modules/.bin/serverless'), ['package', '--package', join(dir, 'package')], { cwd: ROOT });
  await extractZip(join(dir, 'package', 'ingestMail.zip'), join(dir, 'function'));
  return join(dir, 'function', 'functions', 'ingest-mail.mjs');
}

/** A reply to ticket 42 of about `bytes` bytes, most of it one base64 attachment (or text, for small ones). */
async function mailOfSize(bytes: number): Promise<Buffer> {
  const attachment = Math.max(0, Math.floor(((bytes - 1500) * 3 * 76) / (4 * 78)));
  return composeMime({
    from: 'alice@example.com',
    to: 'support@helpdesk.example',
    subject: `Re: [support-42] report of ${bytes} bytes`,
    messageId: newMessageId(`bench-${bytes}`),
    text: 'The logs are attached.\n',
    attachments: [{ filename: 'logs.tar.gz', content: randomBytes(attachment) }],
  });
}

/**
 * A typical 5 KB reply as Gmail or Outlook send it: multipart/alternative, a short answer above the
 * quoted thread, in plain text and in HTML.
 */
function typicalMail(n: number): Promise<Buffer> {
  const lines = Array.from({ length: 24 }, (_, i) => `line ${i} of the earlier message in this thread, quoted by the mail client`);
  return composeMime({
    from: 'Alice Example <alice@example.com>',
    to: 'support@helpdesk.example',
    subject: `Re: [support-42] Printer jams (${n})`,
    messageId: newMessageId(`typical-${n}`),
    inReplyTo: '<notification-42-1.5f2c9e1b7a@helpdesk.example>',
    text: `Thanks, that helped.\n\nAlice\n\nOn Thu, 26 Nov 2026, Helpdesk wrote:\n${lines.map((l) => `> ${l}`).join('\n')}\n`,
    html: `<div dir="ltr">Thanks, that helped.<br><br>Alice</div><br><div class="gmail_quote"><blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">${lines.map((l) => `<div>${l}</div>`).join('')}</blockquote></div>`,
  });
}

function s3Event(bucket: string, key: string, size: number) {
  return { Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', eventTime: new Date().toISOString(), s3: { bucket: { name: bucket }, object: { key: encodeS3Key(key), size } } }] };
}

async function main(): Promise<void> {
  const started = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'helpdesk-bench-'));
  const { child: stackProcess, env: stackEnv } = await startStack();
  try {
    const gatewayEnv: Record<string, string> = {
      ...stackEnv,
      PATH: process.env.PATH ?? '',
      INBOUND_PREFIX: 'inbound/',
      MAILBOXES: 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create',
      UPDATE_ONLY: 'true',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    const s3 = new S3Client({
      region: stackEnv.AWS_REGION,
      endpoint: stackEnv.AWS_ENDPOINT_URL_S3,
      forcePathStyle: true,
      credentials: { accessKeyId: stackEnv.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: stackEnv.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    const store = async (key: string, raw: Buffer | string) => {
      await s3.send(new PutObjectCommand({ Bucket: LOCAL_NAMES.bucket, Key: key, Body: raw }));
      return s3Event(LOCAL_NAMES.bucket, key, Buffer.byteLength(raw));
    };

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

    // P2: 500 typical mails in one handler process, and in one parse-only process.
    say(`P2: ${TYPICAL_MAILS} typical mails…`);
    const typicalEvents = [];
    const typicalFiles = [];
    for (let n = 0; n < TYPICAL_MAILS; n++) {
      const raw = await typicalMail(n);
      const file = join(dir, `typical-${n}.eml`);
      await writeFile(file, raw);
      typicalFiles.push(file);
      typicalEvents.push(await store(`inbound/typical-${n}.eml`, raw));
    }
    const typicalEventsFile = join(dir, 'typical-events.json');
    await writeFile(typicalEventsFile, JSON.stringify(typicalEvents));
    const typicalResults = join(dir, 'typical-results.json');
    await run(process.execPath, [join(HERE, 'handle-mails.mjs'), bundle, typicalEventsFile, typicalResults], { env: gatewayEnv, maxBuffer: 256 * 1024 * 1024 });
    const typicalHandled = JSON.parse(await readFile(typicalResults, 'utf8')) as { cpuMs: number; outcomes: string[] };
    if (typicalHandled.outcomes.some((o) => o !== 'followup')) throw new Error('a typical mail was not applied');
    await run(process.execPath, [join(HERE, 'parse-only.mjs'), typicalResults, ...typicalFiles], { cwd: ROOT });
    const typicalParsed = JSON.parse(await readFile(typicalResults, 'utf8')) as { cpuMs: number };

    // P3: AWS calls per mail, counted through the SDK in a process of its own.
    say('P3: AWS calls per mail…');
    const callsFile = join(dir, 'calls.json');
    await run(join(ROOT, 'node_modules/.bin/tsx'), [join(HERE, 'count-calls.ts'), callsFile], { cwd: ROOT, env: { ...gatewayEnv, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' } });
    const calls = JSON.parse(await readFile(callsFile, 'utf8')) as { followup: number; followupAttachments: number; created: number; skips: Record<string, number> };

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
      p2_ratio_typical: round(typicalHandled.cpuMs / typicalParsed.cpuMs, 2),
      p2_ratio_20mb: round((p1['20mb']?.cpu ?? 0) / (p1['20mb']?.parseCpu ?? 1), 2),
      p2_response_checksum_20mb: round(median(checksumCpu.on) / median(checksumCpu.off), 2),
      p3_calls_followup: calls.followup,
      p3_calls_followup_attachments: calls.followupAttachments,
      p3_calls_created: calls.created,
      p3_calls_skip_max: Math.max(...Object.values(calls.skips)),
      p4_import_ms_over_node: round(median(imported) - median(bare)),
      p4_bundle_kb: round(bundleBytes / 1024),
    };
    const details = {
      cpuMs: {
        handlerTypical: round(typicalHandled.cpuMs),
        parseTypical: round(typicalParsed.cpuMs),
        handler20mb: round(p1['20mb']?.cpu ?? 0),
        parse20mb: round(p1['20mb']?.parseCpu ?? 0),
        handler20mbChecksumOff: checksumCpu.off.map((v) => round(v)),
        handler20mbChecksumOn: checksumCpu.on.map((v) => round(v)),
      },
      bareNodeMs: round(median(bare)),
      importMs: round(median(imported)),
      skipCalls: calls.skips,
      seconds: round((Date.now() - started) / 1000),
    };
    await writeFile(join(ROOT, 'BENCHMARKS.md'), report(figures, details));
    if (JSON_OUTPUT) write(`${JSON.stringify(figures)}\n`);
    else write(`${table(figures)}\n\nWritten to BENCHMARKS.md (${details.seconds} s).\n`);
    s3.destroy();
  } finally {
    stackProcess.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

type Figures = Record<string, number>;

const TARGETS: Record<string, [string, (v: number) => boolean]> = {
  p1_rss_mb_40mb: ['≤ 192', (v) => v <= 192],
  p1_ratio: ['≤ 1.3', (v) => v <= 1.3],
  p2_ratio_typical: ['≤ 3', (v) => v <= 3],
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
- **P2** CPU time of the handler process over a process that only stream-parses the same mails with MailParser: ${TYPICAL_MAILS} typical 5 KB replies (multipart/alternative, text and HTML, quoting the thread), and the 20 MB mail. DynamoDB and S3 run in a third process.
- **P2 response checksum**: the handler's CPU time on a 20 MB mail with GetObject's response checksum validated (\`responseChecksumValidation=WHEN_SUPPORTED\`, S3 answering with the object's full-object CRC64NVME) over not validated (median of ${CHECKSUM_RUNS} fresh processes each). **The gateway does not validate** (\`WHEN_REQUIRED\`, set in \`lib/adapters/aws-clients.ts\`): TLS protects the bytes in transit and S3 at rest, and the SDK's CRC64NVME runs in JavaScript. Uploads keep the SDK's default request checksums, so S3 verifies what the gateway writes. The other figures are measured with validation off, as deployed.
- **P3** AWS calls per mail, counted through the SDK: a follow-up, a follow-up with 2 attachments, a new ticket, and the most any kind of skip takes (per kind below).
- **P4** size of the bundle in the deployment zip, and the whole-process time to import it over a bare \`node -e 0\` (median of ${IMPORT_RUNS}).

Details: \`${JSON.stringify(details)}\`
`;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
