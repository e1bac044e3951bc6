/**
 * The error a call fails with. Each helper takes the call as a thunk and starts it itself, its
 * rejection handled at once: a call started earlier and awaited later could reject unhandled
 * meanwhile (an `unhandledRejection` that fails the run under load).
 */
import { inspect } from 'node:util';

/** The error `call` failed with, or null when it succeeded. */
export async function failureIfAny(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
    return null;
  } catch (error) {
    return error;
  }
}

/** The error `call` failed with; the test fails when it succeeded, or threw something not an Error. */
export async function failureOf(call: () => Promise<unknown>): Promise<Error> {
  let answer: unknown;
  try {
    answer = await call();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`expected the call to fail with an Error, it threw ${inspect(error)}`);
  }
  throw new Error(`expected the call to fail, it answered ${inspect(answer)}`);
}
