/**
 * The one table of AWS failures, class by class: what the same input can never get past becomes an
 * `UnstorableError` (a recorded skip), everything else a `TransientError` (a retry). The errors are
 * built the way the SDK and Node build them (name, code, `$fault`, HTTP status).
 */
import { describe, expect, it } from 'vitest';
import { AWS_FAILURE_KINDS, asAwsFailure, asTransient, awsErrorName, failureKindOf } from '../../lib/adapters/aws-errors.js';
import { TransientError, UnstorableError } from '../../lib/errors.js';

/** An error as the SDK throws it for a service answer. */
function serviceError(name: string, status: number, message = 'as the service said'): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

/** An error as Node throws it (network, or the HTTP client refusing a header). */
function nodeError(code: string, name = 'Error', message = 'as Node said'): Error {
  const error = Object.assign(new Error(message), { code });
  error.name = name;
  return error;
}

const PERMANENT: [string, Error][] = [
  ['DynamoDB: an item over 400 KB', serviceError('ValidationException', 400, 'Item size has exceeded the maximum allowed size')],
  ['DynamoDB: a key attribute over 2048 bytes', serviceError('ValidationException', 400, 'One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes')],
  ['S3: an invalid argument', serviceError('InvalidArgument', 400)],
  ['S3: a key over 1024 bytes', serviceError('KeyTooLongError', 400, 'Your key is too long')],
  ['S3: user metadata over 2 KB', serviceError('MetadataTooLarge', 400, 'Your metadata headers exceed the maximum allowed metadata size')],
  ['S3: an object over the maximum size', serviceError('EntityTooLarge', 400)],
  ['S3: an invalid tag', serviceError('InvalidTag', 400)],
  ['Node: a non-ASCII header value', nodeError('ERR_INVALID_CHAR', 'TypeError', 'Invalid character in header content ["x-amz-meta-original-content-type"]')],
  ['Node: an invalid header value', nodeError('ERR_HTTP_INVALID_HEADER_VALUE', 'TypeError', 'Invalid value "undefined" for header "x"')],
];

const TRANSIENT: [string, Error][] = [
  ['DynamoDB throttling', serviceError('ProvisionedThroughputExceededException', 400)],
  ['DynamoDB throttling (on-demand)', serviceError('ThrottlingException', 400)],
  ['S3 throttling', serviceError('SlowDown', 503)],
  ['a request limit', serviceError('RequestLimitExceeded', 400)],
  ['a 500', serviceError('InternalServerError', 500)],
  ['an S3 500', serviceError('InternalError', 500)],
  ['a 503', serviceError('ServiceUnavailable', 503)],
  ['an S3 request timeout', serviceError('RequestTimeout', 400)],
  ['an SDK timeout', nodeError('ETIMEDOUT', 'TimeoutError')],
  ['a reset connection', nodeError('ECONNRESET')],
  ['a refused connection', nodeError('ECONNREFUSED')],
  ['a DNS failure', nodeError('EAI_AGAIN')],
  ['a broken pipe', nodeError('EPIPE')],
  ['a permission missing after a bad deploy', serviceError('AccessDeniedException', 400)],
  ['an S3 permission missing', serviceError('AccessDenied', 403)],
  ['expired credentials', serviceError('ExpiredTokenException', 400)],
  ['unknown credentials', serviceError('UnrecognizedClientException', 400)],
  ['no credentials at all', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })],
  ['a table not deployed', serviceError('ResourceNotFoundException', 400)],
  ['a bucket not deployed', serviceError('NoSuchBucket', 404)],
];

describe('the AWS failure table', () => {
  it.each(PERMANENT)('%s is permanent: an UnstorableError naming the AWS error', (_label, error) => {
    const wrapped = asAwsFailure('PutItem ledger entry', error);
    expect(wrapped).toBeInstanceOf(UnstorableError);
    expect(wrapped.message).toContain('PutItem ledger entry');
    expect(wrapped.message).toContain(error.message);
    expect((wrapped as UnstorableError).awsError).toBe((error as { code?: string }).code ?? error.name);
    expect(wrapped.cause).toBe(error);
  });

  it.each(TRANSIENT)('%s is transient: a TransientError', (_label, error) => {
    const wrapped = asAwsFailure('PutItem ledger entry', error);
    expect(wrapped).toBeInstanceOf(TransientError);
    expect(wrapped.cause).toBe(error);
  });

  it('treats a failure it does not know as transient (retrying is safe; the dead-letter queue pages)', () => {
    expect(failureKindOf(serviceError('SomethingNewException', 400))).toBe('transient');
    expect(failureKindOf(new Error('plain'))).toBe('transient');
    expect(failureKindOf('a string')).toBe('transient');
    expect(asAwsFailure('x', 'a string')).toBeInstanceOf(TransientError);
  });

  it('has a case above for every row of the table', () => {
    const named = [...PERMANENT, ...TRANSIENT].map(([, e]) => (e as { code?: string }).code ?? e.name);
    for (const [name, kind] of Object.entries(AWS_FAILURE_KINDS)) {
      if (kind === 'permanent') expect(named, name).toContain(name);
    }
    expect(Object.values(AWS_FAILURE_KINDS).filter((k) => k === 'permanent')).toHaveLength(PERMANENT.length - 1);
  });

  it('says which operation failed, with the AWS name (or Node code) and message, in a transient failure', () => {
    expect(asAwsFailure('GetObject raw mail', serviceError('SlowDown', 503, 'Please reduce your request rate.')).message).toBe(
      'GetObject raw mail failed: SlowDown: Please reduce your request rate.',
    );
    expect(asAwsFailure('PutItem ledger entry', nodeError('ECONNRESET', 'Error', 'socket hang up')).message).toBe(
      'PutItem ledger entry failed: ECONNRESET: socket hang up',
    );
    expect(asAwsFailure('PutItem ledger entry', new Error('plain')).message).toBe('PutItem ledger entry failed: Error: plain');
    expect(asAwsFailure('PutItem ledger entry', 'a string').message).toBe('PutItem ledger entry failed: Error: a string');
  });

  it('wraps any failure of a stream as transient, keeping it as the cause', () => {
    const broken = nodeError('ECONNRESET', 'Error', 'aborted');
    const wrapped = asTransient('reading raw mail', broken);
    expect(wrapped).toBeInstanceOf(TransientError);
    expect(wrapped.message).toBe('reading raw mail failed: ECONNRESET: aborted');
    expect(wrapped.cause).toBe(broken);
    // Even a failure the table calls permanent: a stream that broke off is read again.
    expect(asTransient('reading raw mail', serviceError('InvalidArgument', 400, 'bad'))).toBeInstanceOf(TransientError);
    expect(asTransient('reading raw mail', 42).message).toBe('reading raw mail failed: Error: 42');
  });

  it('names an error by its SDK name, else by its Node code, and a value that is no error by nothing', () => {
    expect(awsErrorName(serviceError('NoSuchKey', 404))).toBe('NoSuchKey');
    expect(awsErrorName(nodeError('ETIMEDOUT', 'TimeoutError'))).toBe('TimeoutError');
    expect(awsErrorName(nodeError('EPIPE'))).toBe('EPIPE');
    expect(awsErrorName(new Error('plain'))).toBeUndefined();
    expect(awsErrorName({ name: 7, code: 'EPIPE' })).toBe('EPIPE');
    expect(awsErrorName({ code: 7 })).toBeUndefined();
    expect(awsErrorName(null)).toBeUndefined();
    expect(awsErrorName(undefined)).toBeUndefined();
    expect(awsErrorName('ECONNRESET')).toBeUndefined();
  });

  it('looks a failure up by its Node code before its name, and takes no value that is no error for a known one', () => {
    // Node's HTTP client throws a TypeError whose code says what it is.
    expect(failureKindOf(nodeError('ERR_INVALID_CHAR', 'TypeError'))).toBe('permanent');
    // Both known, of different kinds: the code decides (a reset connection while sending an invalid item).
    expect(failureKindOf({ name: 'ValidationException', code: 'ECONNRESET' })).toBe('transient');
    expect(failureKindOf({ name: 'SlowDown', code: 'ERR_INVALID_CHAR' })).toBe('permanent');
    // A code the table does not know leaves the name to decide.
    expect(failureKindOf(Object.assign(serviceError('ValidationException', 400), { code: 'SomethingElse' }))).toBe('permanent');
    expect(failureKindOf(null)).toBe('transient');
    expect(failureKindOf(undefined)).toBe('transient');
    expect(failureKindOf('ValidationException')).toBe('transient');
    expect(failureKindOf({ name: 'toString' })).toBe('transient');
  });
});
