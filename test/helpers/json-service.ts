/**
 * A few-line stand-in for one AWS JSON API (SSM's GetParameter, SES v2's SendEmail), for the
 * adapters whose service has no local emulator: a server on 127.0.0.1 that records each request
 * and answers it as told, reached by the gateway's unchanged client through the SDK's own
 * `AWS_ENDPOINT_URL_<SERVICE>` variable.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server received it; `body` is `{}` when it was not JSON. */
export interface ServiceRequest {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

/** How to answer one request: the status, its header fields, and a body sent as JSON. */
export interface ServiceAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * Runs `action` with `endpointVariable` pointing at a server that answers the n-th request (from 0)
 * with `answer(request, n)`; restores the variable and closes the server after. Answers what
 * `action` returned and the requests the server received.
 */
export async function withJsonService<T>(
  endpointVariable: `AWS_ENDPOINT_URL_${string}`,
  answer: (request: ServiceRequest, index: number) => ServiceAnswer,
  action: () => Promise<T>,
): Promise<{ result: T; requests: ServiceRequest[] }> {
  const requests: ServiceRequest[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // Not JSON: answered all the same, and the test sees what it was asked.
      }
      const request = { method: req.method, path: req.url, headers: req.headers, body };
      const { status, headers, body: answerBody } = answer(request, requests.length);
      requests.push(request);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(answerBody));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const previous = process.env[endpointVariable];
  process.env[endpointVariable] = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    return { result: await action(), requests };
  } finally {
    if (previous === undefined) delete process.env[endpointVariable];
    else process.env[endpointVariable] = previous;
    await new Promise((resolve) => server.close(resolve));
  }
}
