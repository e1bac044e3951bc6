/**
 * The byte-order marks and boundaries of charset sniffing: a BOM wins over what follows, bytes
 * that only partly look like a BOM do not count, DEL (0x7f) is 7-bit, and a view into a larger
 * buffer is read within its own bounds.
 */
import { describe, expect, it } from 'vitest';
import { decodeUndeclared, sniffCharset } from '../../lib/mail/charset-sniff.js';

describe('sniffCharset: byte-order marks', () => {
  it('takes a UTF-8 BOM for UTF-8 even when invalid bytes follow', () => {
    expect(sniffCharset(Uint8Array.from([0xef, 0xbb, 0xbf, 0xe9, 0x41]))).toBe('utf-8');
    expect(decodeUndeclared(Uint8Array.from([0xef, 0xbb, 0xbf, 0xe9, 0x41]))).toEqual({ charset: 'utf-8', text: '\uFFFDA' });
  });

  it.each([
    [[0x41, 0xbb, 0xbf]],
    [[0xef, 0x41, 0xbf]],
    [[0xef, 0xbb, 0x41, 0xe9]],
    [[0x41, 0x41, 0xbf]],
  ])('does not take part of a UTF-8 BOM for one: %j is windows-1252', (bytes) => {
    expect(sniffCharset(Uint8Array.from(bytes))).toBe('windows-1252');
  });

  it.each([
    [[0xff, 0x41, 0x42]],
    [[0x41, 0xfe, 0x42]],
    [[0xfe, 0x41, 0x42]],
    [[0x41, 0xff, 0x42]],
  ])('does not take half a UTF-16 BOM for one: %j is windows-1252', (bytes) => {
    expect(sniffCharset(Uint8Array.from(bytes))).toBe('windows-1252');
  });
});

describe('sniffCharset: 7-bit text', () => {
  it('counts DEL (0x7f) as 7-bit', () => {
    expect(sniffCharset(Buffer.from('rub\x7fout', 'latin1'))).toBe('us-ascii');
    expect(sniffCharset(Buffer.from('\x7f\x1b$B0!\x1b(B', 'latin1'))).toBe('iso-2022-jp');
  });

  it('finds a shift that comes after other text in a view that starts inside a larger buffer', () => {
    const memory = new ArrayBuffer(40);
    const text = 'hello world \x1b$B0!\x1b(B';
    const view = new Uint8Array(memory, 8, text.length);
    view.set(Buffer.from(text, 'latin1'));
    expect(sniffCharset(view)).toBe('iso-2022-jp');
  });

  it('does not look past the end of a view for a shift', () => {
    const head = 'plain \x1b(B text';
    const whole = Buffer.from(`${head}\x1b$B0!\x1b(B`, 'latin1');
    expect(sniffCharset(whole.subarray(0, head.length))).toBe('us-ascii');
  });
});
