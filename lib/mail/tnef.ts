/**
 * The attachments inside Outlook's TNEF `winmail.dat` (issue 12, point 1), read per [MS-OXTNEF]
 * (Transport Neutral Encapsulation Format, Microsoft Open Specifications): a signature, then
 * attributes of the message (level 1) and of its attachments (level 2). An attachment starts with
 * `attAttachRendData`; `attAttachData` holds its bytes, `attAttachTitle` its short (8.3) name, and
 * the MAPI properties of `attAttachment` its long name (`PidTagAttachLongFilename`) and media type
 * (`PidTagAttachMimeTag`). Pure.
 *
 * Own code, not the one npm library (node-tnef 1.4.0): that one replaces
 * `String.prototype.replaceAll` for the whole process when loaded, pulls in a logger and a CLI
 * parser, and is unmaintained; this reader needs only the few attributes above.
 *
 * Strict and bounded: every length is checked against the bytes left and every attribute's
 * checksum is checked; files are views into the input (never more bytes than the `.dat` holds);
 * at most {@link MAX_TNEF_FILES} files. Never throws: input that is not such a stream answers no
 * files and the reason.
 */

/** [MS-OXTNEF] §2.1.3.1: TNEF_SIGNATURE, little-endian. */
export const TNEF_SIGNATURE = 0x223e9f78;

/** Most files unpacked from one `winmail.dat` (and, by the parse, from all of a mail's). */
export const MAX_TNEF_FILES = 50;

/** One file found in a TNEF stream. */
export interface TnefFile {
  /** The long file name, else the short one, else `null`. */
  readonly filename: string | null;
  /** The media type Outlook recorded (`PidTagAttachMimeTag`), or `null`. */
  readonly contentType: string | null;
  readonly bytes: Uint8Array;
}

/** The files of a TNEF stream, and why not all of them (or none) were read, when so. */
export interface TnefContents {
  readonly files: readonly TnefFile[];
  readonly detail: string | null;
}

// [MS-OXTNEF] §2.1.3.3: attribute levels and the attribute IDs read here (the low word of the
// attribute's 32-bit tag; the high word is its type).
const LVL_MESSAGE = 0x01;
const LVL_ATTACHMENT = 0x02;
const ATT_ATTACH_REND_DATA = 0x9002;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACHMENT = 0x9005;
const ATT_OEM_CODEPAGE = 0x9007;

// [MS-OXPROPS]: the attachment properties read from attAttachment.
const PID_ATTACH_DATA_BINARY = 0x3701;
const PID_ATTACH_LONG_FILENAME = 0x3707;
const PID_ATTACH_MIME_TAG = 0x370e;

// [MS-OXCDATA] §2.11.1 property types: sizes of the fixed-length ones as TNEF writes them (each
// padded to 4 bytes), and the variable-length ones (a count, then size-prefixed padded values).
const FIXED_SIZE: Readonly<Record<number, number>> = { 0x0001: 0, 0x0002: 2, 0x0003: 4, 0x0004: 4, 0x0005: 8, 0x0006: 8, 0x0007: 8, 0x000a: 4, 0x000b: 2, 0x0014: 8, 0x0040: 8, 0x0048: 16 };
const PT_OBJECT = 0x000d;
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const MULTI_VALUED = 0x1000;

class TnefFormatError extends Error {}

/** Little-endian reads that never go past the end. */
class Cursor {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get left(): number {
    return this.bytes.length - this.offset;
  }

  /** `length` is never negative: a u32 read, a size from the table, or a sum of those. */
  take(length: number, what: string): Uint8Array {
    if (length > this.left) throw new TnefFormatError(`${what}: ${length} bytes at offset ${this.offset}, ${this.left} left`);
    this.offset += length;
    return this.bytes.subarray(this.offset - length, this.offset);
  }

  u16(what: string): number {
    const b = this.take(2, what);
    return (b[0] ?? 0) | ((b[1] ?? 0) << 8);
  }

  u32(what: string): number {
    const b = this.take(4, what);
    return ((b[0] ?? 0) | ((b[1] ?? 0) << 8) | ((b[2] ?? 0) << 16) | ((b[3] ?? 0) << 24)) >>> 0;
  }
}

/** TextDecoder labels of Windows code pages other than `windows-<n>`. */
const CODEPAGE_LABELS: Readonly<Record<number, string>> = { 932: 'shift_jis', 936: 'gbk', 949: 'euc-kr', 950: 'big5', 20127: 'us-ascii', 28591: 'iso-8859-1', 65001: 'utf-8' };

/** 8-bit text in a Windows code page (`attOemCodepage`), without its terminating NULs. */
function decode8(bytes: Uint8Array, codepage: number): string {
  let text: string;
  try {
    text = new TextDecoder(CODEPAGE_LABELS[codepage] ?? `windows-${codepage}`).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
  }
  return text.replace(/\0+$/, '');
}

interface AttachmentProps {
  longName?: string;
  mimeTag?: string;
  data?: Uint8Array;
}

// The labels and messages of the reads in propertyValue and attachmentProps are never shown: a
// fault there only ends the property list (attachmentProps keeps what was read before it).
// Stryker disable StringLiteral: equivalent, these labels and messages are never shown (see above)
/** Reads one property's values ([MS-OXTNEF] §2.1.3.4), keeping the first. */
function propertyValue(cursor: Cursor, type: number): Uint8Array {
  const base = type & ~MULTI_VALUED;
  const variable = base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_OBJECT;
  if (!variable && FIXED_SIZE[base] === undefined) throw new TnefFormatError(`MAPI property type 0x${type.toString(16)}`);
  const count = variable || type & MULTI_VALUED ? cursor.u32('value count') : 1;
  if (count > cursor.left / 4 + 1) throw new TnefFormatError(`${count} values`);
  let first: Uint8Array = new Uint8Array();
  for (let i = 0; i < count; i++) {
    const size = variable ? cursor.u32('value size') : (FIXED_SIZE[base] ?? 0);
    const value = cursor.take(size, 'value');
    cursor.take((4 - (size % 4)) % 4, 'padding');
    if (i === 0) first = value;
  }
  return first;
}
// Stryker restore StringLiteral

/** The properties of `attAttachment` that name and type a file; what was read before a fault is kept. */
function attachmentProps(data: Uint8Array, codepage: number): AttachmentProps {
  const props: AttachmentProps = {};
  const cursor = new Cursor(data);
  const text = (type: number, value: Uint8Array) => (type === PT_UNICODE ? new TextDecoder('utf-16le').decode(value).replace(/\0+$/, '') : decode8(value, codepage));
  try {
    // Stryker disable StringLiteral: equivalent, these labels are never shown (see propertyValue)
    const count = cursor.u32('property count');
    // A count larger than the properties there: the read past the end throws and ends the list.
    for (let i = 0; i < count; i++) {
      const type = cursor.u16('property type');
      const id = cursor.u16('property id');
      if (id >= 0x8000) {
        // A named property: its GUID, then an ID or a name (size-prefixed, padded).
        cursor.take(16, 'property set');
        const kind = cursor.u32('name kind');
        const length = kind === 0 ? 4 : cursor.u32('name size');
        cursor.take(length + ((4 - (length % 4)) % 4), 'name');
      }
      // Stryker restore StringLiteral
      const value = propertyValue(cursor, type);
      if (type === PT_STRING8 || type === PT_UNICODE) {
        if (id === PID_ATTACH_LONG_FILENAME) props.longName = text(type, value);
        if (id === PID_ATTACH_MIME_TAG) props.mimeTag = text(type, value);
      } else if (type === PT_BINARY && id === PID_ATTACH_DATA_BINARY) props.data = value;
    }
  } /* Stryker disable next-line BlockStatement: equivalent, the reads above throw only TnefFormatError (TextDecoder's labels are valid) */ catch (error) {
    // Stryker disable next-line ConditionalExpression: equivalent, the reads above throw only TnefFormatError (TextDecoder's labels are valid)
    if (!(error instanceof TnefFormatError)) throw error;
  }
  return props;
}

interface Pending {
  title?: string;
  data?: Uint8Array;
  props: AttachmentProps;
}

function fileOf(pending: Pending): TnefFile | null {
  const bytes = pending.data ?? pending.props.data;
  if (!bytes || bytes.length === 0) return null;
  const filename = pending.props.longName?.trim() || pending.title?.trim() || null;
  const mimeTag = pending.props.mimeTag?.trim().toLowerCase();
  return { filename, contentType: mimeTag && /^[\w.+-]+\/[\w.+-]+$/.test(mimeTag) ? mimeTag : null, bytes };
}

/**
 * The attributes of a TNEF stream, attachments collected into `attachments` as they come (so that
 * those read before a fault are kept); throws {@link TnefFormatError}.
 */
function readAttributes(cursor: Cursor, attachments: Pending[]): { capped: boolean } {
  let codepage = 1252;
  while (cursor.left > 0) {
    const at = cursor.offset;
    // Stryker disable next-line StringLiteral: equivalent, the loop runs only while a byte is left, so this read never fails
    const level = cursor.take(1, 'attribute level')[0];
    const id = cursor.u32('attribute id') & 0xffff;
    const data = cursor.take(cursor.u32('attribute length'), 'attribute data');
    let checksum = 0;
    for (const byte of data) checksum = (checksum + byte) & 0xffff;
    if (cursor.u16('attribute checksum') !== checksum) throw new TnefFormatError(`attribute 0x${id.toString(16)} at offset ${at}: checksum does not match`);
    if (level === LVL_MESSAGE) {
      // Stryker disable next-line StringLiteral: equivalent, 4 bytes are there (checked first), so this read never fails
      if (id === ATT_OEM_CODEPAGE && data.length >= 4) codepage = new Cursor(data).u32('codepage');
      continue;
    }
    if (level !== LVL_ATTACHMENT) throw new TnefFormatError(`attribute level ${level} at offset ${at}`);
    if (id === ATT_ATTACH_REND_DATA) {
      if (attachments.length === MAX_TNEF_FILES) return { capped: true };
      attachments.push({ props: {} });
      continue;
    }
    const current = attachments.at(-1);
    if (!current) throw new TnefFormatError(`attachment attribute 0x${id.toString(16)} before attAttachRendData`);
    if (id === ATT_ATTACH_TITLE) current.title = decode8(data, codepage);
    else if (id === ATT_ATTACH_DATA) current.data = data;
    else if (id === ATT_ATTACHMENT) current.props = attachmentProps(data, codepage);
  }
  return { capped: false };
}

/**
 * The files inside a TNEF stream (the decoded bytes of a `winmail.dat`). Attachments without file
 * data (embedded messages, OLE objects) are not unpacked, and `detail` says so. Never throws:
 * bytes that are not a whole, well-formed TNEF stream answer no files and the reason.
 */
export function readTnef(bytes: Uint8Array): TnefContents {
  const cursor = new Cursor(bytes);
  const attachments: Pending[] = [];
  const filesOf = () => attachments.map(fileOf).filter((file): file is TnefFile => file !== null);
  try {
    if (cursor.u32('signature') !== TNEF_SIGNATURE) return { files: [], detail: 'not unpacked: no TNEF signature' };
    cursor.u16('legacy key');
    const { capped } = readAttributes(cursor, attachments);
    const files = filesOf();
    const notes = [capped ? `only the first ${MAX_TNEF_FILES} attachments unpacked` : '', files.length < attachments.length ? `${attachments.length - files.length} without file data not unpacked` : ''];
    return { files, detail: notes.filter(Boolean).join('; ') || null };
  } catch (error) {
    if (!(error instanceof TnefFormatError)) throw error;
    // Files whose data was read (its checksum matched) before the fault are kept; the fault is noted.
    const files = filesOf();
    return { files, detail: files.length > 0 ? `unpacked up to a fault: ${error.message}` : `not unpacked: ${error.message}` };
  }
}
