/**
 * DynamoDB unreachable (a closed port): every mail is retried, nothing is skipped or lost.
 * The handler is the real one; only its DynamoDB endpoint points at a port nobody listens on.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';
import { composeMail } from '../helpers/mail.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const port = await closedPort();
const fixture = useGateway({ env: { AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`, AWS_MAX_ATTEMPTS: '1' } });

describe('DynamoDB unreachable', () => {
  it('answers retry for the mail, keeping it in S3 untouched', async () => {
    const report = await fixture.gateway.deliver('retry.eml', composeMail({ subject: '[support-42] later' }));
    expect(report.outcome.kind).toBe('retry');
    expect(report.outcome.kind === 'retry' && report.outcome.error).toMatch(/ECONNREFUSED|connect/);
    expect(await fixture.aws.tags(report.location.key)).toEqual({});
  });
});
