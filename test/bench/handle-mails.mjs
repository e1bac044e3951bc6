// Runs the deployed bundle's handler, as the Lambda runtime imports it, on the S3 events in a file,
// and writes its CPU time (for the loop) and peak RSS (for the whole process) to a results file.
// With CPU_PROFILE=<file>, also writes a V8 CPU profile of the loop (not of the import) there.
// With WARMUP=<n>, the first n events are handled before the clock starts (a warm container: the
// clients' first calls, the chunks loaded on first use, the JIT), their outcomes still reported.
// usage: node handle-mails.mjs <bundle.mjs> <events.json> <results.json>
import { peakRssMb } from './peak-rss.mjs';
import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';

const [bundle, eventsFile, resultsFile] = process.argv.slice(2);
const events = JSON.parse(await readFile(eventsFile, 'utf8'));
const { handler } = await import(pathToFileURL(bundle).href);
const outcomes = [];
const warmup = Number(process.env.WARMUP ?? 0);
for (const event of events.slice(0, warmup)) {
  const result = await handler(event);
  outcomes.push(...result.mails.map((mail) => mail.outcome.kind));
}
const profiler = process.env.CPU_PROFILE ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  await profiler.post('Profiler.start');
}
const start = process.cpuUsage();
for (const event of events.slice(warmup)) {
  const result = await handler(event);
  outcomes.push(...result.mails.map((mail) => mail.outcome.kind));
}
const cpu = process.cpuUsage(start);
if (profiler) {
  const { profile } = await profiler.post('Profiler.stop');
  await writeFile(process.env.CPU_PROFILE, JSON.stringify(profile));
  profiler.disconnect();
}
await writeFile(resultsFile, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: peakRssMb(), outcomes }));
