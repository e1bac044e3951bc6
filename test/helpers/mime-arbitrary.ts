/**
 * fast-check generators of hostile MIME: generated structures (nested multiparts, odd charsets and
 * encodings, NUL bytes, huge and numerous headers) and mutations of them (truncation, flipped bytes,
 * broken boundaries).
 */
import fc from 'fast-check';

/**
 * Seeds. Each fuzz test runs twice: once with the fixed {@link FUZZ_REGRESSION_SEEDS} (the cases CI
 * has always run, kept for regressions), and once with {@link FUZZ_EXPLORATION_SEED}, which changes
 * per run and is printed in the test's name (and by fast-check with any counterexample), so that a
 * failure can be replayed: `FUZZ_SEED=<seed> npx vitest run <file>`. FUZZ_RUNS scales the runs.
 */
export const FUZZ_SEED = 20261128;
export const FUZZ_REGRESSION_SEEDS: readonly number[] = [FUZZ_SEED];
export const FUZZ_EXPLORATION_SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 0;
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

/** Message-IDs the fuzz tests' ledgers know (a thread reference to one reaches a ticket), and the ticket each leads to. */
export const KNOWN_THREAD_IDS: Readonly<Record<string, number>> = { 'known-42@fuzz.example': 42, 'known-44@fuzz.example': 44, 'known-7@fuzz.example': 7, 'known-gone@fuzz.example': 999 };

const charsets = fc.constantFrom('utf-8', 'iso-8859-1', 'x-unknown-charset', 'utf-7', 'koi8-r', 'utf-16', '', '"', 'gb2312');
const encodings = fc.constantFrom('7bit', '8bit', 'quoted-printable', 'base64', 'x-uuencode', 'binary', 'bogus');
/** Text that may hold control characters, NUL bytes and any Unicode. */
const wildText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);
const headerName = fc.oneof(
  fc.constantFrom('Subject', 'From', 'To', 'Cc', 'Message-ID', 'In-Reply-To', 'References', 'Date', 'Content-Type', 'Received', 'Delivered-To'),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,30}$/),
);
const header = fc.oneof(
  { arbitrary: fc.tuple(headerName, wildText).map(([name, value]) => `${name}: ${value.replace(/\r?\n/g, '\r\n ')}`), weight: 4 },
  // A thread reference to a Message-ID the ledger knows (or not).
  { arbitrary: fc.tuple(fc.constantFrom('In-Reply-To', 'References'), fc.constantFrom(...Object.keys(KNOWN_THREAD_IDS), 'unknown@fuzz.example')).map(([name, id]) => `${name}: <${id}>`), weight: 1 },
);
const subject = fc.oneof(
  fc.constantFrom('[support-42] hello', 'Re: [SUPPORT-0042] x', '=?utf-8?b?W3N1cHBvcnQtNDJd?=', '=?bogus?q?=FF?= [support-7]', 'Re: [support-44] merged', 'AW: [support-45] merged into a closed one'),
  // Tickets that do not exist, or whose merge chain is broken (60 is merged into a missing 61).
  fc.constantFrom('[support-999] gone', 'Re: [support-60] merged away', 'Fwd: [support-70] loop'),
  wildText,
);

/** Extremes that have broken mail parsers before. */
const extremes = fc.constantFrom(
  `Subject: ${'[support-'.repeat(12_000)}`,
  `X-Big: ${'a'.repeat(100_000)}`,
  Array.from({ length: 3_000 }, (_, i) => `X-H${i}: ${i}`).join('\r\n'),
  `References: ${Array.from({ length: 5_000 }, (_, i) => `<r${i}@x>`).join(' ')}`,
  `Subject: ${'x'.repeat(100_000)}`,
);

type Part = { headers: string[]; body: string } | { boundary: string; parts: Part[] };

const part: fc.Arbitrary<Part> = fc.letrec<{ part: Part }>((tie) => ({
  part: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      headers: fc.tuple(charsets, encodings, fc.constantFrom('text/plain', 'text/html', 'application/octet-stream', 'message/rfc822', 'message/delivery-status', 'image/png')).map(
        ([charset, encoding, type]) => [`Content-Type: ${type}; charset=${charset}; name="f.bin"`, `Content-Transfer-Encoding: ${encoding}`],
      ),
      body: wildText,
    }),
    fc.record({ boundary: fc.stringMatching(/^[A-Za-z0-9'()+_,-./:=?]{1,40}$/), parts: fc.array(tie('part'), { maxLength: 4 }) }),
  ),
})).part;

/** A chain of multiparts nested hundreds deep around one text part. */
const deeplyNested: fc.Arbitrary<Part> = fc.integer({ min: 50, max: 400 }).map((depth) => {
  let node: Part = { headers: ['Content-Type: text/plain'], body: 'deep inside' };
  for (let level = 0; level < depth; level++) node = { boundary: `b${level}`, parts: [node] };
  return node;
});

function render(p: Part): string {
  if ('body' in p) return `${p.headers.join('\r\n')}\r\n\r\n${p.body}`;
  const inner = p.parts.map((child) => `--${p.boundary}\r\n${render(child)}\r\n`).join('');
  return `Content-Type: multipart/mixed; boundary="${p.boundary}"\r\n\r\n${inner}--${p.boundary}--`;
}

const mutation = fc.oneof(
  fc.constant((raw: Buffer) => raw),
  fc.double({ min: 0, max: 1, noNaN: true }).map((at) => (raw: Buffer) => raw.subarray(0, Math.floor(raw.length * at))),
  fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 20 }).map(
    (flips) => (raw: Buffer) => {
      const copy = Buffer.from(raw);
      for (const [at, byte] of flips) if (copy.length > 0) copy[Math.floor((copy.length - 1) * at)] = byte;
      return copy;
    },
  ),
  fc.constant((raw: Buffer) => Buffer.from(raw.toString('latin1').replace(/--[^\r\n]*--/g, ''), 'latin1')),
  fc.constant((raw: Buffer) => Buffer.concat([raw, Buffer.from('\0\0\0--\r\n\r\n')])),
);

/** A raw mail: headers (sometimes extreme), a MIME body tree, then a mutation. Each has a Message-ID of its own. */
export const hostileMime: fc.Arbitrary<Buffer> = fc
  .tuple(subject, fc.array(header, { maxLength: 12 }), fc.option(extremes, { freq: 6 }), fc.oneof({ arbitrary: part, weight: 9 }, { arbitrary: deeplyNested, weight: 1 }), mutation, fc.boolean(), fc.uuid())
  .map(([subj, headers, extreme, body, mutate, crlf, id]) => {
    const text = [`Subject: ${subj}`, 'From: a@example.com', 'To: support@helpdesk.example', `Message-ID: <fuzz-${id}@x>`, ...headers, ...(extreme ? [extreme] : []), render(body)].join('\r\n');
    return mutate(Buffer.from(crlf ? text : text.replace(/\r\n/g, '\n'), 'latin1'));
  });
