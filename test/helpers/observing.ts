/** Observing the gateway's AWS clients (lib/adapters/aws-clients.ts) for the span of one action. */
import { observeAwsRequests, type SentRequest } from '../../lib/adapters/aws-clients.js';

/**
 * Runs `action` with `observe(observer)` on (`observeAwsCalls`, `observeAwsRequests`), always
 * stopping it after: what `action` answered, and every value the observer was told meanwhile.
 */
export async function observing<T, R>(observe: (observer: (value: T) => void) => () => void, action: () => Promise<R>): Promise<{ result: R; seen: T[] }> {
  const seen: T[] = [];
  const stop = observe((value) => seen.push(value));
  try {
    return { result: await action(), seen };
  } finally {
    stop();
  }
}

/** The HTTP requests (each attempt) the observed clients send while `action` runs, and what it answered. */
export async function requestsDuring<R>(action: () => Promise<R>): Promise<{ result: R; requests: SentRequest[] }> {
  const { result, seen } = await observing(observeAwsRequests, action);
  return { result, requests: seen };
}
