/**
 * Runs the real handler module on one event in a process of its own, so that a test can kill the
 * process in the middle (SIGKILL: no catch, no finally, nothing flushed). The environment is the
 * gateway's, as the parent passes it; the event is argv[2] as JSON.
 * usage: tsx test/helpers/handle-in-child.ts '<event json>'
 */
const event: unknown = JSON.parse(process.argv[2] ?? 'null');
const { handler } = (await import('../../functions/ingest-mail.js')) as { handler: (event: unknown) => Promise<unknown> };
process.stdout.write('ready\n');
await handler(event).catch(() => undefined);
process.stdout.write('done\n');
