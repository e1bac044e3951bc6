/**
 * The bounds on the bytes of a container part read to be opened (`container-parts.ts`), as
 * `parseMail` applies them: S/MIME layers open at once share one bound (the bytes a layer holds are
 * given back when it is done), TNEF has its own, and a part over its bound is kept whole and noted
 * (with the bound) instead of opened.
 *
 * The bounds are lowered here (a mocked `container-parts.ts`: 48 KiB for S/MIME, 96 KiB for TNEF,
 * so that the two differ) so that each case is a mail of a few dozen KiB instead of 32 MiB; the
 * code under test reads them from that module as it reads the real ones.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_SMIME_BYTES, MAX_TNEF_BYTES } from '../../lib/mail/container-parts.js';
import { parseMail } from '../../lib/mail/parse.js';
import { composeMime } from '../helpers/compose.js';
import { keepingSink } from '../helpers/keeping-sink.js';
import { makeSigner, opaqueSignedPart, type Signer } from '../helpers/smime-writer.js';
import { tnefStream } from '../helpers/tnef-writer.js';

vi.mock('../../lib/mail/container-parts.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../lib/mail/container-parts.js')>()),
  MAX_SMIME_BYTES: 48 * 1024,
  MAX_TNEF_BYTES: 96 * 1024,
}));

const HEAD = ['From: a@x.example', 'To: support@helpdesk.example', 'Subject: bounds', 'MIME-Version: 1.0'];

let signer: Signer;
beforeAll(async () => {
  signer = await makeSigner('Dan Signer');
}, 30_000);

/** A text/plain entity of about `bytes` bytes: `words`, then lines of random filler. */
function textEntity(words: string, bytes: number): Buffer {
  const filler = (randomBytes(Math.ceil((bytes * 3) / 4)).toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
  return Buffer.from(`Content-Type: text/plain; charset=utf-8\r\n\r\n${words}\r\n${filler}\r\n`);
}

async function parse(raw: Buffer) {
  const sink = keepingSink('att/');
  const record = await parseMail(Readable.from([raw]), { onHeaders: async () => sink });
  return { record, sink };
}

/** The size of the kept attachment `index`, as the sink was handed it. */
function keptSize(sink: ReturnType<typeof keepingSink>, index: number): number {
  const kept = sink.files.get(index);
  if (!kept) throw new Error(`attachment ${index} was not handed to the sink`);
  return kept.bytes.length;
}

describe('the bound shared by S/MIME layers', () => {
  it('does not open a signed layer inside another when the two together are over the bound, though each alone is under it', async () => {
    const inner = await opaqueSignedPart(textEntity('inner words', 20 * 1024), signer);
    const raw = await opaqueSignedPart(inner, signer, HEAD);
    const { record, sink } = await parse(raw);
    const outerSize = keptSize(sink, 0);
    const innerSize = keptSize(sink, 1);
    // The case as meant: each under the bound, the two together over it.
    expect(outerSize).toBeLessThan(MAX_SMIME_BYTES);
    expect(innerSize).toBeLessThan(MAX_SMIME_BYTES);
    expect(outerSize + innerSize).toBeGreaterThan(MAX_SMIME_BYTES);
    expect(record.attachments.map((a) => [a.index, a.filename, a.unpackedFrom ?? null, a.size])).toEqual([
      [0, 'smime.p7m', null, outerSize],
      [1, 'smime.p7m', 0, innerSize],
    ]);
    expect(record.smime).toEqual([
      { index: 0, unwrapped: true, signers: 1, certificates: 1, verified: false, detail: null },
      { index: 1, unwrapped: false, detail: `over ${MAX_SMIME_BYTES - outerSize} bytes` },
    ]);
    expect(record.text).not.toContain('inner words');
  });

  it('opens a small signed layer inside another (the control: the bound is what keeps the large one closed)', async () => {
    const inner = await opaqueSignedPart(textEntity('inner words', 1024), signer);
    const { record } = await parse(await opaqueSignedPart(inner, signer, HEAD));
    expect(record.smime.map((note) => [note.index, note.unwrapped, note.detail])).toEqual([
      [0, true, null],
      [1, true, null],
    ]);
    expect(record.text).toContain('inner words');
  });

  it('opens two signed parts side by side whose sizes add up to more than the bound: the first gives its bytes back', async () => {
    const first = await opaqueSignedPart(textEntity('first words', 24 * 1024), signer);
    const second = await opaqueSignedPart(textEntity('second words', 24 * 1024), signer);
    const raw = Buffer.concat([
      Buffer.from([...HEAD, 'Content-Type: multipart/mixed; boundary="=_bound_="', '', '--=_bound_=', ''].join('\r\n')),
      first,
      Buffer.from('--=_bound_=\r\n'),
      second,
      Buffer.from('--=_bound_=--\r\n'),
    ]);
    const { record, sink } = await parse(raw);
    const sizes = [keptSize(sink, 0), keptSize(sink, 1)];
    expect(sizes.every((size) => size < MAX_SMIME_BYTES)).toBe(true);
    expect(sizes[0]! + sizes[1]!).toBeGreaterThan(MAX_SMIME_BYTES);
    expect(record.smime).toEqual([
      { index: 0, unwrapped: true, signers: 1, certificates: 1, verified: false, detail: null },
      { index: 1, unwrapped: true, signers: 1, certificates: 1, verified: false, detail: null },
    ]);
    expect(record.text).toContain('first words');
    expect(record.text).toContain('second words');
  });
});

describe('a container part over its bound', () => {
  it('keeps a .p7m over the S/MIME bound whole, unopened, and notes the bound', async () => {
    const p7m = randomBytes(MAX_SMIME_BYTES + 1000);
    const raw = await composeMime({
      from: 'a@x.example',
      subject: 'big signature',
      text: 'See the signed part.',
      attachments: [{ filename: 'smime.p7m', contentType: 'application/pkcs7-mime; smime-type=signed-data; name=smime.p7m', content: p7m }],
    });
    const { record, sink } = await parse(raw);
    expect(sink.files.get(0)?.bytes.equals(p7m)).toBe(true);
    expect(record.attachments.map((a) => [a.index, a.filename, a.size])).toEqual([[0, 'smime.p7m', p7m.length]]);
    expect(record.smime).toEqual([{ index: 0, unwrapped: false, detail: `over ${MAX_SMIME_BYTES} bytes` }]);
    expect(record.tnef).toEqual([]);
  });

  it('keeps a winmail.dat over the TNEF bound whole, not unpacked, and notes the bound', async () => {
    const dat = tnefStream([{ title: 'big.txt', data: randomBytes(MAX_TNEF_BYTES) }]);
    expect(dat.length).toBeGreaterThan(MAX_TNEF_BYTES);
    const raw = await composeMime({ from: 'a@x.example', subject: 'big dat', text: 'Outlook.', attachments: [{ filename: 'winmail.dat', contentType: 'application/ms-tnef', content: dat }] });
    const { record, sink } = await parse(raw);
    expect(sink.files.get(0)?.bytes.equals(dat)).toBe(true);
    expect(record.attachments.map((a) => [a.index, a.filename, a.size, a.unpackedFrom ?? null])).toEqual([[0, 'winmail.dat', dat.length, null]]);
    expect(record.tnef).toEqual([{ index: 0, files: 0, detail: `not unpacked: over ${MAX_TNEF_BYTES} bytes` }]);
    expect(record.smime).toEqual([]);
  });

  it('unpacks a winmail.dat over the S/MIME bound but within its own', async () => {
    const data = Buffer.from('x'.repeat(60 * 1024));
    const dat = tnefStream([{ title: 'between.txt', data }]);
    expect(dat.length).toBeGreaterThan(MAX_SMIME_BYTES);
    expect(dat.length).toBeLessThan(MAX_TNEF_BYTES);
    const raw = await composeMime({ from: 'a@x.example', subject: 'dat', text: 'Outlook.', attachments: [{ filename: 'winmail.dat', contentType: 'application/ms-tnef', content: dat }] });
    const { record, sink } = await parse(raw);
    expect(record.tnef).toEqual([{ index: 0, files: 1, detail: null }]);
    expect(record.attachments.map((a) => [a.index, a.filename, a.unpackedFrom ?? null])).toEqual([
      [0, 'winmail.dat', null],
      [1, 'between.txt', 0],
    ]);
    expect(sink.files.get(1)?.bytes.equals(data)).toBe(true);
  });
});
