/** Opaque S/MIME signed mail (issue 12, point 1): the signed entity becomes the body; nothing is verified. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { isOpaqueSignedPart, unwrapOpaqueSigned } from '../../lib/mail/smime.js';
import { makeSigner, signOpaque } from '../helpers/smime-writer.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/fidelity', name));

/** The one attachment mailparser makes of an S/MIME mail, with its Content-Type parameters. */
async function p7mOf(name: string) {
  const parsed = await simpleParser(fixture(name));
  const [attachment] = parsed.attachments;
  if (!attachment) throw new Error(`${name}: no attachment`);
  const contentType = attachment.headers.get('content-type') as { value: string; params: Record<string, string> };
  return { parsed, attachment, contentType };
}

describe('unwrapOpaqueSigned', () => {
  it('opens Outlook-style BER (indefinite lengths, chunked OCTET STRING) (opaque-smime-signed)', async () => {
    const { parsed, attachment, contentType } = await p7mOf('opaque-smime-signed.eml');
    // What the agent gets today: no words at all.
    expect(parsed.text ?? '').toBe('');
    expect(isOpaqueSignedPart(contentType.value, contentType.params, attachment.filename ?? null)).toBe(true);
    const result = unwrapOpaqueSigned(attachment.content);
    expect(result).toMatchObject({ kind: 'unwrapped', signers: 1, certificates: 1, verified: false });
    if (result.kind !== 'unwrapped') return;
    // The entity is a MIME entity of its own: parsed, it gives the body.
    const inner = await simpleParser(Buffer.from(result.entity));
    expect(inner.text?.trim()).toBe('The toner leaks onto the paper path. Grüße, Dan');
  });

  it('opens DER as openssl smime -sign -nodetach writes it (opaque-smime-signed-der)', async () => {
    const { attachment } = await p7mOf('opaque-smime-signed-der.eml');
    const result = unwrapOpaqueSigned(attachment.content);
    expect(result.kind === 'unwrapped' && Buffer.from(result.entity).toString('utf8')).toContain('Content-Type: text/plain; charset=utf-8');
  });

  it('does not open encrypted S/MIME (smime-encrypted)', async () => {
    const { attachment, contentType } = await p7mOf('smime-encrypted.eml');
    expect(isOpaqueSignedPart(contentType.value, contentType.params, attachment.filename ?? null)).toBe(false);
    expect(unwrapOpaqueSigned(attachment.content)).toEqual({ kind: 'not-opened', detail: 'CMS content type 1.2.840.113549.1.7.3, not signed-data' });
  });

  it('opens content in more chunks than ASN1.js reads by default (10,000 nodes), and bounds the count by the size', async () => {
    const signer = await makeSigner('Dan Customer');
    const entity = Buffer.from(`Content-Type: text/plain\r\n\r\n${'0123456789'.repeat(546_000)}\r\n`);
    const ber = await signOpaque(entity, signer, 520);
    const result = unwrapOpaqueSigned(ber);
    expect(result.kind === 'unwrapped' && Buffer.from(result.entity).equals(entity)).toBe(true);
    // The same content in chunks of 200 bytes: more nodes than its size allows, not opened.
    expect(unwrapOpaqueSigned(await signOpaque(entity, signer, 200))).toEqual({ kind: 'not-opened', detail: 'not BER: Maximum ASN.1 node count exceeded' });
  });

  it('answers not-opened, never a throw, for bytes that are not CMS', () => {
    expect(unwrapOpaqueSigned(Buffer.from('hello')).kind).toBe('not-opened');
    expect(unwrapOpaqueSigned(new Uint8Array()).kind).toBe('not-opened');
    // Deeply nested constructed BER: 0x30 0x80 repeated (SEQUENCE, indefinite length).
    expect(unwrapOpaqueSigned(Buffer.alloc(200_000, Buffer.from([0x30, 0x80]))).kind).toBe('not-opened');
  });
});

describe('isOpaqueSignedPart', () => {
  it('reads the media type and smime-type, and falls back to a .p7m name', () => {
    expect(isOpaqueSignedPart('application/pkcs7-mime', { 'smime-type': 'signed-data' }, null)).toBe(true);
    expect(isOpaqueSignedPart('Application/X-PKCS7-MIME', { 'smime-type': 'Signed-Data' }, null)).toBe(true);
    expect(isOpaqueSignedPart('application/pkcs7-mime', { 'smime-type': 'enveloped-data' }, 'smime.p7m')).toBe(false);
    expect(isOpaqueSignedPart('application/pkcs7-mime', {}, 'smime.p7m')).toBe(true);
    expect(isOpaqueSignedPart('application/pkcs7-mime', { name: 'SMIME.P7M' }, null)).toBe(true);
    expect(isOpaqueSignedPart('application/pkcs7-signature', { 'smime-type': 'signed-data' }, 'smime.p7s')).toBe(false);
  });
});
