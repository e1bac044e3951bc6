/**
 * A winmail.dat's short names in the message's code page (attOemCodepage, [MS-OXTNEF] §2.1.3.3),
 * and the reason given when a stream stops short or holds attachments that are not files.
 */
import { describe, expect, it } from 'vitest';
import { MAX_TNEF_FILES, readTnef } from '../../lib/mail/tnef.js';
import { attribute, u16, u32 } from '../helpers/tnef-writer.js';


const header = Buffer.concat([u32(0x223e9f78), u16(0x0001)]);
const rendData = attribute(2, 0x0006, 0x9002, Buffer.alloc(14));
const messageClass = attribute(1, 0x0007, 0x8008, Buffer.from('IPM.Microsoft Mail.Note\0', 'latin1'));
const codepageAttribute = (data: Buffer) => attribute(1, 0x0006, 0x9007, data);
/** A winmail.dat whose one attachment has this short name (attAttachTitle, raw bytes) and some data. */
const titled = (messageAttributes: Buffer[], title: Buffer) =>
  Buffer.concat([header, ...messageAttributes, rendData, attribute(2, 0x0001, 0x8010, title), attribute(2, 0x0006, 0x800f, Buffer.from('data'))]);

// "Отчёт.txt" in windows-1251; "é" is 0xE9 in windows-1252; "テスト" in Shift_JIS (code page 932).
const cyrillicTitle = Buffer.from([0xce, 0xf2, 0xf7, 0xb8, 0xf2, 0x2e, 0x74, 0x78, 0x74, 0x00]);
const frenchTitle = Buffer.from('r\xe9sum\xe9.txt\0', 'latin1');
const japaneseTitle = Buffer.from([0x83, 0x65, 0x83, 0x58, 0x83, 0x67, 0x2e, 0x74, 0x78, 0x74, 0x00]);

describe('readTnef: short names in the code page of the message', () => {
  it('reads a short name in windows-1252 when no code page is given', () => {
    expect(readTnef(titled([messageClass], frenchTitle))).toEqual({ files: [{ filename: 'résumé.txt', contentType: null, bytes: Buffer.from('data') }], detail: null });
  });

  it('reads a short name in the code page attOemCodepage names (primary and secondary, 8 bytes), whatever follows it', () => {
    const { files, detail } = readTnef(titled([codepageAttribute(Buffer.concat([u32(1251), u32(0)])), messageClass], cyrillicTitle));
    expect(detail).toBeNull();
    expect(files.map((f) => f.filename)).toEqual(['Отчёт.txt']);
  });

  it('reads a code page attribute that holds only the primary code page (4 bytes)', () => {
    expect(readTnef(titled([codepageAttribute(u32(1251))], cyrillicTitle)).files[0]?.filename).toBe('Отчёт.txt');
  });

  it('ignores a code page attribute too short to hold one, reading windows-1252', () => {
    expect(readTnef(titled([codepageAttribute(Buffer.from([0xe3, 0x04]))], frenchTitle))).toEqual({
      files: [{ filename: 'résumé.txt', contentType: null, bytes: Buffer.from('data') }],
      detail: null,
    });
  });

  it('reads code pages whose decoder is not named windows-<n> (Shift_JIS, UTF-8)', () => {
    expect(readTnef(titled([codepageAttribute(Buffer.concat([u32(932), u32(0)]))], japaneseTitle)).files[0]?.filename).toBe('テスト.txt');
    expect(readTnef(titled([codepageAttribute(Buffer.concat([u32(65001), u32(0)]))], Buffer.from('Überblick.txt\0', 'utf8'))).files[0]?.filename).toBe('Überblick.txt');
  });

  it('falls back to windows-1252 for a code page it has no decoder for (OEM 437)', () => {
    const { files, detail } = readTnef(titled([codepageAttribute(Buffer.concat([u32(437), u32(0)]))], frenchTitle));
    expect(detail).toBeNull();
    expect(files.map((f) => f.filename)).toEqual(['résumé.txt']);
  });
});

describe('readTnef: what a stream cut short or holding no files answers', () => {
  it('names the field the stream stops in', () => {
    const stops = (tail: Buffer) => readTnef(Buffer.concat([header.subarray(0, 4), tail])).detail;
    expect(stops(Buffer.from([0x01]))).toBe('not unpacked: legacy key: 2 bytes at offset 4, 1 left');
    expect(stops(Buffer.from([0x01, 0x00, 0x02, 0x02, 0x90]))).toBe('not unpacked: attribute id: 4 bytes at offset 7, 2 left');
    expect(stops(Buffer.from([0x01, 0x00, 0x02, 0x02, 0x90, 0x06, 0x00, 0x0e, 0x00]))).toBe('not unpacked: attribute length: 4 bytes at offset 11, 2 left');
  });

  it('does not unpack an attachment whose data is empty, and counts it', () => {
    const stream = Buffer.concat([header, rendData, attribute(2, 0x0001, 0x8010, Buffer.from('EMPTY.TXT\0')), attribute(2, 0x0006, 0x800f, Buffer.alloc(0))]);
    expect(readTnef(stream)).toEqual({ files: [], detail: '1 without file data not unpacked' });
  });

  it('gives both reasons when over the cap and some attachments have no data', () => {
    const attachments = Array.from({ length: MAX_TNEF_FILES + 1 }, (_, i) =>
      i === 0 ? [rendData, attribute(2, 0x0001, 0x8010, Buffer.from('Embedded message\0'))] : [rendData, attribute(2, 0x0006, 0x800f, Buffer.from(`file ${i}`))],
    );
    const { files, detail } = readTnef(Buffer.concat([header, ...attachments.flat()]));
    expect(files).toHaveLength(MAX_TNEF_FILES - 1);
    expect(detail).toBe(`only the first ${MAX_TNEF_FILES} attachments unpacked; 1 without file data not unpacked`);
  });
});
