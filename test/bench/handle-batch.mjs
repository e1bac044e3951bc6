// Runs the deployed bundle's handler, as the Lambda runtime imports it, on one SQS batch event from a
// file, and writes its CPU time and the process's peak RSS to a results file. Start it with the heap
// capped as Lambda caps it (--max-old-space-size, --max-semi-space-size).
// usage: node [heap flags] handle-batch.mjs <bundle.mjs> <event.json> <results.json>
import { peakRssMb } from './peak-rss.mjs';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile, resultsFile] = process.argv.slice(2);
const event = JSON.parse(await readFile(eventFile, 'utf8'));
const { handler } = await import(pathToFileURL(bundle).href);
const start = process.cpuUsage();
const result = await handler(event);
const cpu = process.cpuUsage(start);
await writeFile(
  resultsFile,
  JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: peakRssMb(), failures: result.batchItemFailures.length }),
);
