/** Mapping AWS SDK failures onto the gateway's error classes. */
import { TransientError } from '../errors.js';

/** The SDK error name, when the value is an SDK (or Node network) error. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof name === 'string' && name !== 'Error') return name;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Wraps an AWS call's failure as a {@link TransientError}: whatever goes wrong talking to S3 or
 * DynamoDB (throttling, 5xx, a reset connection, even a permission missing after a bad deploy) is
 * not the mail's fault, so the mail is retried rather than skipped. Domain results such as a failed
 * condition are handled by the adapters before this is reached.
 */
export function asTransient(operation: string, error: unknown): TransientError {
  const message = error instanceof Error ? error.message : String(error);
  return new TransientError(`${operation} failed: ${awsErrorName(error) ?? 'Error'}: ${message}`, { cause: error });
}
