/**
 * SDK clients for tests: plain clients at an endpoint of the local stack (or of a proxy in front of
 * it), and the gateway's own clients for one test file, closed after it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll } from 'vitest';
import { createAwsClients, destroyAwsClients, type AwsClients } from '../../lib/adapters/aws-clients.js';

export { destroyAwsClients };

/** The stack's environment, as `gateway.stack.env` holds it: the region and the local keys. */
type StackEnv = Readonly<Record<string, string | undefined>>;

const credentialsOf = (env: StackEnv) => ({ accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' });

/** A plain (unobserved) S3 client at `endpoint`, path-style, with the region and keys of `env`. */
export function s3ClientAt(env: StackEnv, endpoint: string | undefined): S3Client {
  return new S3Client({ region: env.AWS_REGION, endpoint, forcePathStyle: true, credentials: credentialsOf(env) });
}

/**
 * A plain (unobserved) DynamoDB client at `endpoint`, with the region and keys of `env`. Wrap it
 * with `DynamoDBDocumentClient.from` as needed, and destroy this one: the document client's own
 * `destroy()` does nothing.
 */
export function dynamoDbClientAt(env: StackEnv, endpoint: string | undefined): DynamoDBClient {
  return new DynamoDBClient({ region: env.AWS_REGION, endpoint, credentials: credentialsOf(env) });
}

/**
 * Registers beforeAll/afterAll hooks that make the gateway's own clients (`createAwsClients()`,
 * observed) for this file and close them after it. Call it after `useGateway()`: the clients read
 * the endpoints from the environment the gateway sets in its own beforeAll.
 */
export function useAwsClients(): AwsClients {
  let clients: AwsClients | undefined;
  beforeAll(() => {
    clients = createAwsClients();
  });
  afterAll(() => {
    if (clients) destroyAwsClients(clients);
  });
  const made = (): AwsClients => {
    if (!clients) throw new Error('the AWS clients are made in beforeAll: use them in a test or a later hook');
    return clients;
  };
  return {
    get s3() {
      return made().s3;
    },
    get dynamo() {
      return made().dynamo;
    },
  };
}
