// Runs the deployed bundle's handler, as the Lambda runtime imports it, on the S3 events in a file,
// and writes its CPU time (for the loop) and peak RSS (for the whole process) to a results file.
// With CPU_PROFILE=<file>, also writes a V8 CPU profile of the loop (not of the import) there.
// usage: node handle-mails.mjs <bundle.mjs> <events.json> <results.json>
import { readFile, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { pathToFileURL } from 'node:url';

const [bundle, eventsFile, resultsFile] = process.argv.slice(2);
const events = JSON.parse(await readFile(eventsFile, 'utf8'));
const { handler } = await import(pathToFileURL(bundle).href);
const profiler = process.env.CPU_PROFILE ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.setSamplingInterval', { interval: 200 });
  await profiler.post('Profiler.start');
}
const start = process.cpuUsage();
const outcomes = [];
for (const event of events) {
  const result = await handler(event);
  outcomes.push(...result.mails.map((mail) => mail.outcome.kind));
}
const cpu = process.cpuUsage(start);
if (profiler) {
  const { profile } = await profiler.post('Profiler.stop');
  await writeFile(process.env.CPU_PROFILE, JSON.stringify(profile));
  profiler.disconnect();
}
await writeFile(resultsFile, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: process.resourceUsage().maxRSS / 1024, outcomes }));
