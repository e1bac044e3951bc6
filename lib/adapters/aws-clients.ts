/** AWS SDK clients, built once per container and shared by the adapters. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsClients {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
}

/** One AWS call as the SDK starts it (once per call, however often the SDK retries it). */
export interface AwsCall {
  readonly client: string;
  readonly command: string;
}

const observers = new Set<(call: AwsCall) => void>();

/**
 * Tells `observer` about every AWS call the gateway's clients make from now on; answers the
 * function that stops it. The benchmark and the tests count calls per mail with it.
 */
export function observeAwsCalls(observer: (call: AwsCall) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

export interface ObservableClient {
  middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void };
}

/** Reports every call of `client` to the observers of {@link observeAwsCalls}. */
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
  return client;
}

/**
 * Builds the clients. Endpoints come from the SDK's own `AWS_ENDPOINT_URL_S3` /
 * `AWS_ENDPOINT_URL_DYNAMODB` variables; when a custom S3 endpoint is set (a local S3 server),
 * path-style addressing is used because such servers have no per-bucket host names.
 */
export function createAwsClients(env: Readonly<Record<string, string | undefined>> = process.env): AwsClients {
  const customS3 = Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
  const s3 = observed(new S3Client({ forcePathStyle: customS3 }));
  const dynamo = DynamoDBDocumentClient.from(observed(new DynamoDBClient({})), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { s3, dynamo };
}
