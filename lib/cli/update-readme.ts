/** `npm run docs`: regenerates the README's tables from the code's definitions. */
import { readFile, writeFile } from 'node:fs/promises';
import { renderReadme } from '../readme-tables.js';

const path = new URL('../../README.md', import.meta.url);
const before = await readFile(path, 'utf8');
const after = renderReadme(before);
await writeFile(path, after);
process.stdout.write(before === after ? 'README.md is up to date\n' : 'README.md tables regenerated\n');
