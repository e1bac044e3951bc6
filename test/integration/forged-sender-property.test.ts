/**
 * Property: under the strict sender policy, no mutation of a participant's From address — a
 * confusable letter, an IDN or punycode form, a compatibility character, an encoded word, a
 * display name showing the participant, a second From — yields a follow-up on the participant's
 * ticket. Only the participant's own address (ASCII case aside), authenticated by SES, does.
 *
 * Each generated mail goes through the real handler. The attacker is given the strongest hand:
 * SES says `dmarc=pass` for whatever domain the forged From names (an attacker owns such a domain
 * and can pass DMARC for it), and the mail carries the ticket's subject tag.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useGateway } from '../helpers/gateway.js';
import { composeMail } from '../helpers/mail.js';
import { FUZZ_SEED } from '../helpers/mime-arbitrary.js';

const fixture = useGateway({ mode: 'update-only' });
const PARTICIPANT = 'alice@example.com';

/** Letters that look like ASCII ones (Cyrillic, Greek, fullwidth, compatibility forms). */
const CONFUSABLES: Record<string, string[]> = {
  a: ['а', 'ɑ', 'ａ', 'ᵃ'],
  e: ['е', 'ė', 'ｅ', 'ℯ'],
  i: ['і', 'ı', 'ｉ', 'ⅰ'],
  l: ['ӏ', 'ℓ', 'ｌ', '1'],
  c: ['с', 'ϲ', 'ｃ', 'ⅽ'],
  o: ['о', 'ο', 'ｏ', '0'],
  m: ['м', 'ｍ', 'ⅿ', 'rn'],
  p: ['р', 'ρ', 'ｐ', 'ᵖ'],
  x: ['х', 'χ', 'ｘ', 'ⅹ'],
  k: ['K', 'κ', 'ｋ', 'к'],
};

/** One way of writing something that looks like, but is not, the participant. */
const forgedAddress: fc.Arbitrary<string> = fc.oneof(
  // a confusable letter somewhere in the address
  fc.tuple(fc.nat(PARTICIPANT.length - 1), fc.nat(3)).map(([at, pick]) => {
    const chars = [...PARTICIPANT];
    const options = CONFUSABLES[chars[at] as string];
    if (!options) return `${PARTICIPANT.slice(0, at)}\u200b${PARTICIPANT.slice(at)}`; // a zero-width space instead
    chars[at] = options[pick % options.length] as string;
    return chars.join('');
  }),
  // IDN and punycode forms of look-alike domains
  fc.constantFrom('alice@xn--example-.com', 'alice@xn--exmple-cua.com', 'alice@xn--xample-2of.com', 'alice@exämple.com', 'alice@example.com.attacker.example', 'alice@example.co', 'alice@examp1e.com'),
  // encoded words in the local part or the domain
  fc.constantFrom('=?utf-8?q?alice?=@example.com', '=?utf-8?b?YWxpY2U=?=@example.com', 'alice@=?utf-8?q?example.com?=', '=?utf-8?q?alice=40example.com?=', 'alice+x@example.com', '"alice"@example.com.'),
);

/** A From header built around a forged address, or a display-name trick with the real one. */
const forgedFromHeaders: fc.Arbitrary<readonly string[]> = fc.oneof(
  forgedAddress.map((address) => [`From: Alice <${address}>`]),
  forgedAddress.map((address) => [`From: ${address}`]),
  fc.constantFrom(
    ['From: "alice@example.com" <mallory@attacker.example>'],
    ['From: alice@example.com <mallory@attacker.example>'],
    ['From: Alice Example <mallory@attacker.example> (alice@example.com)'],
    ['From: alice@example.com', 'From: mallory@attacker.example'],
    ['From: mallory@attacker.example', 'From: alice@example.com'],
    ['From: Friends: alice@example.com, mallory@attacker.example;'],
    ['From: alice@example.com, mallory@attacker.example'],
    ['From: =?utf-8?q?alice=40example=2Ecom?= <mallory@attacker.example>'],
  ),
);

/** A mail from the given From lines, with SES saying DMARC passed for the (last) From domain. */
function mailFrom(fromLines: readonly string[], n: number): string {
  const lastFrom = fromLines[fromLines.length - 1] as string;
  const domain = /@([^\s<>()",;]+)/.exec(lastFrom.slice(lastFrom.lastIndexOf('@') - 1))?.[1] ?? 'attacker.example';
  const results = `Authentication-Results: amazonses.com;\n spf=pass (spfCheck: x) client-ip=192.0.2.1; envelope-from=m@${domain}; helo=x;\n dkim=pass header.i=@${domain};\n dmarc=pass header.from=${domain};`;
  const body = composeMail({ subject: '[support-42] forged', messageId: `<forged-${n}-${process.pid}@attacker.example>` });
  return [results, ...fromLines, body.slice(body.indexOf('\n') + 1)].join('\n');
}

describe('forged senders under the strict policy', () => {
  it('the authenticated participant gets a follow-up (the control)', async () => {
    const report = await fixture.gateway.deliver('alice.eml', mailFrom(['From: Alice <Alice@Example.COM>'], 0));
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
  });

  it('no mutation of the participant\'s From yields a follow-up', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(forgedFromHeaders, async (fromLines) => {
        n += 1;
        const report = await fixture.gateway.deliver(`forged-${n}.eml`, mailFrom(fromLines, n));
        expect(report.outcome.kind, fromLines.join(' | ')).toBe('skipped');
      }),
      { numRuns: 80, seed: FUZZ_SEED },
    );
  }, 60_000);
});
