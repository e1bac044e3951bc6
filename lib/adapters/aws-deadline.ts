/**
 * A deadline for the AWS calls of one piece of work (an ingest invocation): every request sent
 * within {@link withAwsDeadline}, by a client built on {@link DeadlineHttpHandler}, is aborted when
 * the deadline passes: the one under way, its response body as it streams (the raw mail), and the
 * SDK's further attempts, which are refused at once. The work then fails as transient (its mails
 * are retried) and the invocation answers before Lambda's timeout ends it, instead of taking the
 * whole batch down with it.
 *
 * The socket timeouts (`AWS_HTTP_TIMEOUTS`) end a silent connection, but each attempt's timeout is
 * multiplied by the SDK's attempts (3 by default) and begins up to 3 s late
 * (@smithy/node-http-handler defers a timeout of 6 s or more): a silent S3 endpoint holds a call
 * for about 100 s. The deadline is what bounds it within the invocation.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { TransientError } from '../errors.js';

/** The AWS calls of the work were cut off at its deadline. */
export class AwsDeadlineError extends TransientError {}

const deadlines = new AsyncLocalStorage<AbortSignal>();

/** The longest a Node.js timer waits (ms): a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `work` with a deadline (epoch milliseconds) on the AWS calls it makes, as far as they go
 * through a {@link DeadlineHttpHandler}. A deadline already past aborts every call at once; an
 * infinite one (no Lambda context), or NaN, sets none.
 */
export async function withAwsDeadline<T>(deadline: number, work: () => Promise<T>): Promise<T> {
  if (!(deadline < Number.POSITIVE_INFINITY)) return work();
  const controller = new AbortController();
  // One listener per request under way, each removed when its request ends: as many as the
  // work sends at once (Node warns of a leak past 10).
  setMaxListeners(0, controller.signal);
  const left = Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now()));
  const timer = setTimeout(() => controller.abort(new AwsDeadlineError(`AWS call cut off: the invocation's deadline passed (${left} ms after the work began)`)), left);
  try {
    return await deadlines.run(controller.signal, work);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The SDK's Node.js HTTP handler, whose requests also end at the deadline of the work that sends
 * them ({@link withAwsDeadline}); outside such work it is the SDK's own. The abort reaches the SDK
 * as an `AbortError` whose cause is the {@link AwsDeadlineError}.
 */
export class DeadlineHttpHandler extends NodeHttpHandler {
  override handle(...[request, options = {}]: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    const deadline = deadlines.getStore();
    if (deadline === undefined) return super.handle(request, options);
    const abortSignal = options.abortSignal ? AbortSignal.any([deadline, options.abortSignal as AbortSignal]) : deadline;
    return super.handle(request, { ...options, abortSignal });
  }
}
