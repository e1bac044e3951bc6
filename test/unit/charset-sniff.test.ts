/** Charset sniffing for text parts that declare none (issue 12, point 1). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Encoding from 'encoding-japanese';
import iconv from 'iconv-lite';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { decodeUndeclared, repairIso2022jp, sniffCharset } from '../../lib/mail/charset-sniff.js';

const JAPANESE = 'トレイ2で紙詰まりが再発しました（エラー13.B2）。';
const jis = (text: string) => Uint8Array.from(Encoding.convert(Encoding.stringToCode(text), { to: 'JIS', from: 'UNICODE' }));
const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../fixtures/fidelity', name));

describe('sniffCharset', () => {
  it('finds ISO-2022-JP by its escape sequences', () => {
    expect(sniffCharset(jis(JAPANESE))).toBe('iso-2022-jp');
    expect(sniffCharset(Buffer.from('\x1b$@0!\x1b(J', 'latin1'))).toBe('iso-2022-jp');
    expect(sniffCharset(Buffer.from('\x1b(I123\x1b(B', 'latin1'))).toBe('iso-2022-jp');
  });

  it('does not take a shift back to ASCII, or 8-bit bytes around an escape, for ISO-2022-JP', () => {
    expect(sniffCharset(Buffer.from('plain \x1b(B text', 'latin1'))).toBe('us-ascii');
    expect(sniffCharset(Buffer.from([0x1b, 0x24, 0x42, 0xc3, 0xa9]))).toBe('utf-8');
  });

  it('answers us-ascii for 7-bit text, utf-8 for valid UTF-8, windows-1252 otherwise', () => {
    expect(sniffCharset(Buffer.from('Tray 2 jammed.'))).toBe('us-ascii');
    expect(sniffCharset(Buffer.from('Grüße, 東京 😀'))).toBe('utf-8');
    expect(sniffCharset(iconv.encode('Grüße – “quoted” €5', 'windows-1252'))).toBe('windows-1252');
    expect(sniffCharset(new Uint8Array())).toBe('us-ascii');
  });

  it('honours a byte-order mark first', () => {
    expect(sniffCharset(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toBe('utf-8');
    expect(sniffCharset(Buffer.from([0xff, 0xfe, 0x41, 0x00]))).toBe('utf-16le');
    expect(sniffCharset(Buffer.from([0xfe, 0xff, 0x00, 0x41]))).toBe('utf-16be');
  });
});

describe('decodeUndeclared', () => {
  it('decodes each sniffed charset', () => {
    expect(decodeUndeclared(jis(JAPANESE))).toEqual({ charset: 'iso-2022-jp', text: JAPANESE });
    expect(decodeUndeclared(Buffer.from('Grüße 😀'))).toEqual({ charset: 'utf-8', text: 'Grüße 😀' });
    expect(decodeUndeclared(iconv.encode('Grüße – “quoted” €5', 'windows-1252'))).toEqual({ charset: 'windows-1252', text: 'Grüße – “quoted” €5' });
    expect(decodeUndeclared(Buffer.from([0xef, 0xbb, 0xbf, 0x41]))).toEqual({ charset: 'utf-8', text: 'A' });
    expect(decodeUndeclared(Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x3d, 0xd8]))).toEqual({ charset: 'utf-16le', text: 'A\uFFFD' });
  });

  it('reads a subarray of a larger buffer by its own bounds', () => {
    const whole = Buffer.concat([Buffer.from('xx'), Buffer.from(jis('東京')), Buffer.from('yy')]);
    expect(decodeUndeclared(whole.subarray(2, whole.length - 2)).text).toBe('東京');
  });
});

describe('repairIso2022jp', () => {
  it('repairs the text mailparser gives for an ISO-2022-JP part without a charset (iso-2022-jp-without-charset)', async () => {
    const parsed = await simpleParser(fixture('iso-2022-jp-without-charset.eml'));
    expect(parsed.text).toContain('\x1b$B');
    const text = repairIso2022jp(parsed.text ?? '');
    expect(text.trimEnd()).toBe(`お世話になっております。\n${JAPANESE}\nよろしくお願いいたします。`);
    expect(text).not.toContain('\x1b');
  });

  it('decodes only the 7-bit runs that shift into a Japanese set, leaving other text alone', () => {
    const mixed = `Grüße — ${Buffer.from(jis('東京')).toString('latin1')} — ok \x1b(B`;
    expect(repairIso2022jp(mixed)).toBe('Grüße — 東京 — ok \x1b(B');
    expect(repairIso2022jp('no escapes here')).toBe('no escapes here');
  });

  it('stays linear on long text with a stray escape (no backtracking blow-up)', () => {
    const text = `${'a'.repeat(2_000_000)}\x1b${'b'.repeat(2_000_000)}`;
    expect(repairIso2022jp(text)).toBe(text);
  });
});
