/**
 * A local SES v2 for the local run and the tests: aws-ses-v2-local (npm), an in-process server
 * that serves the SES v2 API (`SendEmail` at `/v2/email/outbound-emails`) and keeps every mail it
 * was given; `GET /store` lists them. The gateway reaches it through `AWS_ENDPOINT_URL_SESV2`,
 * exactly as it reaches SES.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocal from 'aws-ses-v2-local';

/** One mail as aws-ses-v2-local keeps it (the fields the gateway's notices fill). */
export interface SentMail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: readonly string[]; readonly cc: readonly string[]; readonly bcc: readonly string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  readonly headers?: readonly { readonly name: string; readonly value: string }[];
  /** When it was sent, in epoch seconds. */
  readonly at: number;
}

export interface LocalSes {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_SESV2`. */
  readonly endpoint: string;
  /** Every mail sent so far, oldest first. */
  sent(): Promise<SentMail[]>;
  stop(): Promise<void>;
}

type StartServer = (config?: { host?: string; port?: number }) => Promise<Server>;

/** Starts aws-ses-v2-local on 127.0.0.1 and a random port. */
export async function startLocalSes(): Promise<LocalSes> {
  // A CommonJS module with `exports.default`: ESM sees the exports object as its default.
  const module = sesLocal as unknown as { default?: StartServer } & StartServer;
  const start = typeof module.default === 'function' ? module.default : module;
  const server = await start({ host: '127.0.0.1', port: 0 });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    async sent() {
      const response = await fetch(`${endpoint}/store`);
      if (!response.ok) throw new Error(`aws-ses-v2-local /store answered ${response.status}`);
      return ((await response.json()) as { emails: SentMail[] }).emails;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
