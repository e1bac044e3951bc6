/**
 * The benchmark's local DynamoDB and S3, in a process of their own so that their work is not
 * counted against the gateway. Prints one JSON line (the environment) when ready; stops on SIGTERM.
 */
import { startEmbeddedStack } from '../../lib/local/embedded-stack.js';
import { seedTickets } from '../../lib/local/seed.js';

const stack = await startEmbeddedStack();
await seedTickets(stack.env, { tickets: stack.names.ticketsTable, messages: stack.names.messagesTable }, [
  { id: 42, queue: 'support', status: 'open', title: 'Printer jams', submitter: 'alice@example.com', cc: [] },
]);
process.stdout.write(`${JSON.stringify(stack.env)}\n`);
const stop = () => {
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
