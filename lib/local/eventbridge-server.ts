/**
 * A minimal Amazon EventBridge endpoint for the local stack and the tests: it speaks `PutEvents`
 * over the AWS JSON 1.1 protocol, checks each request as EventBridge does, and records the
 * entries it accepts. The SDK reaches it through `AWS_ENDPOINT_URL_EVENTBRIDGE`, exactly as it
 * reaches AWS.
 *
 * Why our own: the maintained local EventBridge on npm, the server inside
 * `serverless-offline-aws-eventbridge` (2.2.4), is a Serverless Framework plugin that starts only
 * within `serverless offline` (a peer dependency), answers any request on any path with success,
 * and checks nothing — it would accept a malformed or oversized entry that AWS refuses. LocalStack
 * needs Docker. This server checks what the gateway must get right:
 * - the request: `POST /`, `Content-Type: application/x-amz-json-1.1`,
 *   `X-Amz-Target: AWSEvents.PutEvents`, a SigV4 `Authorization` for the `events` service, and
 *   1–10 entries whose total size (EventBridge's formula) is under 256 KB — else HTTP 400
 *   `ValidationException` or `IncompleteSignatureException`, as EventBridge answers;
 * - each entry: `Source` (1–256 characters, not `aws.`), `DetailType` (1–128), `Detail` a JSON
 *   object, `EventBusName` naming a bus it knows (by name or ARN) — else that entry fails with an
 *   `ErrorCode` and `FailedEntryCount` counts it.
 * It can also be told to fail the next requests (throttling, a failed entry, a 500), to test
 * that the gateway treats each as transient. Nothing is routed to rules or targets.
 * (API: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html)
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One entry the server accepted, as the SDK sent it, with the id it was given. */
export interface RecordedEvent {
  readonly EventId: string;
  readonly Source: string;
  readonly DetailType: string;
  /** The detail, as the JSON string it was sent as. */
  readonly Detail: string;
  /** The bus name (an ARN is reduced to its name). */
  readonly EventBusName: string;
}

/** A failure the server can be told to answer the next requests with. */
export type InjectedFailure = 'throttle' | 'failed-entry' | 'server-error';

export interface LocalEventBridge {
  /** `http://127.0.0.1:<port>`: the value of `AWS_ENDPOINT_URL_EVENTBRIDGE`. */
  readonly endpoint: string;
  /** Every entry accepted so far, in order. */
  events(): readonly RecordedEvent[];
  /** How many PutEvents requests arrived (accepted, refused or failed on purpose). */
  requestCount(): number;
  /** Answers the next `times` requests with `failure` instead of accepting them. */
  failNext(failure: InjectedFailure, times?: number): void;
  /** Forgets the recorded entries. */
  clear(): void;
  stop(): Promise<void>;
}

const MAX_ENTRIES = 10;
const MAX_REQUEST_ENTRY_BYTES = 256 * 1024;
const JSON_11 = 'application/x-amz-json-1.1';

interface EntryResult {
  readonly EventId?: string;
  readonly ErrorCode?: string;
  readonly ErrorMessage?: string;
}

class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** The entry's size by EventBridge's formula (Time 14 bytes, then the UTF-8 bytes of the strings). */
function entrySize(entry: Record<string, unknown>): number {
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value) : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources.reduce((sum: number, r) => sum + bytes(r), 0) : 0;
  return (entry.Time === undefined ? 0 : 14) + bytes(entry.Source) + bytes(entry.DetailType) + bytes(entry.Detail) + resources;
}

function busName(value: unknown): string | null {
  if (value === undefined) return 'default';
  if (typeof value !== 'string') return null;
  const arn = /^arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/(.+)$/.exec(value);
  return arn ? (arn[1] as string) : value;
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Why EventBridge would refuse this entry, or `null` when it takes it. */
function entryError(entry: Record<string, unknown>, buses: ReadonlySet<string>): Omit<EntryResult, 'EventId'> | null {
  const { Source, DetailType, Detail } = entry;
  if (typeof Source !== 'string' || typeof DetailType !== 'string' || typeof Detail !== 'string' || !Source || !DetailType) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter(s) Source, DetailType, or Detail must be specified.' };
  }
  if (Source.length > 256 || DetailType.length > 128) return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source or DetailType is too long.' };
  if (Source.startsWith('aws.')) return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: `Not authorized for the source ${Source}.` };
  if (!isJsonObject(Detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  const bus = busName(entry.EventBusName);
  if (bus === null || !buses.has(bus)) return { ErrorCode: 'InvalidArgument', ErrorMessage: `Event bus ${String(entry.EventBusName)} does not exist.` };
  return null;
}

function checkRequest(request: IncomingMessage): void {
  if (request.method !== 'POST' || request.url !== '/') throw new RequestError(404, 'UnknownOperationException', `${request.method} ${request.url}`);
  if (request.headers['content-type'] !== JSON_11) throw new RequestError(400, 'SerializationException', `Content-Type must be ${JSON_11}`);
  if (request.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
    throw new RequestError(400, 'UnknownOperationException', `unsupported operation ${String(request.headers['x-amz-target'])}`);
  }
  if (!/^AWS4-HMAC-SHA256 Credential=[^,]+\/events\/aws4_request,/.test(request.headers.authorization ?? '')) {
    throw new RequestError(400, 'IncompleteSignatureException', 'the request must be signed with SigV4 for the events service');
  }
}

function entriesOf(body: string): Record<string, unknown>[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new RequestError(400, 'SerializationException', 'the body is not JSON');
  }
  const entries = (parsed as { Entries?: unknown } | null)?.Entries;
  if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
    throw new RequestError(400, 'ValidationException', `Entries must hold 1 to ${MAX_ENTRIES} entries`);
  }
  if (!entries.every((e) => typeof e === 'object' && e !== null)) throw new RequestError(400, 'SerializationException', 'each entry must be an object');
  const total = entries.reduce((sum: number, e: Record<string, unknown>) => sum + entrySize(e), 0);
  if (total >= MAX_REQUEST_ENTRY_BYTES) throw new RequestError(400, 'ValidationException', `Total size of the entries in the request is over the limit (${total} bytes).`);
  return entries as Record<string, unknown>[];
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': JSON_11, 'x-amzn-RequestId': randomUUID() });
  response.end(JSON.stringify(body));
}

function injected(failure: InjectedFailure, count: number): { status: number; body: unknown } {
  switch (failure) {
    case 'throttle':
      return { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } };
    case 'server-error':
      return { status: 500, body: { __type: 'InternalException', message: 'injected failure' } };
    case 'failed-entry':
      return { status: 200, body: { FailedEntryCount: count, Entries: Array.from({ length: count }, () => ({ ErrorCode: 'InternalFailure', ErrorMessage: 'injected failure' })) } };
  }
}

/** Starts the server on 127.0.0.1 and a free port; `buses` are the event buses it knows besides `default`. */
export async function startLocalEventBridge(options: { readonly buses?: readonly string[] } = {}): Promise<LocalEventBridge> {
  const buses = new Set(['default', ...(options.buses ?? [])]);
  const recorded: RecordedEvent[] = [];
  const failures: InjectedFailure[] = [];
  let requests = 0;

  const handle = (request: IncomingMessage, body: string, response: ServerResponse) => {
    requests += 1;
    try {
      checkRequest(request);
      const entries = entriesOf(body);
      const failure = failures.shift();
      if (failure) {
        const { status, body: answer } = injected(failure, entries.length);
        send(response, status, answer);
        return;
      }
      const results: EntryResult[] = entries.map((entry) => {
        const error = entryError(entry, buses);
        if (error) return error;
        const EventId = randomUUID();
        const { Source, DetailType, Detail } = entry as { Source: string; DetailType: string; Detail: string };
        recorded.push({ EventId, Source, DetailType, Detail, EventBusName: busName(entry.EventBusName) as string });
        return { EventId };
      });
      send(response, 200, { FailedEntryCount: results.filter((r) => r.ErrorCode).length, Entries: results });
    } catch (error) {
      if (!(error instanceof RequestError)) throw error;
      send(response, error.status, { __type: error.type, message: error.message });
    }
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, Buffer.concat(chunks).toString('utf8'), response));
  });
  const address = await new Promise<AddressInfo>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });

  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    events: () => [...recorded],
    requestCount: () => requests,
    failNext: (failure, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    clear: () => {
      recorded.length = 0;
    },
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
