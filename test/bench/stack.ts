/**
 * The benchmark's local DynamoDB and S3, in a process of their own so that their work is not
 * counted against the gateway. Prints one JSON line (the environment) when ready; stops on SIGTERM.
 *
 * Besides s3rver's own endpoint, `S3_CHECKSUM_ENDPOINT` is a proxy in front of it that answers a
 * GetObject asking for checksums (`x-amz-checksum-mode: ENABLED`, what the SDK sends under
 * `responseChecksumValidation=WHEN_SUPPORTED`) with the object's full-object CRC64NVME, as S3 does for
 * an object uploaded without a checksum of its own ("Checking object integrity", S3 User Guide).
 * s3rver sends none, so without the proxy the SDK would never validate and the cost would not show.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Crc64Nvme } from '@aws-sdk/checksums/crc';
import { startEmbeddedStack } from '../../lib/local/embedded-stack.js';
import { seedTickets } from '../../lib/local/seed.js';

const stack = await startEmbeddedStack();
await seedTickets(stack.env, { tickets: stack.names.ticketsTable, messages: stack.names.messagesTable }, [
  { id: 42, queue: 'support', status: 'open', title: 'Printer jams', submitter: 'alice@example.com', cc: [] },
]);

const upstream = new URL(stack.env.AWS_ENDPOINT_URL_S3 ?? '');
const checksums = new Map<string, string>();

async function crc64nvme(body: Buffer): Promise<string> {
  const hash = new Crc64Nvme();
  hash.update(body);
  return Buffer.from(await hash.digest()).toString('base64');
}

const proxy = createServer((req, res) => {
  const forward = httpRequest(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      const wantsChecksum = req.method === 'GET' && req.headers['x-amz-checksum-mode'] === 'ENABLED' && answer.statusCode === 200;
      if (!wantsChecksum) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.on('end', () => {
        void (async () => {
          const body = Buffer.concat(chunks);
          const id = `${req.url} ${String(answer.headers.etag)}`;
          const checksum = checksums.get(id) ?? (await crc64nvme(body));
          checksums.set(id, checksum);
          const headers: IncomingHttpHeaders = { ...answer.headers, 'x-amz-checksum-crc64nvme': checksum, 'x-amz-checksum-type': 'FULL_OBJECT' };
          res.writeHead(200, headers);
          res.end(body);
        })();
      });
    },
  );
  forward.on('error', () => res.destroy());
  req.pipe(forward);
});
await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));

process.stdout.write(`${JSON.stringify({ ...stack.env, S3_CHECKSUM_ENDPOINT: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` })}\n`);
const stop = () => {
  proxy.closeAllConnections();
  proxy.close();
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
