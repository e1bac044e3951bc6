/**
 * The MAPI properties of a winmail.dat attachment ([MS-OXTNEF] §2.1.3.4, attAttachment): its long
 * name, its MIME tag and its data, found among the other properties Outlook writes, and what is
 * kept when the property list is odd or damaged.
 */
import { describe, expect, it } from 'vitest';
import { readTnef } from '../../lib/mail/tnef.js';
import { attribute, pad4, u16, u32 } from '../helpers/tnef-writer.js';


// [MS-OXCDATA] §2.11.1 property types.
const PT_LONG = 0x0003;
const PT_BOOLEAN = 0x000b;
const PT_OBJECT = 0x000d;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_MV_UNSPECIFIED = 0x1001;
// [MS-OXPROPS] attachment properties.
const PID_ATTACH_DATA = 0x3701;
const PID_ATTACH_METHOD = 0x3705;
const PID_ATTACH_LONG_FILENAME = 0x3707;
const PID_ATTACH_RENDERING = 0x3709;
const PID_ATTACH_MIME_TAG = 0x370e;

const unicode = (text: string) => Buffer.from(`${text}\0`, 'utf16le');
const ansi = (text: string) => Buffer.from(`${text}\0`, 'latin1');

/** A variable-length property: tag, value count, then each value size-prefixed and padded to 4. */
function variableProp(type: number, id: number, ...values: Buffer[]): Buffer {
  return Buffer.concat([u16(type), u16(id), u32(values.length), ...values.flatMap((value) => [u32(value.length), pad4(value)])]);
}
const longName = (name: string) => variableProp(PT_UNICODE, PID_ATTACH_LONG_FILENAME, unicode(name));
const mimeTag = (tag: string) => variableProp(PT_STRING8, PID_ATTACH_MIME_TAG, ansi(tag));
const attachMethod = (method: number) => Buffer.concat([u16(PT_LONG), u16(PID_ATTACH_METHOD), u32(method)]);

/** A property list as attAttachment holds it: the count, then the properties. */
const propertyList = (...props: Buffer[]) => Buffer.concat([u32(props.length), ...props]);

/** A winmail.dat with one attachment: attAttachRendData, then the title, data and properties given. */
function oneAttachment(parts: { title?: string; data?: Buffer; props?: Buffer; after?: Buffer[] }): Buffer {
  return Buffer.concat([
    u32(0x223e9f78),
    u16(0x0001),
    attribute(2, 0x0006, 0x9002, Buffer.alloc(14)),
    ...(parts.title === undefined ? [] : [attribute(2, 0x0001, 0x8010, ansi(parts.title))]),
    ...(parts.data === undefined ? [] : [attribute(2, 0x0006, 0x800f, parts.data)]),
    ...(parts.props === undefined ? [] : [attribute(2, 0x0006, 0x9005, parts.props)]),
    ...(parts.after ?? []),
  ]);
}

const report = Buffer.from('%PDF-1.4 quarterly figures');

describe('readTnef: the properties of an attachment', () => {
  it('unpacks a file whose bytes are only in PidTagAttachDataBinary, read past the attach method', () => {
    const props = propertyList(attachMethod(1), variableProp(PT_BINARY, PID_ATTACH_DATA, report), longName('Report.pdf'), mimeTag('application/pdf'));
    const { files, detail } = readTnef(oneAttachment({ title: 'REPORT~1.PDF', props }));
    expect(detail).toBeNull();
    expect(files).toHaveLength(1);
    expect(files[0]?.filename).toBe('Report.pdf');
    expect(files[0]?.contentType).toBe('application/pdf');
    expect(Buffer.from(files[0]?.bytes ?? []).toString('latin1')).toBe('%PDF-1.4 quarterly figures');
  });

  it('does not unpack an embedded message (PidTagAttachDataObject, an object) as a file', () => {
    const props = propertyList(attachMethod(5), variableProp(PT_OBJECT, PID_ATTACH_DATA, Buffer.alloc(24, 0x11)), longName('Forwarded.msg'));
    expect(readTnef(oneAttachment({ title: 'Forwarded', props }))).toEqual({ files: [], detail: '1 without file data not unpacked' });
  });

  it('does not take the rendering (the icon Outlook draws) for the file data', () => {
    const props = propertyList(attachMethod(1), variableProp(PT_BINARY, PID_ATTACH_RENDERING, Buffer.alloc(40, 0x22)), longName('Chart.xlsx'));
    expect(readTnef(oneAttachment({ title: 'CHART~1.XLS', props }))).toEqual({ files: [], detail: '1 without file data not unpacked' });
  });

  it('reads the long name past an object-valued property', () => {
    const props = propertyList(attachMethod(6), variableProp(PT_OBJECT, PID_ATTACH_DATA, Buffer.alloc(20, 0x33)), longName('Drawing of the floor plan.vsd'));
    const { files } = readTnef(oneAttachment({ title: 'DRAWIN~1.VSD', data: Buffer.from('ole bytes'), props }));
    expect(files.map((f) => [f.filename, Buffer.from(f.bytes).toString('latin1')])).toEqual([['Drawing of the floor plan.vsd', 'ole bytes']]);
  });

  it('stops at a property type it cannot size, keeping the short name', () => {
    // A tag alone: how many bytes follow it, the reader cannot know.
    const unknownType = Buffer.concat([u16(0x0099), u16(0x3702)]);
    const { files, detail } = readTnef(oneAttachment({ title: 'NOTES.TXT', data: Buffer.from('notes'), props: propertyList(unknownType, longName('Meeting notes.txt')) }));
    expect(detail).toBeNull();
    expect(files.map((f) => f.filename)).toEqual(['NOTES.TXT']);
  });

  it('reads a multi-valued property whose count the bytes left can hold, and stops at one that claims more', () => {
    const name = longName('Budget 2026.xlsx');
    // After the count come the long-name property's bytes: at most one value per 4 of them, and one more.
    const bound = name.length / 4 + 1;
    const manyEmpty = (count: number) => Buffer.concat([u16(PT_MV_UNSPECIFIED), u16(0x3702), u32(count)]);
    const withCount = (count: number) => readTnef(oneAttachment({ title: 'BUDGET~1.XLS', data: Buffer.from('x'), props: propertyList(manyEmpty(count), name) }));
    expect(withCount(bound).files.map((f) => f.filename)).toEqual(['Budget 2026.xlsx']);
    expect(withCount(bound + 1).files.map((f) => f.filename)).toEqual(['BUDGET~1.XLS']);
    expect(withCount(bound * 8).files.map((f) => f.filename)).toEqual(['BUDGET~1.XLS']);
  });

  it('takes the first value of a long name that has several', () => {
    const props = propertyList(variableProp(PT_UNICODE, PID_ATTACH_LONG_FILENAME, unicode('First name.docx'), unicode('Second name.docx')));
    expect(readTnef(oneAttachment({ title: 'FIRST~1.DOC', data: Buffer.from('d'), props })).files[0]?.filename).toBe('First name.docx');
  });

  it('reads no more properties than the list counts', () => {
    const props = Buffer.concat([u32(1), longName('Invoice.pdf'), mimeTag('application/pdf')]);
    const { files } = readTnef(oneAttachment({ title: 'INVOICE.PDF', data: Buffer.from('pdf'), props }));
    expect(files.map((f) => [f.filename, f.contentType])).toEqual([['Invoice.pdf', null]]);
  });

  it('steps over named properties, the lowest named ID (0x8000) included', () => {
    const named = Buffer.concat([u16(PT_BOOLEAN), u16(0x8000), Buffer.alloc(16, 0xab), u32(0), u32(0x8514), u16(1), u16(0)]);
    const { files } = readTnef(oneAttachment({ title: 'SLIDES.PPT', data: Buffer.from('p'), props: propertyList(named, longName('Slides for Monday.pptx')) }));
    expect(files.map((f) => f.filename)).toEqual(['Slides for Monday.pptx']);
  });

  it('steps over a named property whose string name is padded by 3 bytes (5 bytes long)', () => {
    const named = Buffer.concat([u16(PT_BOOLEAN), u16(0x8001), Buffer.alloc(16, 0xcd), u32(1), u32(5), pad4(Buffer.from('abcde', 'latin1')), u16(1), u16(0)]);
    const { files } = readTnef(oneAttachment({ title: 'SLIDES.PPT', data: Buffer.from('p'), props: propertyList(named, longName('Slides for Monday.pptx')) }));
    expect(files.map((f) => f.filename)).toEqual(['Slides for Monday.pptx']);
  });

  it('ignores a long name that is not a string property', () => {
    const props = propertyList(variableProp(PT_BINARY, PID_ATTACH_LONG_FILENAME, Buffer.from('binary.bin')));
    expect(readTnef(oneAttachment({ title: 'SHORT.TXT', data: Buffer.from('s'), props })).files[0]?.filename).toBe('SHORT.TXT');
  });

  it('keeps a MIME tag written before the long name', () => {
    const props = propertyList(mimeTag('image/png'), longName('Screenshot.png'));
    const { files } = readTnef(oneAttachment({ title: 'SCREEN~1.PNG', data: Buffer.from('png'), props }));
    expect(files.map((f) => [f.filename, f.contentType])).toEqual([['Screenshot.png', 'image/png']]);
  });

  it('keeps the properties read before the list is cut short, without reporting a fault', () => {
    const props = Buffer.concat([u32(3), longName('Contract signed.pdf'), u16(PT_STRING8), u16(PID_ATTACH_MIME_TAG), u32(1), u32(200), Buffer.from('appl')]);
    expect(readTnef(oneAttachment({ title: 'CONTRA~1.PDF', data: Buffer.from('c'), props }))).toEqual({
      files: [{ filename: 'Contract signed.pdf', contentType: null, bytes: Buffer.from('c') }],
      detail: null,
    });
  });

  it('keeps the properties when attributes after attAttachment (its dates) follow', () => {
    const modifyDate = attribute(2, 0x0003, 0x8013, Buffer.from([0xea, 0x07, 0x0c, 0x00, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00]));
    const props = propertyList(longName('Minutes.docx'), mimeTag('application/msword'));
    const { files } = readTnef(oneAttachment({ title: 'MINUTES.DOC', data: Buffer.from('m'), props, after: [modifyDate] }));
    expect(files.map((f) => [f.filename, f.contentType])).toEqual([['Minutes.docx', 'application/msword']]);
  });
});

describe('readTnef: names and media types as the receiver sees them', () => {
  it('drops only the trailing NULs of a long name', () => {
    const padded = variableProp(PT_UNICODE, PID_ATTACH_LONG_FILENAME, Buffer.from('Plan.pdf\0\0\0', 'utf16le'));
    expect(readTnef(oneAttachment({ title: 'PLAN.PDF', data: Buffer.from('p'), props: propertyList(padded) })).files[0]?.filename).toBe('Plan.pdf');
    const inner = variableProp(PT_UNICODE, PID_ATTACH_LONG_FILENAME, Buffer.from('Plan\0v2.pdf\0', 'utf16le'));
    expect(readTnef(oneAttachment({ title: 'PLAN.PDF', data: Buffer.from('p'), props: propertyList(inner) })).files[0]?.filename).toBe('Plan\0v2.pdf');
  });

  it('drops only the trailing NULs of a short name', () => {
    const titled = (title: Buffer) => Buffer.concat([u32(0x223e9f78), u16(1), attribute(2, 6, 0x9002, Buffer.alloc(14)), attribute(2, 1, 0x8010, title), attribute(2, 6, 0x800f, Buffer.from('x'))]);
    expect(readTnef(titled(Buffer.from('LIST.TXT\0\0\0', 'latin1'))).files[0]?.filename).toBe('LIST.TXT');
    expect(readTnef(titled(Buffer.from('LI\0ST.TXT\0', 'latin1'))).files[0]?.filename).toBe('LI\0ST.TXT');
  });

  it('trims the names, and falls back to the short name when the long one is blank', () => {
    const named = (title: string, name: string) => readTnef(oneAttachment({ title, data: Buffer.from('x'), props: propertyList(longName(name)) })).files[0]?.filename;
    expect(named('A.TXT', '  Agenda.txt \t')).toBe('Agenda.txt');
    expect(named(' AGENDA.TXT  ', '   ')).toBe('AGENDA.TXT');
    expect(readTnef(oneAttachment({ title: '   ', data: Buffer.from('x') })).files[0]?.filename).toBeNull();
  });

  it('takes a MIME tag only when it is a bare type/subtype, lower-cased', () => {
    const typed = (tag: string) => readTnef(oneAttachment({ title: 'A.BIN', data: Buffer.from('x'), props: propertyList(mimeTag(tag)) })).files[0]?.contentType;
    expect(typed(' Application/PDF ')).toBe('application/pdf');
    expect(typed('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(typed('text/plain; charset=utf-8')).toBeNull();
    expect(typed('Content-Type: text/html')).toBeNull();
    expect(typed('pdf')).toBeNull();
  });
});
