/**
 * The embedded local stack: dynalite (DynamoDB), s3rver (S3), a minimal EventBridge
 * (`eventbridge-server.ts`) and aws-ses-v2-local (SES v2, which keeps what was sent) in this
 * process, on 127.0.0.1 and random ports, with the tables, the bucket and the event bus created. The gateway's own code reaches them through
 * the SDK's standard endpoint variables, exactly as it reaches AWS.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { encodeS3Key } from '../intake.js';
import { startLocalEventBridge, type LocalEventBridge } from './eventbridge-server.js';
import { startLocalSes, type LocalSes } from './ses-server.js';
import { LOCAL_AWS_ENV } from './shell-isolation.js';
import { messagesTableDefinition, noticesTableDefinition, ticketsTableDefinition } from './tables.js';

/** Names the local run and the tests use. */
export const LOCAL_NAMES = {
  bucket: 'helpdesk-mail-local',
  ticketsTable: 'helpdesk-tickets-local',
  messagesTable: 'helpdesk-messages-local',
  noticesTable: 'helpdesk-notices-local',
  eventBus: 'helpdesk-events-local',
} as const;

export interface EmbeddedStack {
  /** Environment for the gateway: endpoints, credentials, table and bucket names. */
  readonly env: Readonly<Record<string, string>>;
  readonly names: typeof LOCAL_NAMES;
  /** The local EventBridge: what the gateway published, as `PutEvents` received it. */
  readonly eventBridge: LocalEventBridge;
  /** The local SES v2: the sender notices the gateway sent. */
  readonly ses: LocalSes;
  /** Resolves with the S3 event notification s3rver raises when `key` is next created. */
  nextObjectCreated(key: string): Promise<S3Event>;
  stop(): Promise<void>;
}

function listen(server: Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address() as AddressInfo));
  });
}

function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * The region and credentials of the local run (`shell-isolation.ts`): s3rver insists on its keys; dynalite takes any. Both are local: no AWS account is touched.
 * The SDK keeps its default checksum settings, as on Lambda: s3rver would store an aws-chunked body
 * with a trailing checksum corrupted, but the gateway sends none (its multipart upload puts each
 * part's CRC32 in a header, lib/adapters/s3-streaming-upload.ts), so no relaxation is needed here.
 */
function gatewayEnv(s3Port: number, dynamoPort: number, eventBridge: LocalEventBridge, ses: LocalSes): Record<string, string> {
  return {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${s3Port}`,
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${dynamoPort}`,
    AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
    // The SDK reads AWS_ENDPOINT_URL_<serviceId>, upper-cased: SES v2's serviceId is "SESv2".
    AWS_ENDPOINT_URL_SESV2: ses.endpoint,
    MAIL_BUCKET: LOCAL_NAMES.bucket,
    TICKETS_TABLE: LOCAL_NAMES.ticketsTable,
    MESSAGES_TABLE: LOCAL_NAMES.messagesTable,
    EVENT_BUS_NAME: LOCAL_NAMES.eventBus,
    // Sender notices stay off unless SENDER_NOTICES=true (npm start and the notice tests set it).
    NOTICES_TABLE: LOCAL_NAMES.noticesTable,
  };
}

/** Starts both servers and creates the tables and the bucket. */
export async function startEmbeddedStack(): Promise<EmbeddedStack> {
  const directory = await mkdtemp(join(tmpdir(), 'helpdesk-s3-'));
  const dynamoServer = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const s3rver = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory });
  const eventBridge = await startLocalEventBridge({ buses: [LOCAL_NAMES.eventBus] });
  const ses = await startLocalSes();
  const waiting = new Map<string, (event: S3Event) => void>();
  s3rver.on('event', (event: S3Event) => {
    for (const record of event.Records) {
      // s3rver writes keys raw; real S3 URL-encodes them in notifications. Do as S3 does.
      const raw = record.s3.object.key;
      record.s3.object.key = encodeS3Key(raw);
      waiting.get(raw)?.(event);
      waiting.delete(raw);
    }
  });

  const stop = async () => {
    await Promise.all([closeServer(dynamoServer), closeServer(s3rver.httpServer), eventBridge.stop(), ses.stop()]);
    await rm(directory, { recursive: true, force: true });
  };

  try {
    const [dynamoAddress, s3Address] = await Promise.all([listen(dynamoServer), s3rver.run()]);
    const env = gatewayEnv(s3Address.port, dynamoAddress.port, eventBridge, ses);
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID as string, secretAccessKey: env.AWS_SECRET_ACCESS_KEY as string };
    const dynamo = new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials });
    const s3 = new S3Client({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_S3, credentials, forcePathStyle: true });
    await dynamo.send(new CreateTableCommand(ticketsTableDefinition(LOCAL_NAMES.ticketsTable)));
    await dynamo.send(new CreateTableCommand(messagesTableDefinition(LOCAL_NAMES.messagesTable)));
    await dynamo.send(new CreateTableCommand(noticesTableDefinition(LOCAL_NAMES.noticesTable)));
    await s3.send(new CreateBucketCommand({ Bucket: LOCAL_NAMES.bucket }));
    dynamo.destroy();
    s3.destroy();
    return {
      env,
      names: LOCAL_NAMES,
      eventBridge,
      ses,
      nextObjectCreated: (key) => new Promise((resolve) => waiting.set(key, resolve)),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
