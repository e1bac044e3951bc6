/**
 * MIME parts that hold other parts, which the parse opens (issue 12, points 1 and 6): opaque
 * S/MIME signed-data (RFC 8551 §3.5.2), Outlook's TNEF `winmail.dat` ([MS-OXTNEF]) and an
 * attached mail (`message/rfc822`, RFC 2046 §5.2.1). Each is read whole to be opened, so each has
 * a bound on the bytes read; a part over it stays a plain attachment. Pure, and free of the CMS
 * library, so that telling such a part costs nothing at cold start (`smime.ts` is loaded only
 * when one arrives).
 */

/** Most bytes of a `.p7m` that are opened (a mail is at most 40 MiB; its body part less). */
export const MAX_SMIME_BYTES = 32 * 1024 * 1024;

/**
 * How many S/MIME layers are opened, one inside the other: a signed mail, and a signed mail
 * inside that one. A third is kept as an attachment, unopened (hostile nesting ends here).
 */
export const MAX_SMIME_NESTING = 2;

/** Most bytes of a `winmail.dat` that are read for its attachments. */
export const MAX_TNEF_BYTES = 32 * 1024 * 1024;

/** Most attached mails read per mail (for the forwarding decision), and most bytes of each. */
export const MAX_ATTACHED_MESSAGES = 3;
export const MAX_ATTACHED_MESSAGE_BYTES = 2 * 1024 * 1024;

/** Media types of an S/MIME part (RFC 8551 §3.2.1; `x-` is the pre-standard one still sent). */
const PKCS7_MIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);

/**
 * Whether a part is opaque-signed S/MIME: `application/pkcs7-mime` (or `x-pkcs7-mime`) with
 * `smime-type=signed-data`, or without `smime-type` but named `*.p7m` (older clients omit it;
 * `unwrapOpaqueSigned` then tells signed from encrypted by the content itself). Enveloped
 * (encrypted) data is never opened: there is no key.
 */
export function isOpaqueSignedPart(contentType: string, params: Readonly<Record<string, string>>, filename: string | null): boolean {
  if (!PKCS7_MIME.has(contentType.trim().toLowerCase())) return false;
  const smimeType = params['smime-type']?.trim().toLowerCase();
  if (smimeType !== undefined) return smimeType === 'signed-data';
  // Stryker disable next-line StringLiteral: equivalent, the fallback only stands for "no name", and no other literal ends in .p7m either
  return /\.p7m$/i.test(filename ?? params.name ?? '');
}

/** TNEF media types ([MS-OXTNEF] §1.3; `vnd.` is what Exchange writes today). */
const TNEF_TYPES = new Set(['application/ms-tnef', 'application/vnd.ms-tnef']);

/** Whether a part is TNEF: by its media type, or by Outlook's file name `winmail.dat` (sent as octet-stream too). */
export function isTnefPart(contentType: string, filename: string | null): boolean {
  // Stryker disable next-line StringLiteral: equivalent, the fallback only stands for "no name", and no other literal is winmail.dat either
  return TNEF_TYPES.has(contentType.trim().toLowerCase()) || /^winmail\.dat$/i.test((filename ?? '').trim());
}

/** Whether a part is an attached mail (`message/global` is its RFC 6532 UTF-8 form). */
export function isAttachedMessage(contentType: string): boolean {
  const type = contentType.trim().toLowerCase();
  return type === 'message/rfc822' || type === 'message/global';
}

/** What kind of container a part is, if any. */
export type ContainerKind = 'smime-signed' | 'tnef' | 'attached-message';

/** The kind of container a part is, or `null` for any other part. */
export function containerKind(contentType: string, params: Readonly<Record<string, string>>, filename: string | null): ContainerKind | null {
  if (isOpaqueSignedPart(contentType, params, filename)) return 'smime-signed';
  if (isTnefPart(contentType, filename)) return 'tnef';
  return isAttachedMessage(contentType) ? 'attached-message' : null;
}
