/** AWS SDK clients, built once per container and shared by the adapters. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

export interface AwsClients {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
}

/**
 * Builds the clients. Endpoints come from the SDK's own `AWS_ENDPOINT_URL_S3` /
 * `AWS_ENDPOINT_URL_DYNAMODB` variables; when a custom S3 endpoint is set (a local S3 server),
 * path-style addressing is used because such servers have no per-bucket host names.
 */
export function createAwsClients(env: Readonly<Record<string, string | undefined>> = process.env): AwsClients {
  const customS3 = Boolean(env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL);
  const s3 = new S3Client({ forcePathStyle: customS3 });
  const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { s3, dynamo };
}
