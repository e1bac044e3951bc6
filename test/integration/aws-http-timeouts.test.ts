/**
 * An AWS endpoint that goes silent: the call fails as transient once its connection has been silent
 * for the client's socket timeout, instead of waiting for ever (the SDK's default). A server that
 * accepts a request and never answers it, and an S3 GetObject whose body stops mid-way with the
 * connection left open, both read through the real adapters and the real parse. The timeouts are
 * the clients' own, shortened here so that the test does not wait 10 or 30 seconds; the defaults
 * are checked as the built clients hold them. (No AWS server fakes silence: a plain socket server
 * plays the endpoint.)
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AWS_HTTP_TIMEOUTS, createAwsClients, destroyAwsClients } from '../../lib/adapters/aws-clients.js';
import { DynamoTicketStore } from '../../lib/adapters/dynamodb-ticket-store.js';
import { S3RawMailStore } from '../../lib/adapters/s3-raw-mail-store.js';
import { TransientError } from '../../lib/errors.js';
import { DRAIN_ATTACHMENTS, parseMail } from '../../lib/mail/parse.js';

const SHORT = { connectionTimeout: 1_000, socketTimeout: 300 };
const MAIL = Buffer.from(`From: a@example.org\r\nTo: support@helpdesk.example\r\nSubject: silence\r\n\r\n${'a line of the body\r\n'.repeat(20_000)}`);

let endpoint: HttpServer;
const sockets = new Set<Socket>();

beforeAll(async () => {
  // One endpoint for both clients: GetObject of `inbound/stalls.eml` is answered with the mail's
  // headers and its first half, then nothing more; a DynamoDB call on the table `answered` gets an
  // empty answer (no item); every other request is read and never answered.
  endpoint = createHttpServer(async (request, response) => {
    sockets.add(request.socket);
    if (request.method === 'GET' && request.url?.includes('/inbound/stalls.eml')) {
      request.resume();
      response.writeHead(200, { 'content-type': 'message/rfc822', 'content-length': String(MAIL.length) });
      response.write(MAIL.subarray(0, MAIL.length / 2));
      return;
    }
    let body = '';
    for await (const chunk of request) body += String(chunk);
    if (body.includes('"TableName":"answered"')) response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}');
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(endpoint.address() as { port: number }).port}`;
  // The SDK reads its endpoints and attempts from the environment, as on Lambda.
  Object.assign(process.env, { AWS_ENDPOINT_URL_S3: url, AWS_ENDPOINT_URL_DYNAMODB: url, AWS_MAX_ATTEMPTS: '1' });
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => endpoint.close(resolve));
});

const shortened = () => createAwsClients(process.env, { s3: SHORT, api: SHORT });

describe('an AWS endpoint that goes silent', () => {
  it('fails a DynamoDB call that is never answered, as transient', async () => {
    const clients = shortened();
    try {
      const failure = await new DynamoTicketStore(clients.dynamo, 'tickets').get(42).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TransientError);
      expect((failure as Error).message).toMatch(/^GetItem ticket 42 failed: .*socket timed out after 300 ms of inactivity/);
    } finally {
      destroyAwsClients(clients);
    }
  });

  it('fails an S3 GetObject that is never answered, as transient', async () => {
    const clients = shortened();
    try {
      const failure = await new S3RawMailStore(clients.s3, 'mail').open({ bucket: 'mail', key: 'inbound/a.eml' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TransientError);
      expect((failure as Error).message).toMatch(/^GetObject s3:\/\/mail\/inbound\/a\.eml failed: .*socket timed out after 300 ms of inactivity/);
    } finally {
      destroyAwsClients(clients);
    }
  });

  it('fails the read of a raw mail whose body stops mid-way with its connection open, as transient', async () => {
    const clients = shortened();
    try {
      const { body, size } = await new S3RawMailStore(clients.s3, 'mail').open({ bucket: 'mail', key: 'inbound/stalls.eml' });
      expect(size).toBe(MAIL.length);
      const failure = await parseMail(body, { onHeaders: async () => DRAIN_ATTACHMENTS }, undefined, size).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TransientError);
      expect((failure as Error).message).toMatch(/^reading the raw mail failed: .*socket timed out after 300 ms of inactivity/);
    } finally {
      destroyAwsClients(clients);
    }
  });

  it('is what the gateway\'s clients are built with: seconds to connect, 10 s of silence for DynamoDB, 30 s for S3', async () => {
    expect(AWS_HTTP_TIMEOUTS).toEqual({ api: { connectionTimeout: 3_000, socketTimeout: 10_000 }, s3: { connectionTimeout: 3_000, socketTimeout: 30_000 } });
    // Built as the handler builds them; the HTTP handler resolves its settings on the first request.
    const clients = createAwsClients();
    try {
      const { body } = await new S3RawMailStore(clients.s3, 'mail').open({ bucket: 'mail', key: 'inbound/stalls.eml' });
      body.destroy();
      expect(await new DynamoTicketStore(clients.dynamo, 'answered').get(42)).toBeNull();
      const settings = (client: { config: { requestHandler: unknown } }) => (client.config.requestHandler as { httpHandlerConfigs(): unknown }).httpHandlerConfigs();
      expect(settings(clients.s3)).toMatchObject(AWS_HTTP_TIMEOUTS.s3);
      expect(settings(clients.dynamo)).toMatchObject(AWS_HTTP_TIMEOUTS.api);
    } finally {
      destroyAwsClients(clients);
    }
  });
});
