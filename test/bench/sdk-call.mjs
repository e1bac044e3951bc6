// The CPU one AWS call costs this process, for the floor in BENCHMARKS.md: a DynamoDB GetItem of
// one ticket through the SDK (its middleware, SigV4, HTTP with keep-alive), 300 times after 30 to
// warm up, against the benchmark's stack in another process; writes the CPU ms per call.
// usage: node sdk-call.mjs <results.json> <table>   (the stack's endpoint and credentials in env)
import { writeFile } from 'node:fs/promises';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const [resultsFile, table] = process.argv.slice(2);
const client = new DynamoDBClient({});
const call = () => client.send(new GetItemCommand({ TableName: table, Key: { id: { N: '42' } } }));
for (let i = 0; i < 30; i++) await call();
const calls = 300;
const start = process.cpuUsage();
for (let i = 0; i < calls; i++) await call();
const cpu = process.cpuUsage(start);
client.destroy();
await writeFile(resultsFile, JSON.stringify({ cpuMsPerCall: (cpu.user + cpu.system) / 1000 / calls }));
