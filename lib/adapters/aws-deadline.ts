/**
 * A deadline for the AWS calls of one piece of work (an ingest invocation, a sweep run): every call
 * a {@link boundByDeadline} client makes within {@link withAwsDeadline} gets the deadline as its
 * abort signal (the SDK's own `send(command, { abortSignal })`). At the deadline the SDK aborts the
 * request under way, stops waiting between attempts (a `Retry-After` hint can ask for seconds), and
 * makes no further attempt; a streaming response body (the raw mail) is failed by its reader
 * ({@link onAwsDeadline}). The work then fails as transient (its mails are retried) and the
 * invocation answers before Lambda's timeout ends it, instead of taking the whole batch down.
 *
 * The socket timeouts (`AWS_HTTP_TIMEOUTS`) end a silent connection, but each attempt's timeout is
 * multiplied by the SDK's attempts (3 by default) and begins up to 3 s late
 * (@smithy/node-http-handler defers a timeout of 6 s or more): a silent S3 endpoint holds a call
 * for about 100 s. The deadline is what bounds it within the invocation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import { TransientError } from '../errors.js';

/** The AWS calls of the work were cut off at its deadline, or after the work had ended. */
export class AwsDeadlineError extends TransientError {}

const deadlines = new AsyncLocalStorage<AbortSignal>();

/** The longest a Node.js timer waits (ms): a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `work` with a deadline (epoch milliseconds) on the AWS calls it makes through
 * {@link boundByDeadline} clients. A deadline already past aborts every call at once; an infinite
 * one (no Lambda context), or NaN, sets none. When `work` settles, whatever it left running is cut
 * off too: nothing of an invocation goes on after it has answered.
 */
export async function withAwsDeadline<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  if (!(deadline < Number.POSITIVE_INFINITY)) return work();
  const controller = new AbortController();
  // One listener per call under way, each removed when its call ends: as many as the work makes
  // at once (Node warns of a leak past 10).
  setMaxListeners(0, controller.signal);
  const left = Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now()));
  const timer = setTimeout(() => controller.abort(new AwsDeadlineError(`AWS call cut off: the invocation's deadline passed (${left} ms after the work began)`)), left);
  try {
    return await deadlines.run(controller.signal, work);
  } finally {
    clearTimeout(timer);
    controller.abort(new AwsDeadlineError('AWS call cut off: the work it belonged to had ended'));
  }
}

/**
 * Calls `listener` with the reason when the deadline of the work under way passes (at once if it
 * has); answers the function that stops listening. Outside {@link withAwsDeadline}, never.
 */
export function onAwsDeadline(listener: (reason: Error) => void): () => void {
  const signal = deadlines.getStore();
  if (signal === undefined) return () => undefined;
  const onAbort = () => listener(signal.reason as Error);
  if (signal.aborted) {
    onAbort();
    return () => undefined;
  }
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

/** The options of an SDK client's `send` this module reads. */
interface SendOptions {
  readonly abortSignal?: AbortSignal;
}

type Send = (command: unknown, options?: SendOptions) => Promise<unknown>;

/**
 * Makes `client`'s calls within {@link withAwsDeadline} carry its deadline as their abort signal
 * (with the caller's own, if it gave one: either aborts). Answers the client. Outside such work,
 * calls are the SDK's own. Only the promise form of `send` is used in this project.
 */
export function boundByDeadline<C extends { send: unknown }>(client: C): C {
  const send = (client.send as Send).bind(client);
  const bound: Send = (command, options) => {
    const deadline = deadlines.getStore();
    if (deadline === undefined) return send(command, options);
    const abortSignal = options?.abortSignal ? AbortSignal.any([deadline, options.abortSignal]) : deadline;
    return send(command, { ...options, abortSignal });
  };
  Object.defineProperty(client, 'send', { value: bound, writable: true, configurable: true });
  return client;
}
