/**
 * Mapping AWS SDK failures onto the gateway's error classes: one table says which failures a later
 * attempt can get past (transient: the mail is retried) and which the same input can never get
 * past (permanent: the mail becomes a recorded `unstorable` skip).
 */
import { TransientError, UnstorableError } from '../errors.js';

/** Whether sending the same request again can succeed. */
export type FailureKind = 'transient' | 'permanent';

/**
 * Every AWS error name (and Node error code) the gateway knows, with its kind. A failure not listed
 * here is transient: retrying is always safe (every write is conditional), and a mail that keeps
 * failing reaches the dead-letter queue, which pages.
 *
 * Permanent — the request is invalid for what this mail put into it:
 * - DynamoDB `ValidationException`: among others an item over 400 KB, a key over 2,048 bytes, an
 *   empty string key ("Item size has exceeded the maximum allowed size"; DynamoDB developer guide,
 *   "Service, account, and table quotas", and the API reference's common errors).
 * - S3 `InvalidArgument`, `KeyTooLongError` (keys over 1,024 bytes), `MetadataTooLarge` (user
 *   metadata over 2 KB), `EntityTooLarge`, `InvalidTag` (S3 API reference, "Error responses").
 * - Node's HTTP client refusing a header value it cannot send (`ERR_INVALID_CHAR`,
 *   `ERR_HTTP_INVALID_HEADER_VALUE`): a non-ASCII S3 metadata value, thrown as a `TypeError`
 *   before any byte is sent.
 *
 * Transient — the service, the network or the deployment, not the mail: throttling, 5xx, timeouts,
 * connection errors, and credential or permission errors (a fixed role or key makes them pass).
 */
export const AWS_FAILURE_KINDS = {
  ValidationException: 'permanent',
  InvalidArgument: 'permanent',
  KeyTooLongError: 'permanent',
  MetadataTooLarge: 'permanent',
  EntityTooLarge: 'permanent',
  InvalidTag: 'permanent',
  ERR_INVALID_CHAR: 'permanent',
  ERR_HTTP_INVALID_HEADER_VALUE: 'permanent',

  ThrottlingException: 'transient',
  Throttling: 'transient',
  ProvisionedThroughputExceededException: 'transient',
  RequestLimitExceeded: 'transient',
  TooManyRequestsException: 'transient',
  SlowDown: 'transient',
  InternalServerError: 'transient',
  InternalError: 'transient',
  ServiceUnavailable: 'transient',
  ServiceUnavailableException: 'transient',
  RequestTimeout: 'transient',
  RequestTimeoutException: 'transient',
  TimeoutError: 'transient',
  ECONNRESET: 'transient',
  ECONNREFUSED: 'transient',
  ECONNABORTED: 'transient',
  ETIMEDOUT: 'transient',
  EPIPE: 'transient',
  ENOTFOUND: 'transient',
  EAI_AGAIN: 'transient',
  AccessDenied: 'transient',
  AccessDeniedException: 'transient',
  UnrecognizedClientException: 'transient',
  InvalidAccessKeyId: 'transient',
  InvalidSignatureException: 'transient',
  SignatureDoesNotMatch: 'transient',
  ExpiredToken: 'transient',
  ExpiredTokenException: 'transient',
  CredentialsProviderError: 'transient',
  ResourceNotFoundException: 'transient',
  NoSuchBucket: 'transient',
} as const satisfies Record<string, FailureKind>;

/** The SDK error name, when the value is an SDK (or Node network) error. */
export function awsErrorName(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof name === 'string' && name !== 'Error') return name;
  return typeof code === 'string' ? code : undefined;
}

/** The table entry that names this failure: its Node error code first, then its error name. */
function knownName(error: unknown): keyof typeof AWS_FAILURE_KINDS | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { name, code } = error as { name?: unknown; code?: unknown };
  for (const candidate of [code, name]) {
    if (typeof candidate === 'string' && Object.hasOwn(AWS_FAILURE_KINDS, candidate)) return candidate as keyof typeof AWS_FAILURE_KINDS;
  }
  return undefined;
}

/** What kind of failure this is, by {@link AWS_FAILURE_KINDS}; unknown failures are transient. */
export function failureKindOf(error: unknown): FailureKind {
  const known = knownName(error);
  return known === undefined ? 'transient' : AWS_FAILURE_KINDS[known];
}

/**
 * Wraps an AWS call's failure as the gateway error its kind calls for: {@link UnstorableError} for a
 * permanent one, {@link TransientError} otherwise. Domain results such as a failed condition are
 * handled by the adapters before this is reached.
 */
export function asAwsFailure(operation: string, error: unknown): TransientError | UnstorableError {
  const message = error instanceof Error ? error.message : String(error);
  if (failureKindOf(error) === 'permanent') {
    // Stryker disable next-line StringLiteral: equivalent, a permanent failure is one the table names, so knownName is never undefined here
    return new UnstorableError(operation, knownName(error) ?? 'Error', message, { cause: error });
  }
  return new TransientError(`${operation} failed: ${awsErrorName(error) ?? 'Error'}: ${message}`, { cause: error });
}

/**
 * Wraps a failure that is transient whatever it is (reading a stream that broke off), as a
 * {@link TransientError}.
 */
export function asTransient(operation: string, error: unknown): TransientError {
  const message = error instanceof Error ? error.message : String(error);
  return new TransientError(`${operation} failed: ${awsErrorName(error) ?? 'Error'}: ${message}`, { cause: error });
}
