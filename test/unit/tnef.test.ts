/** Outlook's winmail.dat (issue 12, point 1): its files unpacked per [MS-OXTNEF], hostile input answered, never thrown. */
import { describe, expect, it } from 'vitest';
import { MAX_TNEF_FILES, readTnef } from '../../lib/mail/tnef.js';
import { attribute, smallPdf, tnefStream } from '../helpers/tnef-writer.js';
import { seededRandom } from '../helpers/random.js';

const pdf = smallPdf('Q3 report');
const stream = tnefStream([
  { title: 'QUARTE~1.PDF', data: pdf, longName: 'Quarterly report Köln.pdf', mimeTag: 'application/pdf' },
  { title: 'notes.txt', data: Buffer.from('plain notes\r\n') },
]);

describe('readTnef', () => {
  it('unpacks each attachment with its long name and MIME tag, else its short name', () => {
    const { files, detail } = readTnef(stream);
    expect(detail).toBeNull();
    expect(files.map((f) => [f.filename, f.contentType, f.bytes.length])).toEqual([
      ['Quarterly report Köln.pdf', 'application/pdf', pdf.length],
      ['notes.txt', null, 13],
    ]);
    expect(Buffer.from(files[0]?.bytes ?? []).equals(pdf)).toBe(true);
  });

  it('says which attachments had no file data (an embedded message, an OLE object)', () => {
    const { files, detail } = readTnef(tnefStream([{ title: 'a.txt', data: Buffer.from('a') }, { title: 'Embedded message' }]));
    expect(files.map((f) => f.filename)).toEqual(['a.txt']);
    expect(detail).toBe('1 without file data not unpacked');
  });

  it(`unpacks at most ${MAX_TNEF_FILES} files`, () => {
    const many = Array.from({ length: MAX_TNEF_FILES + 5 }, (_, i) => ({ title: `f${i}.txt`, data: Buffer.from(`file ${i}`) }));
    const { files, detail } = readTnef(tnefStream(many));
    expect(files).toHaveLength(MAX_TNEF_FILES);
    expect(detail).toBe(`only the first ${MAX_TNEF_FILES} attachments unpacked`);
  });

  it('answers "not unpacked" with the reason for input that is not a well-formed TNEF stream', () => {
    expect(readTnef(Buffer.from('PK\u0003\u0004 not tnef'))).toEqual({ files: [], detail: 'not unpacked: no TNEF signature' });
    expect(readTnef(new Uint8Array())).toEqual({ files: [], detail: expect.stringMatching(/^not unpacked: signature: 4 bytes at offset 0, 0 left$/) });
    const header = stream.subarray(0, 6);
    const badChecksum = Buffer.concat([header, attribute(2, 0x0006, 0x9002, Buffer.alloc(14)), attribute(2, 0x0006, 0x800f, Buffer.from('data'), 0x1234)]);
    expect(readTnef(badChecksum).detail).toBe('not unpacked: attribute 0x800f at offset 31: checksum does not match');
    const orphan = Buffer.concat([header, attribute(2, 0x0006, 0x800f, Buffer.from('data'))]);
    expect(readTnef(orphan).detail).toBe('not unpacked: attachment attribute 0x800f before attAttachRendData');
    const level3 = Buffer.concat([header, attribute(3, 0x0006, 0x800f, Buffer.from('data'))]);
    expect(readTnef(level3).detail).toBe('not unpacked: attribute level 3 at offset 6');
    // An attribute that claims 4 GiB.
    const huge = Buffer.concat([header, Buffer.from([2, 0x0f, 0x80, 0x06, 0x00, 0xff, 0xff, 0xff, 0xff]), Buffer.from('data')]);
    expect(readTnef(huge).detail).toMatch(/^not unpacked: attribute data: 4294967295 bytes at offset 15, 4 left$/);
  });

  it('answers every truncation of a stream without throwing, and never more bytes than it was given', () => {
    for (let cut = 0; cut < stream.length; cut++) {
      const result = readTnef(stream.subarray(0, cut));
      // Cut anywhere: the files whose data was read whole so far, and the fault noted.
      const total = result.files.reduce((sum, f) => sum + f.bytes.length, 0);
      expect(total).toBeLessThanOrEqual(cut);
    }
    const lastByteCut = readTnef(stream.subarray(0, stream.length - 1));
    // The last attribute is cut: every file before it is kept (a fault late in a winmail.dat no longer drops them all).
    expect(lastByteCut.detail).toMatch(/^unpacked up to a fault: attribute checksum: 2 bytes at offset \d+, 1 left$/);
    expect(lastByteCut.files.map((f) => f.filename)).toEqual(readTnef(stream).files.map((f) => f.filename));
  });

  it('survives random damage to the attributes and to the MAPI properties (seeded fuzz)', () => {
    const random = seededRandom(12);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
    for (let round = 0; round < 2000; round++) {
      const damaged = Buffer.from(stream);
      for (let i = 0; i < 1 + Math.floor(random() * 4); i++) damaged[6 + Math.floor(random() * (damaged.length - 6))] = Math.floor(random() * 256);
      expect(readTnef(damaged).files.length).toBeLessThanOrEqual(2);
      // Properties with valid checksums but garbage inside: the short name is kept.
      const props = Buffer.concat([Buffer.from([Math.floor(random() * 8), 0, 0, 0]), bytes(Math.floor(random() * 64))]);
      const withProps = Buffer.concat([stream.subarray(0, 6), attribute(2, 0x0006, 0x9002, Buffer.alloc(14)), attribute(2, 0x0001, 0x8010, Buffer.from('a.txt\0')), attribute(2, 0x0006, 0x800f, Buffer.from('x')), attribute(2, 0x0006, 0x9005, props)]);
      expect(readTnef(withProps).files).toHaveLength(1);
    }
  });
});
