// The baseline: stream-parses the same mails with mailparser's MailParser alone (attachments
// drained, released), from local files, and writes its CPU time for the loop to a results file.
// With WARMUP=<n>, the first n files are parsed before the clock starts (as handle-mails.mjs).
// usage: node parse-only.mjs <results.json> <file>...
import { peakRssMb } from './peak-rss.mjs';
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { MailParser } from 'mailparser';

const [resultsFile, ...files] = process.argv.slice(2);

async function parse(file) {
  const parser = new MailParser({ checksumAlgo: 'sha256', skipTextToHtml: true, skipImageLinks: true, skipTextLinks: true, keepDeliveryStatus: true });
  const consume = (async () => {
    for await (const item of parser) {
      if (item.type !== 'attachment') continue;
      item.content.resume();
      await new Promise((resolve) => item.content.once('end', resolve));
      item.release();
    }
  })();
  await Promise.all([pipeline(createReadStream(file), parser), consume]);
}

const warmup = Number(process.env.WARMUP ?? 0);
for (const file of files.slice(0, warmup)) await parse(file);
const start = process.cpuUsage();
for (const file of files.slice(warmup)) await parse(file);
const cpu = process.cpuUsage(start);
await writeFile(resultsFile, JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, maxRssMb: peakRssMb() }));
