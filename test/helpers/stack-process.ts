/**
 * The embedded stack (dynalite and s3rver) in a process of its own, so that the emulators' work runs
 * on another core than the handler under test (the benchmark's test/bench/stack.ts). Also the S3
 * event a stored object raises, built as S3 writes it (the in-process stack's event emitter is not
 * reachable across processes).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import type { S3Event } from 'aws-lambda';
import { encodeS3Key } from '../../lib/intake.js';

const ROOT = resolve(import.meta.dirname, '../..');

export interface StackProcess {
  /** The stack's endpoints, credentials, bucket and table names (as the gateway's environment). */
  readonly env: Readonly<Record<string, string>>;
  stop(): void;
}

export function startStackProcess(): Promise<StackProcess> {
  return new Promise((resolvePromise, reject) => {
    const child: ChildProcess = spawn(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'test/bench/stack.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const newline = buffer.indexOf('\n');
      if (newline < 0) return;
      const env = JSON.parse(buffer.slice(0, newline)) as Record<string, string>;
      resolvePromise({ env, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`the stack process exited (${code})`)));
  });
}

/** The `ObjectCreated:Put` notification S3 sends for `key` (key URL-encoded, as S3 does). */
export function objectCreated(bucket: string, key: string, size: number): S3Event {
  return {
    Records: [
      {
        eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: new Date().toISOString(), eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'AWS:ses' }, requestParameters: { sourceIPAddress: '127.0.0.1' }, responseElements: { 'x-amz-request-id': 'r', 'x-amz-id-2': 'i' },
        s3: {
          s3SchemaVersion: '1.0', configurationId: 'inbound',
          bucket: { name: bucket, ownerIdentity: { principalId: 'owner' }, arn: `arn:aws:s3:::${bucket}` },
          object: { key: encodeS3Key(key), size, eTag: '', sequencer: '0' },
        },
      },
    ],
  };
}
