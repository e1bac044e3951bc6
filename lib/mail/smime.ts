/**
 * Opaque S/MIME signed mail (issue 12, point 1): `application/pkcs7-mime; smime-type=signed-data`
 * (RFC 8551 §3.5.2) carries the whole signed MIME entity inside a CMS SignedData (RFC 5652 §5),
 * so a parser that does not open it sees only an `smime.p7m` attachment and an empty body. This
 * module opens it: the encapsulated content is a MIME entity to parse as the mail's body, and the
 * `.p7m` stays as an attachment (`parse.ts` loads this module only when such a part arrives: PKI.js
 * is large, and most mail is not signed). The signature is NOT verified (that needs a trust store and a
 * policy the helpdesk does not have): nothing here may be shown as "signed by". Pure.
 *
 * CMS and ASN.1 by PKI.js and ASN1.js (PeculiarVentures, maintained), which read the BER that
 * Outlook writes (indefinite lengths, a constructed OCTET STRING in chunks) as well as DER.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { MAX_SMIME_BYTES } from './container-parts.js';

export { isOpaqueSignedPart, MAX_SMIME_BYTES } from './container-parts.js';

/** RFC 5652 §4: id-data, the content type of a signed MIME entity. */
const ID_DATA = '1.2.840.113549.1.7.1';
/** RFC 5652 §5.1: id-signedData. */
const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/**
 * ASN1.js's limits, raised from its defaults (16 MiB per value, 10,000 nodes) so that a signed mail
 * up to {@link MAX_SMIME_BYTES} opens: Outlook's BER carries the content as a constructed OCTET
 * STRING in chunks, one node each (openssl writes 4 KiB chunks). A node takes about 1 KiB to hold,
 * so the count is bounded by the size: the default 10,000 and one more per 512 bytes, at most some
 * 75,000 nodes (about 100 MB) for 32 MiB. The input is not copied (`copyInput: false`): it is not
 * changed. OCTET STRINGs are not tried as nested ASN.1 (`parseEmbedded: false`): the content is a
 * MIME entity, and trying each chunk would count (and build) nodes for nothing.
 */
function berLimits(bytes: Uint8Array): { maxContentLength: number; maxNodes: number; copyInput: false; parseEmbedded: false } {
  return { maxContentLength: MAX_SMIME_BYTES, maxNodes: 10_000 + Math.ceil(bytes.length / 512), copyInput: false, parseEmbedded: false };
}

/** What opening a `.p7m` gave. */
export type SmimeUnwrap =
  | {
      readonly kind: 'unwrapped';
      /** The signed MIME entity (headers, blank line, body), to be parsed as the mail's body. */
      readonly entity: Uint8Array;
      /** How many SignerInfos and certificates it carries (for the record; nothing is verified). */
      readonly signers: number;
      readonly certificates: number;
      readonly verified: false;
    }
  | { readonly kind: 'not-opened'; readonly detail: string };

function notOpened(detail: string): SmimeUnwrap {
  return { kind: 'not-opened', detail };
}

/** The bytes of a constructed BER OCTET STRING: its primitive segments, at any depth, in order. */
function joinSegments(string: asn1js.OctetString): Uint8Array {
  const segments: Uint8Array[] = [];
  const walk = (node: asn1js.BaseBlock): void => {
    const block = node as asn1js.OctetString;
    if (!block.idBlock.isConstructed) {
      segments.push(block.valueBlock.valueHexView);
      return;
    }
    for (const child of (block.valueBlock as unknown as { value: asn1js.BaseBlock[] }).value) walk(child);
  };
  walk(string);
  return Buffer.concat(segments);
}

/**
 * Opens a CMS SignedData with encapsulated content (the decoded bytes of an opaque-signed part)
 * and answers the signed MIME entity. Never throws: bytes that are not such a structure (an
 * encrypted `.p7m`, a detached signature without content, garbage, BER nested too deep to read)
 * give `not-opened` with the reason.
 */
export function unwrapOpaqueSigned(bytes: Uint8Array): SmimeUnwrap {
  if (bytes.length > MAX_SMIME_BYTES) return notOpened(`over ${MAX_SMIME_BYTES} bytes`);
  try {
    const asn1 = asn1js.fromBER(bytes, berLimits(bytes));
    if (asn1.offset === -1) return notOpened(`not BER: ${asn1.result.error}`);
    const contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
    if (contentInfo.contentType !== ID_SIGNED_DATA) return notOpened(`CMS content type ${contentInfo.contentType}, not signed-data`);
    const signed = new pkijs.SignedData({ schema: contentInfo.content });
    const { eContentType, eContent } = signed.encapContentInfo;
    if (eContentType !== ID_DATA) return notOpened(`encapsulated content type ${eContentType}, not data`);
    if (!eContent) return notOpened('a detached signature: no encapsulated content');
    // DER's one OCTET STRING is read as a view into the input; BER's chunks are joined (one copy),
    // however deep they nest (X.690 §8.7.3: a constructed string may hold constructed strings).
    const entity = eContent.idBlock.isConstructed ? joinSegments(eContent) : eContent.valueBlock.valueHexView;
    if (entity.length === 0) return notOpened('empty encapsulated content');
    return { kind: 'unwrapped', entity, signers: signed.signerInfos.length, certificates: signed.certificates?.length ?? 0, verified: false };
  } catch (error) {
    return notOpened(`not a CMS SignedData: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300));
  }
}
