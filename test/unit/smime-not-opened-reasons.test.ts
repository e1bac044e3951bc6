/**
 * Why an opaque-signed `.p7m` is not opened (RFC 5652 §5): the reason is recorded with the mail,
 * so each kind of SignedData that holds no MIME entity to read answers its own reason. Nothing is
 * signed here: the unwrap never verifies, so unsigned SignedData structures are enough.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { MAX_SMIME_BYTES, unwrapOpaqueSigned } from '../../lib/mail/smime.js';

const ID_DATA = '1.2.840.113549.1.7.1';
const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';
/** RFC 3161: id-ct-TSTInfo, a time-stamp token's content. */
const ID_CT_TSTINFO = '1.2.840.113549.1.9.16.1.4';

/** The DER of a ContentInfo holding a SignedData (no signers) with this encapsulated content. */
function signedData(encapContentInfo: pkijs.EncapsulatedContentInfo): Buffer {
  const signed = new pkijs.SignedData({ version: 1, encapContentInfo, signerInfos: [] });
  const info = new pkijs.ContentInfo({ contentType: ID_SIGNED_DATA, content: signed.toSchema(true) });
  return Buffer.from(info.toSchema().toBER(false));
}
const octets = (text: string) => new asn1js.OctetString({ valueHex: new TextEncoder().encode(text) });

describe('unwrapOpaqueSigned: the reason it does not open a .p7m', () => {
  it('opens a SignedData whose content is data (the control for the cases below)', () => {
    const result = unwrapOpaqueSigned(signedData(new pkijs.EncapsulatedContentInfo({ eContentType: ID_DATA, eContent: octets('Content-Type: text/plain\r\n\r\nhi\r\n') })));
    expect(result).toMatchObject({ kind: 'unwrapped', signers: 0, certificates: 0, verified: false });
    expect(result.kind === 'unwrapped' && Buffer.from(result.entity).toString('utf8')).toBe('Content-Type: text/plain\r\n\r\nhi\r\n');
  });

  it('names the content type when the signed content is not a MIME entity (a time-stamp token)', () => {
    const result = unwrapOpaqueSigned(signedData(new pkijs.EncapsulatedContentInfo({ eContentType: ID_CT_TSTINFO, eContent: octets('tst') })));
    expect(result).toEqual({ kind: 'not-opened', detail: `encapsulated content type ${ID_CT_TSTINFO}, not data` });
  });

  it('says a detached signature holds no content', () => {
    expect(unwrapOpaqueSigned(signedData(new pkijs.EncapsulatedContentInfo({ eContentType: ID_DATA })))).toEqual({ kind: 'not-opened', detail: 'a detached signature: no encapsulated content' });
  });

  it('says the content is empty', () => {
    expect(unwrapOpaqueSigned(signedData(new pkijs.EncapsulatedContentInfo({ eContentType: ID_DATA, eContent: octets('') })))).toEqual({ kind: 'not-opened', detail: 'empty encapsulated content' });
  });

  it('says BER that is not a ContentInfo is not a CMS SignedData', () => {
    const notCms = Buffer.from(new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 })] }).toBER(false));
    const result = unwrapOpaqueSigned(notCms);
    expect(result.kind === 'not-opened' && result.detail).toMatch(/^not a CMS SignedData: \S/);
  });

  it(`does not read a .p7m over ${MAX_SMIME_BYTES} bytes, and reads one of exactly that size`, () => {
    expect(unwrapOpaqueSigned(new Uint8Array(MAX_SMIME_BYTES + 1))).toEqual({ kind: 'not-opened', detail: `over ${MAX_SMIME_BYTES} bytes` });
    // Zeros are read, and found not to be CMS.
    const atLimit = unwrapOpaqueSigned(new Uint8Array(MAX_SMIME_BYTES));
    expect(atLimit.kind === 'not-opened' && atLimit.detail).toMatch(/^not a CMS SignedData: \S/);
  });
});
