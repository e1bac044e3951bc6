/**
 * Writes opaque-signed S/MIME (RFC 8551 §3.5.2) as a mail client does: a self-signed RSA
 * certificate and a CMS SignedData (RFC 5652 §5) with the MIME entity encapsulated, signed with
 * SHA-256, made with PKI.js over Node's WebCrypto. For the S/MIME fixtures and tests.
 */
import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
type PrivateKey = Parameters<pkijs.SignedData['sign']>[0];

const crypto = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as EngineCrypto });
pkijs.setEngine('node', crypto);

const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' };

/** A signer: a key pair and its self-signed certificate for `commonName`. */
export interface Signer {
  readonly certificate: pkijs.Certificate;
  readonly privateKey: PrivateKey;
}

export async function makeSigner(commonName: string): Promise<Signer> {
  const keys = (await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify'])) as unknown as { publicKey: Parameters<pkijs.PublicKeyInfo['importKey']>[0]; privateKey: PrivateKey };
  const certificate = new pkijs.Certificate();
  certificate.version = 2;
  certificate.serialNumber = new asn1js.Integer({ value: 0x1234 });
  const name = [new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: commonName }) })];
  certificate.issuer.typesAndValues = name;
  certificate.subject.typesAndValues = name;
  certificate.notBefore.value = new Date('2026-01-01T00:00:00Z');
  certificate.notAfter.value = new Date('2036-01-01T00:00:00Z');
  await certificate.subjectPublicKeyInfo.importKey(keys.publicKey);
  await certificate.sign(keys.privateKey, 'SHA-256');
  return { certificate, privateKey: keys.privateKey };
}

/**
 * The DER of a CMS ContentInfo holding a SignedData over `entity`, encapsulated (opaque); with
 * `chunk`, the content is written as BER writers stream it: a constructed OCTET STRING of
 * `chunk`-byte pieces.
 */
export async function signOpaque(entity: Buffer, signer: Signer, chunk?: number): Promise<Buffer> {
  const content = entity.buffer.slice(entity.byteOffset, entity.byteOffset + entity.byteLength) as ArrayBuffer;
  const signed = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1', eContent: new asn1js.OctetString({ valueHex: content }) }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: signer.certificate.issuer, serialNumber: signer.certificate.serialNumber }),
      }),
    ],
    certificates: [signer.certificate],
  });
  await signed.sign(signer.privateKey, 0, 'SHA-256');
  if (chunk !== undefined) {
    const pieces: asn1js.OctetString[] = [];
    for (let at = 0; at < entity.length; at += chunk) pieces.push(new asn1js.OctetString({ valueHex: entity.subarray(at, at + chunk) }));
    signed.encapContentInfo.eContent = new asn1js.OctetString({ idBlock: { isConstructed: true }, value: pieces });
  }
  const info = new pkijs.ContentInfo({ contentType: '1.2.840.113549.1.7.2', content: signed.toSchema(true) });
  return Buffer.from(info.toSchema().toBER(false));
}

/** Base64 in lines of 76 characters (RFC 2045 §6.8). */
export function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

/** A MIME entity (or a whole mail, with `headers`) that is an opaque-signed `smime.p7m` of `entity`. */
export async function opaqueSignedPart(entity: Buffer, signer: Signer, headers: readonly string[] = []): Promise<Buffer> {
  const p7m = await signOpaque(entity, signer);
  return Buffer.from(
    [
      ...headers,
      'Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename=smime.p7m',
      '',
      base64Lines(p7m),
      '',
    ].join('\r\n'),
  );
}
