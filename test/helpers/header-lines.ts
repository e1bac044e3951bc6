/** The raw header lines of a mail, as the gateway's streaming parser (mailparser) hands them over. */
import { readFileSync } from 'node:fs';
import { MailParser, type HeaderLines } from 'mailparser';

/** A fixture mail of `test/fixtures/trust/` (copies of the trust cases in ../shared/cases). */
export function trustFixture(name: string): Buffer {
  return readFileSync(new URL(`../fixtures/trust/${name}`, import.meta.url));
}

/** mailparser's `headerLines` of a raw mail: lower-case name and the raw line (binary string), topmost first. */
export async function headerLinesOf(raw: Buffer | string): Promise<HeaderLines> {
  const parser = new MailParser();
  const lines = new Promise<HeaderLines>((resolve, reject) => {
    parser.once('headerLines', resolve);
    parser.once('error', reject);
  });
  parser.on('data', () => undefined);
  parser.end(typeof raw === 'string' ? Buffer.from(raw) : raw);
  return lines;
}
