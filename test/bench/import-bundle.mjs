// Imports the deployed bundle as the Lambda runtime does (module evaluation, configuration,
// clients), and exits. Timed from outside, whole process.
import { pathToFileURL } from 'node:url';

const { handler } = await import(pathToFileURL(process.argv[2]).href);
if (typeof handler !== 'function') throw new Error('the bundle exports no handler');
