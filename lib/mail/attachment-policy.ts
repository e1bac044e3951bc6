/**
 * Which attachments are stored: limits on count and size, dangerous types refused by content type
 * and by extension, and file names made safe to show and to offer for download. A refused
 * attachment is recorded on the follow-up; the mail itself is still applied. Pure.
 */

export interface AttachmentPolicy {
  readonly maxCount: number;
  readonly maxBytes: number;
  readonly maxTotalBytes: number;
  /** Lower-case extensions without the dot. */
  readonly denyExtensions: ReadonlySet<string>;
  /** When set, only these extensions are stored. */
  readonly allowExtensions: ReadonlySet<string> | null;
  /** Lower-case MIME types. */
  readonly denyTypes: ReadonlySet<string>;
}

/** Executables, scripts, installers and macro-carrying formats, as mail filters commonly block them. */
export const DEFAULT_DENIED_EXTENSIONS = [
  'exe', 'com', 'scr', 'pif', 'bat', 'cmd', 'cpl', 'msi', 'msp', 'mst', 'msc', 'dll', 'sys', 'drv', 'ocx',
  'js', 'jse', 'vbs', 'vbe', 'wsf', 'wsh', 'ws', 'ps1', 'psm1', 'hta', 'jar', 'reg', 'lnk', 'inf', 'scf',
  'iso', 'img', 'vhd', 'vhdx', 'appx', 'appxbundle', 'msix', 'application', 'gadget', 'sh', 'docm', 'xlsm', 'pptm',
] as const;

export const DEFAULT_DENIED_TYPES = [
  'application/x-msdownload',
  'application/x-msdos-program',
  'application/x-ms-installer',
  'application/x-msi',
  'application/x-dosexec',
  'application/x-executable',
  'application/x-sh',
  'application/java-archive',
  'application/hta',
  'application/x-ms-shortcut',
] as const;

/** Why an attachment was not stored. */
export type AttachmentRefusal = 'too-many' | 'too-large' | 'total-too-large' | 'denied-type' | 'denied-extension' | 'extension-not-allowed';

const MAX_NAME_LENGTH = 200;

/**
 * A file name safe to show and to put in `Content-Disposition`: the last path segment only, no
 * control or reserved characters, no Windows device name, no leading dots, at most 200
 * characters with the extension kept. `null` when nothing usable is left.
 */
export function sanitizeFilename(name: string | null | undefined): string | null {
  if (!name) return null;
  let clean = name
    .normalize('NFC')
    .split(/[/\\]/)
    .pop()!
    .replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[<>:"|?*]/g, '_')
    // (No trim: `\s` is the white space `trim` removes.)
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  // A Windows device name, alone or before an extension (a pattern local to the function: at
  // module level it would be a static mutant, left untested).
  if (/^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\.|$)/i.test(clean)) clean = `_${clean}`;
  if (clean.length > MAX_NAME_LENGTH) {
    const dot = clean.lastIndexOf('.');
    // Without a dot, `dot` is -1 and the name (over 200 characters) fails the length test.
    const extension = clean.length - dot <= 16 ? clean.slice(dot) : '';
    clean = clean.slice(0, MAX_NAME_LENGTH - extension.length) + extension;
  }
  return clean === '' ? null : clean;
}

/** The extension that decides how a system opens the file: the last one (`invoice.pdf.exe` → `exe`). */
function extensionOf(name: string | null): string | null {
  if (!name) return null;
  // A name that is all extension (`.exe`) counts as one: Windows opens it by that extension.
  const dot = name.lastIndexOf('.');
  return dot >= 0 ? name.slice(dot + 1).toLowerCase().trim() || null : null;
}

/**
 * Whether to refuse an attachment before reading it: by position (count), content type and
 * extension. Sizes are checked while it streams.
 */
export function refuseAttachment(policy: AttachmentPolicy, index: number, filename: string | null, contentType: string): AttachmentRefusal | null {
  if (index >= policy.maxCount) return 'too-many';
  if (policy.denyTypes.has(contentType.toLowerCase())) return 'denied-type';
  const extension = extensionOf(filename);
  if (extension !== null && policy.denyExtensions.has(extension)) return 'denied-extension';
  if (policy.allowExtensions && (extension === null || !policy.allowExtensions.has(extension))) return 'extension-not-allowed';
  return null;
}
