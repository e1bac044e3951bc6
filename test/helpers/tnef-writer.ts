/**
 * Writes TNEF streams as Outlook does ([MS-OXTNEF] §2.1.3): the signature and legacy key, message
 * attributes (version, OEM code page, message class), then per attachment attAttachRendData,
 * attAttachTitle, attAttachData and attAttachment with MAPI properties (a long file name in
 * UTF-16, a MIME tag, the attach method, and a named property the reader must step over). For the
 * `winmail.dat` fixtures and the TNEF reader's tests.
 */

/** One attachment of the stream; fields left out are not written. */
export interface TnefAttachmentSpec {
  /** attAttachTitle: the short (8.3) name, in windows-1252. */
  readonly title?: string;
  /** attAttachData. */
  readonly data?: Buffer;
  /** PidTagAttachLongFilename, written as PT_UNICODE. */
  readonly longName?: string;
  /** PidTagAttachMimeTag, written as PT_STRING8. */
  readonly mimeTag?: string;
}

/** A little-endian 16-bit unsigned integer. */
export const u16 = (value: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(value);
  return b;
};
/** A little-endian 32-bit unsigned integer. */
export const u32 = (value: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0);
  return b;
};
/** The data padded with zero bytes to a multiple of 4 bytes ([MS-OXTNEF] §2.1.3.4.1). */
export const pad4 = (data: Buffer) => Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);

/** One attribute: level, tag (type << 16 | id), length, data, checksum (sum of the data bytes mod 2^16). */
export function attribute(level: number, type: number, id: number, data: Buffer, checksum?: number): Buffer {
  let sum = 0;
  for (const byte of data) sum = (sum + byte) & 0xffff;
  return Buffer.concat([Buffer.from([level]), u32(((type << 16) | id) >>> 0), u32(data.length), data, u16(checksum ?? sum)]);
}

/** A variable-length MAPI property value: count 1, size, data, padding. */
function variableProp(type: number, id: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), u16(id), u32(1), u32(data.length), pad4(data)]);
}

/** The MAPI properties of attAttachment ([MS-OXTNEF] §2.1.3.4). */
function attachmentProps(spec: TnefAttachmentSpec): Buffer {
  const props: Buffer[] = [
    // PidTagAttachMethod (PT_LONG) = afByValue.
    Buffer.concat([u16(0x0003), u16(0x3705), u32(1)]),
    // A named PT_BOOLEAN property (GUID, kind 0 = numeric ID), 2 bytes padded to 4.
    Buffer.concat([u16(0x000b), u16(0x8005), Buffer.alloc(16, 0xab), u32(0), u32(0x8514), u16(1), u16(0)]),
    // A named PT_STRING8 property with a string name (kind 1), 3 UTF-16 characters padded.
    Buffer.concat([u16(0x001e), u16(0x8006), Buffer.alloc(16, 0xcd), u32(1), u32(6), pad4(Buffer.from('abc', 'utf16le')), u32(1), u32(3), pad4(Buffer.from('xy\0'))]),
  ];
  if (spec.longName !== undefined) props.push(variableProp(0x001f, 0x3707, Buffer.from(`${spec.longName}\0`, 'utf16le')));
  if (spec.mimeTag !== undefined) props.push(variableProp(0x001e, 0x370e, Buffer.from(`${spec.mimeTag}\0`, 'latin1')));
  return Buffer.concat([u32(props.length), ...props]);
}

/** A TNEF stream holding the attachments, as `winmail.dat` bytes. */
export function tnefStream(attachments: readonly TnefAttachmentSpec[]): Buffer {
  const parts: Buffer[] = [
    u32(0x223e9f78),
    u16(0x0001),
    attribute(1, 0x0008, 0x9006, u32(0x00010000)),
    attribute(1, 0x0006, 0x9007, Buffer.concat([u32(1252), u32(0)])),
    attribute(1, 0x0007, 0x8008, Buffer.from('IPM.Microsoft Mail.Note\0', 'latin1')),
  ];
  for (const spec of attachments) {
    // attAttachRendData: type 1 (file), position, width, height (-1), flags.
    parts.push(attribute(2, 0x0006, 0x9002, Buffer.concat([u16(1), u32(0xffffffff), u16(0xffff), u16(0xffff), u32(0)])));
    if (spec.title !== undefined) parts.push(attribute(2, 0x0001, 0x8010, Buffer.from(`${spec.title}\0`, 'latin1')));
    if (spec.data !== undefined) parts.push(attribute(2, 0x0006, 0x800f, spec.data));
    parts.push(attribute(2, 0x0006, 0x9005, attachmentProps(spec)));
  }
  return Buffer.concat(parts);
}

/** A small, well-formed one-page PDF (its cross-reference offsets computed). */
export function smallPdf(text: string): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${`BT /F1 18 Tf 20 60 Td (${text}) Tj ET`.length} >>\nstream\nBT /F1 18 Tf 20 60 Td (${text}) Tj ET\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}
