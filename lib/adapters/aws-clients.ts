/** AWS SDK clients, built once per container and shared by the adapters. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { boundByDeadline } from './aws-deadline.js';

export interface AwsClients {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
}

/** One AWS call as the SDK starts it (once per call, however often the SDK retries it). */
export interface AwsCall {
  readonly client: string;
  readonly command: string;
}

/**
 * One HTTP request as the SDK sends it, after every middleware (checksums, signing): what the
 * server sees. The body is kept when it is text or bytes; a stream body is not read.
 */
export interface SentRequest extends AwsCall {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string | null | readonly string[]>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body as UTF-8 text, or null for a stream (or no) body. */
  readonly body: string | null;
}

const observers = new Set<(call: AwsCall) => void>();
const requestObservers = new Set<(request: SentRequest) => void>();

/**
 * Tells `observer` about every AWS call the gateway's clients make from now on; answers the
 * function that stops it. The benchmark and the tests count calls per mail with it.
 */
export function observeAwsCalls(observer: (call: AwsCall) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

/**
 * Tells `observer` about every HTTP request the gateway's clients send from now on (each attempt);
 * answers the function that stops it. The tests check request sequences against the AWS API's rules
 * with it (e.g. the checksums of a multipart upload), where a local server would not check them.
 */
export function observeAwsRequests(observer: (request: SentRequest) => void): () => void {
  requestObservers.add(observer);
  return () => requestObservers.delete(observer);
}

export interface ObservableClient {
  middlewareStack: {
    add(middleware: unknown, options: { step: 'initialize'; name: string }): void;
    add(middleware: unknown, options: { step: 'finalizeRequest'; name: string; priority: 'low' }): void;
  };
}

interface HttpRequestLike {
  method?: string;
  path?: string;
  query?: Record<string, string | null | string[]>;
  headers?: Record<string, string>;
  body?: unknown;
}

function sentRequest(call: AwsCall, request: HttpRequestLike): SentRequest {
  const { body } = request;
  const text = typeof body === 'string' ? body : body instanceof Uint8Array ? new TextDecoder().decode(body) : null;
  return {
    ...call,
    method: request.method ?? '',
    path: request.path ?? '',
    query: { ...request.query },
    headers: Object.fromEntries(Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    body: text,
  };
}

/** Adds the call and request observers to `client` (the gateway's clients have them already). */
export function observed<T extends ObservableClient>(client: T): T {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (args: unknown) => {
      if (observers.size > 0) {
        const call = { client: context.clientName ?? 'unknown', command: context.commandName ?? 'unknown' };
        for (const observer of observers) observer(call);
      }
      return next(args);
    },
    { step: 'initialize', name: 'helpdeskAwsCallObserver' },
  );
  // Last in the finalize step (after checksums and signing): the request as it goes on the wire.
  client.middlewareStack.add(
    (next: (args: { request?: unknown }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => async (args: { request?: unknown }) => {
      if (requestObservers.size > 0 && args.request) {
        const request = sentRequest({ client: context.clientName ?? 'unknown', command: context.commandName ?? 'unknown' }, args.request as HttpRequestLike);
        for (const observer of requestObservers) observer(request);
      }
      return next(args);
    },
    { step: 'finalizeRequest', name: 'helpdeskAwsRequestObserver', priority: 'low' },
  );
  return client;
}

/** How long a client waits on its HTTP connection, in milliseconds (the SDK's `requestHandler` options). */
export interface HttpTimeouts {
  /** To open a connection (TCP). */
  readonly connectionTimeout: number;
  /**
   * The longest a connection may stay silent, neither sending nor receiving a byte, while a request
   * is under way, its response body included; then the call fails with a `TimeoutError`.
   */
  readonly socketTimeout: number;
}

/**
 * The gateway's HTTP timeouts. Without them the SDK waits for ever (@smithy/node-http-handler: both
 * default to 0, none; its `requestTimeout` only logs a warning unless `throwOnRequestTimeout` is set):
 * a connection that accepts a request and goes silent, or an S3 body that stops mid-way, would hold
 * the mail, and the rest of its batch, until the function times out. With them such an attempt fails
 * as a transient `TimeoutError` (lib/adapters/aws-errors.ts). A socket timeout of 6 s or more starts
 * 3 s into the request (the handler defers it), so an attempt ends after about 13 s (`api`) or 33 s
 * (`s3`) of silence, and the SDK makes up to three attempts: the invocation's deadline
 * (lib/adapters/aws-deadline.ts) is what bounds a call within the invocation.
 * - `api`: DynamoDB, EventBridge, SSM: small JSON requests and answers, answered in milliseconds.
 * - `s3`: S3 also streams the raw mail, whose body waits unread while the header block's lookups
 *   run, while an attachment's part uploads, and while a container part (TNEF, S/MIME, an attached
 *   mail) read whole is opened and its files stored, one upload each (well under a second each on
 *   AWS); 30 s of silence leaves room for those.
 */
export const AWS_HTTP_TIMEOUTS = {
  api: { connectionTimeout: 3_000, socketTimeout: 10_000 },
  s3: { connectionTimeout: 3_000, socketTimeout: 30_000 },
} as const satisfies Record<string, HttpTimeouts>;

/**
 * Builds the clients, with {@link AWS_HTTP_TIMEOUTS} unless `timeouts` says otherwise (tests). Endpoints come from the SDK's own `AWS_ENDPOINT_URL_S3` /
 * `AWS_ENDPOINT_URL_DYNAMODB` variables; when a custom S3 endpoint is set (a local S3 server),
 * path-style addressing is used because such servers have no per-bucket host names.
 *
 * Checksums: requests keep the SDK's default (WHEN_SUPPORTED): S3 verifies every object the gateway
 * writes. Responses are not validated (WHEN_REQUIRED) unless `AWS_RESPONSE_CHECKSUM_VALIDATION` is
 * `WHEN_SUPPORTED`: reading raw mail is already protected by TLS in transit and by S3 at rest, and
 * validating S3's full-object CRC64NVME in JavaScript costs a fifth to a half more CPU on a 20 MB mail
 * (`npm run bench`, figure p2_response_checksum_20mb: 1.18-1.48 in three runs; BENCHMARKS.md).
 */
export function createAwsClients(env: Readonly<Record<string, string | undefined>> = process.env, timeouts: Readonly<Record<keyof typeof AWS_HTTP_TIMEOUTS, HttpTimeouts>> = AWS_HTTP_TIMEOUTS): AwsClients {
  const customS3 = Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
  const responseChecksumValidation = env.AWS_RESPONSE_CHECKSUM_VALIDATION?.toUpperCase() === 'WHEN_SUPPORTED' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED';
  const s3 = boundByDeadline(observed(new S3Client({ forcePathStyle: customS3, responseChecksumValidation, requestHandler: { ...timeouts.s3 } })));
  const dynamo = boundByDeadline(
    DynamoDBDocumentClient.from(observed(new DynamoDBClient({ requestHandler: { ...timeouts.api } })), {
      marshallOptions: { removeUndefinedValues: true },
    }),
  );
  return { s3, dynamo };
}

/**
 * Closes both clients' connections, for a process that ends (a CLI) rather than a Lambda container.
 * The DynamoDB one is a document client, whose own `destroy()` does nothing (lib-dynamodb): the
 * request handler it shares with the client it wraps holds the sockets.
 */
export function destroyAwsClients(clients: AwsClients): void {
  clients.s3.destroy();
  clients.dynamo.config.requestHandler.destroy?.();
}
