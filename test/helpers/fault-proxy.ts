/**
 * A small HTTP proxy in front of the local DynamoDB or S3 server that injects the failures real AWS
 * produces: a 503 before the request is applied, a connection reset before it is applied, a request
 * applied whose response is lost, and a response body cut short; and a connection gone silent: a
 * request never answered, or a response body that stops half-way with its connection left open.
 * And one permanent failure: the
 * request refused as invalid, answered as the service answers it (DynamoDB: 400
 * `ValidationException` for an item over 400 KB; S3: 400 `MetadataTooLarge`). The gateway's code is
 * unchanged: only its endpoint variables point here.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What to do with one request. */
export type Fault = 'none' | 'reject-503' | 'reset-before' | 'drop-response' | 'truncate-body' | 'stall' | 'stall-body' | 'refuse-invalid' | 'deny-access';

/** How each service answers a request it refuses as invalid (never applied, never retryable). */
const REFUSALS: Record<string, { type: string; body: string; headers?: Record<string, string> }> = {
  dynamodb: {
    type: 'application/x-amz-json-1.0',
    body: JSON.stringify({ __type: 'com.amazon.coral.validate#ValidationException', message: 'Item size has exceeded the maximum allowed size' }),
    headers: { 'x-amzn-errortype': 'ValidationException' },
  },
  s3: {
    type: 'application/xml',
    body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>MetadataTooLarge</Code><Message>Your metadata headers exceed the maximum allowed metadata size.</Message></Error>',
  },
};

/**
 * How each service answers a request its caller lacks the permission for (a role missing an action
 * after a bad deploy): S3 403 `AccessDenied`, DynamoDB 400 `AccessDeniedException`. Never applied.
 */
const DENIALS: Record<string, { status: number; type: string; body: string; headers?: Record<string, string> }> = {
  dynamodb: {
    status: 400,
    type: 'application/x-amz-json-1.0',
    body: JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#AccessDeniedException', message: 'User is not authorized to perform: dynamodb:GetItem' }),
    headers: { 'x-amzn-errortype': 'AccessDeniedException' },
  },
  s3: {
    status: 403,
    type: 'application/xml',
    body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
  },
};

/** Decides the fault for each request, across every proxy that shares it. */
export interface FaultPlan {
  decide(service: string, request: IncomingMessage): Fault;
  /** Told when a request whose response is dropped was applied upstream (its answer is in). */
  applied?(service: string, request: IncomingMessage): void;
}

/** A plan that injects nothing. */
export const NO_FAULTS: FaultPlan = { decide: () => 'none' };

/**
 * Transient faults at `rate` of the requests, drawn from a seeded generator: 503s, resets before
 * the request, responses lost after the request was applied, and truncated GET bodies.
 */
export function transientFaults(rate: number, random: () => number): FaultPlan {
  return {
    decide(_service, request): Fault {
      if (random() >= rate) return 'none';
      const pick = random();
      if (pick < 0.35) return 'reject-503';
      if (pick < 0.55) return 'reset-before';
      if (pick < 0.85) return 'drop-response';
      return request.method === 'GET' ? 'truncate-body' : 'drop-response';
    },
  };
}

export interface FaultProxy {
  readonly url: string;
  /** Requests seen, and faults injected, by kind. */
  readonly stats: { requests: number; faults: Record<Exclude<Fault, 'none'>, number> };
  plan: FaultPlan;
  close(): Promise<void>;
}

export async function startFaultProxy(service: string, target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const stats = { requests: 0, faults: { 'reject-503': 0, 'reset-before': 0, 'drop-response': 0, 'truncate-body': 0, stall: 0, 'stall-body': 0, 'refuse-invalid': 0, 'deny-access': 0 } };
  const proxy: { plan: FaultPlan } = { plan: NO_FAULTS };

  const server: Server = createServer((req, res) => {
    stats.requests += 1;
    const fault = proxy.plan.decide(service, req);
    if (fault !== 'none') stats.faults[fault] += 1;
    if (fault === 'reset-before') {
      req.socket.destroy();
      return;
    }
    if (fault === 'stall') {
      // Read, never answered, the connection left open (until the proxy closes).
      req.resume();
      return;
    }
    if (fault === 'deny-access') {
      const denial = DENIALS[service] ?? (DENIALS.s3 as (typeof DENIALS)[string]);
      req.resume();
      req.on('end', () => {
        res.writeHead(denial.status, { 'content-type': denial.type, ...denial.headers });
        res.end(denial.body);
      });
      return;
    }
    if (fault === 'refuse-invalid') {
      const refusal = REFUSALS[service] ?? (REFUSALS.s3 as (typeof REFUSALS)[string]);
      req.resume();
      req.on('end', () => {
        res.writeHead(400, { 'content-type': refusal.type, ...refusal.headers });
        res.end(refusal.body);
      });
      return;
    }
    if (fault === 'reject-503') {
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'content-type': 'application/xml', connection: 'close' });
        res.end('<Error><Code>ServiceUnavailable</Code><Message>injected fault</Message></Error>');
      });
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (fault === 'drop-response') {
          answer.resume();
          answer.on('end', () => {
            proxy.plan.applied?.(service, req);
            req.socket.destroy();
          });
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (fault === 'stall-body') {
          // The headers and half the body, then silence, the connection left open.
          const half = Math.floor(Number(answer.headers['content-length'] ?? 0) / 2);
          let sent = 0;
          answer.on('data', (chunk: Buffer) => {
            if (sent < half) res.write(chunk.subarray(0, half - sent));
            sent += chunk.length;
          });
          return;
        }
        if (fault !== 'truncate-body') {
          answer.pipe(res);
          return;
        }
        const half = Math.floor(Number(answer.headers['content-length'] ?? 0) / 2);
        let sent = 0;
        answer.on('data', (chunk: Buffer) => {
          if (sent >= half) return;
          res.write(chunk.subarray(0, half - sent));
          sent += chunk.length;
          if (sent >= half) {
            answer.destroy();
            req.socket.destroy();
          }
        });
        answer.on('end', () => req.socket.destroy());
      },
    );
    forward.on('error', () => req.socket.destroy());
    req.pipe(forward);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    get plan() {
      return proxy.plan;
    },
    set plan(plan: FaultPlan) {
      proxy.plan = plan;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
