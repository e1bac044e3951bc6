/** Errors of the gateway, one base class and a named subclass per kind of failure. */

/** Base class of every error the gateway raises on purpose. */
export class GatewayError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration variable is missing or malformed. Thrown at cold start, never per mail. */
export class ConfigError extends GatewayError {
  constructor(
    /** The environment variable at fault. */
    readonly variable: string,
    /** What was expected, in words. */
    readonly expected: string,
    /** The offending value, when there was one. */
    readonly value?: string,
  ) {
    super(
      value === undefined
        ? `${variable} is not set: expected ${expected}`
        : `${variable}=${JSON.stringify(value)} is invalid: expected ${expected}`,
    );
  }
}

/**
 * A secret variable (or the parameter it names) is malformed: the message says how long the value
 * is, never what it is.
 */
export class SecretConfigError extends ConfigError {
  constructor(variable: string, expected: string, length: number) {
    super(variable, expected);
    this.message = `${variable} is invalid (a value of ${length} characters, not shown): expected ${expected}`;
  }
}

/**
 * An infrastructure failure that a later attempt can get past (throttling, 5xx, timeouts, resets).
 * The mail must be delivered again: thrown for S3 and SES events, a batch item failure for SQS.
 */
export class TransientError extends GatewayError {}

/** The S3 object the event names does not exist (any more). A retry cannot help. */
export class ObjectMissingError extends GatewayError {
  constructor(
    readonly bucket: string,
    readonly key: string,
    options?: ErrorOptions,
  ) {
    super(`s3://${bucket}/${key} does not exist`, options);
  }
}

/**
 * An AWS service refused a request built from this mail for what the mail put into it (DynamoDB's
 * `ValidationException` for an item over 400 KB, S3's `KeyTooLongError` or `MetadataTooLarge`, a
 * header value Node's HTTP client will not send). Sending the same request again cannot succeed,
 * so the mail becomes a recorded skip (`unstorable`) instead of being retried until the
 * dead-letter queue. Which failures count as this is one table: `AWS_FAILURE_KINDS` in
 * `lib/adapters/aws-errors.ts`.
 */
export class UnstorableError extends GatewayError {
  constructor(
    /** What the gateway was doing, e.g. `PutItem ticket 42`. */
    readonly operation: string,
    /** The AWS error name (or Node error code) that was answered. */
    readonly awsError: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${operation} was refused: ${awsError}: ${message}`, options);
  }
}

/** The mail could not be parsed as MIME at all. */
export class MalformedMailError extends GatewayError {}

/** The Lambda was invoked with an event it does not understand. */
export class UnsupportedEventError extends GatewayError {}

/** A ledger key is already used in a way that rules the requested write out. */
export class LedgerConflictError extends GatewayError {}

/**
 * Another stored mail holds this mail's Message-ID, but with other content: this one is a
 * distinct mail, to be processed again under a key of its own (`<Message-ID key>#<fingerprint>`).
 * Raised and handled inside the pipeline; never an outcome.
 */
export class DistinctMailError extends GatewayError {
  constructor(
    /** The fingerprint of this mail's header block (`pipeline/fingerprint.ts`, `headerBlock`): its key of its own. */
    readonly fingerprint: string,
    readonly messageKey: string,
  ) {
    super(`${messageKey} is held by another mail with other content`);
  }
}
