/**
 * Addresses in the canonical form that authorization compares: who sent a mail, who takes part
 * in a ticket, who is an agent, which address is our own. It is computed from the RAW header
 * value (see `raw-headers.ts`), never from mailparser's decoded one, and it is deliberately
 * narrow: two addresses are the same only when they are the same string in this form, and an
 * address that some decoder or normalizer could turn into another one is "not comparable" — it
 * matches nobody. Display names never count. Pure.
 *
 * The canonical form (RFC 5321 §2.3.11 / §4.1.2, RFC 5322 §3.4.1, RFC 6531/6532):
 * - the local part with quoting removed where RFC 5322 makes it meaningless (`"alice"` is
 *   `alice`), re-quoted only where it must be, ASCII letters in lower case (the helpdesk has
 *   always compared addresses case-insensitively); non-ASCII letters are left as written;
 * - the domain in IDNA2008 A-label form via UTS #46 (`tr46`), lower case: `bücher.example` and
 *   `xn--bcher-kva.example` are the same domain, and `xn--example-.com` is not `example.com`.
 *
 * Not comparable (RFC 2047 §5, UTS #46 §4, Unicode UAX #15):
 * - a local part holding an encoded word (`=?utf-8?q?alice?=`), which a decoder would turn
 *   into another address;
 * - an address that changes under Unicode NFKC (the Kelvin sign U+212A for `K`, fullwidth
 *   letters), or that holds control, format, private-use, unassigned or separator characters,
 *   or U+FFFD (bytes that were not UTF-8);
 * - a domain that UTS #46 maps to something else than what is written (a U-label not in its
 *   mapped form, a soft hyphen), an A-label that is not valid (`xn--example-` decodes to plain
 *   ASCII), a domain literal (`[192.0.2.1]`), or one that breaks STD3/DNS length rules;
 * - a local part over 64 octets (RFC 5321 §4.5.3.1.1).
 */
import { toASCII, toUnicode } from 'tr46';
import { asciiLowerCase } from './ascii-case.js';
import { parseAddressList, type AddrSpec } from './address-list.js';

declare const canonical: unique symbol;

/** An address in canonical form (`local@domain`); only this module makes one. */
export type CanonicalAddress = string & { readonly [canonical]: true };

/** What canonicalizing an address gave: the canonical address, or why it is not comparable. */
export type Canonicalization =
  | { readonly comparable: true; readonly address: CanonicalAddress; readonly domain: string }
  | { readonly comparable: false; readonly reason: string };

/** UTS #46 with every IDNA2008 check on, non-transitional (`ß` stays `ß`). */
const IDNA = {
  checkBidi: true,
  checkHyphens: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  transitionalProcessing: false,
  ignoreInvalidPunycode: false,
} as const;

/** Control, format, unassigned, private-use and surrogate code points; separators; U+FFFD. */
const UNSAFE_CHARACTERS = /[\p{C}\p{Z}\uFFFD]/u;
/** An RFC 2047 encoded word, or the start of one. */
const ENCODED_WORD = /=\?/;
/** dot-atom-text (RFC 5322 §3.2.3, with RFC 6532's UTF8-non-ascii). */
const DOT_ATOM_TEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(?:\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/;
const MAX_LOCAL_PART_OCTETS = 64;

const isAscii = (text: string) => /^[\u0000-\u007f]*$/.test(text);

function notComparable(reason: string): Canonicalization {
  return { comparable: false, reason };
}

/** Domains {@link canonicalDomain} remembers, at most (then it starts over), and the longest it remembers (RFC 1035: 253 in text). */
const MAX_CACHED_DOMAINS = 1000;
const MAX_CACHED_DOMAIN_LENGTH = 255;
const canonicalDomains = new Map<string, string | null>();

/**
 * A domain in canonical form: lower-case ASCII, IDN labels as A-labels (UTS #46 `ToASCII` with
 * CheckHyphens, CheckBidi, CheckJoiners, UseSTD3ASCIIRules and VerifyDnsLength). `null` when the
 * domain is not comparable: invalid, or written in a form that a mapping would change (see the
 * module comment). Used for From domains and for the domains SES names in
 * `Authentication-Results` alike.
 */
export function canonicalDomain(domain: string): string | null {
  // The same few domains come back in every mail (ours, the senders', SES's): UTS #46 runs once per
  // domain and container (it was 3 % of a typical reply's CPU), in a bounded cache.
  if (domain.length > MAX_CACHED_DOMAIN_LENGTH) return canonicalDomainUncached(domain);
  const known = canonicalDomains.get(domain);
  if (known !== undefined) return known;
  const canonical = canonicalDomainUncached(domain);
  if (canonicalDomains.size >= MAX_CACHED_DOMAINS) canonicalDomains.clear();
  canonicalDomains.set(domain, canonical);
  return canonical;
}

function canonicalDomainUncached(domain: string): string | null {
  const lowered = asciiLowerCase(domain);
  // (The empty domain is refused by ToASCII's VerifyDnsLength.)
  if (lowered.normalize('NFKC') !== lowered) return null;
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent, the round trip below runs the same strict ToASCII, which refuses whatever a laxer one here lets through
  const ascii = toASCII(lowered, { ...IDNA, verifyDNSLength: true });
  if (ascii === null) return null;
  const unicode = toUnicode(ascii, IDNA);
  if (unicode.error) return null;
  // In the domain as decoded, so that its A-label spelling is refused as its U-label one is: a
  // ZWNJ or ZWJ, which IDNA2008 allows after a virama, is invisible.
  if (UNSAFE_CHARACTERS.test(unicode.domain)) return null;
  // Written as an A-label, it must be one already; written in Unicode, it must be the mapped form.
  if (isAscii(lowered) ? ascii !== lowered : unicode.domain !== lowered) return null;
  // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent, the domain is the mapped form of what the strict ToASCII above accepted, so ToASCII gives it back
  if (toASCII(unicode.domain, { ...IDNA, verifyDNSLength: true }) !== ascii) return null;
  return ascii;
}

function canonicalLocalPart(localPart: string): { readonly local: string } | { readonly reason: string } {
  if (localPart === '') return { reason: 'an empty local part' };
  if (ENCODED_WORD.test(localPart)) return { reason: 'an RFC 2047 encoded word in the local part' };
  if (UNSAFE_CHARACTERS.test(localPart)) return { reason: 'control, format, separator or invalid characters in the local part' };
  if (localPart.normalize('NFKC') !== localPart) return { reason: 'a local part that Unicode NFKC normalization changes' };
  if (Buffer.byteLength(localPart) > MAX_LOCAL_PART_OCTETS) return { reason: `a local part over ${MAX_LOCAL_PART_OCTETS} octets` };
  const lowered = asciiLowerCase(localPart);
  return { local: DOT_ATOM_TEXT.test(lowered) ? lowered : `"${lowered.replace(/["\\]/g, '\\$&')}"` };
}

/** The canonical form of one parsed addr-spec (see the module comment for what is refused). */
export function canonicalizeAddrSpec(spec: AddrSpec): Canonicalization {
  if (spec.domainLiteral) return notComparable(`a domain literal ${spec.domain}`);
  const local = canonicalLocalPart(spec.localPart);
  if ('reason' in local) return notComparable(local.reason);
  const domain = canonicalDomain(spec.domain);
  if (domain === null) return notComparable(`a domain that is not a valid IDNA2008 name as written (${spec.domain.slice(0, 100)})`);
  return { comparable: true, address: `${local.local}@${domain}` as CanonicalAddress, domain };
}

/**
 * The canonical form of the one mailbox in `text`: a raw header value naming exactly one mailbox
 * (`Alice <alice@example.com>`) or a bare address (`alice@example.com`, as configured or stored).
 * A group is not a mailbox.
 */
export function canonicalizeMailbox(text: string): Canonicalization {
  const mailboxes = parseAddressList(text, { max: 2, groups: false });
  if (mailboxes === null) return notComparable('not an RFC 5322 address');
  const [only] = mailboxes;
  if (only === undefined || mailboxes.length > 1) return notComparable(mailboxes.length === 0 ? 'no address' : 'more than one address');
  return canonicalizeAddrSpec(only);
}

/**
 * The sender: the canonical form of the one mailbox of the one `From` field. `rawFromValues`
 * holds the raw values of every `From` field, topmost first (`readRawHeaders(...).from`). No
 * `From`, more than one `From` field (RFC 5322 §3.6 allows one; a second is how a sender shows
 * one address to DMARC and another to the reader), or a `From` naming several mailboxes or a
 * group, is not comparable.
 */
export function canonicalSender(rawFromValues: readonly string[] | undefined): Canonicalization {
  if (!rawFromValues || rawFromValues.length === 0) return notComparable('no From header');
  if (rawFromValues.length > 1) return notComparable(`${rawFromValues.length} From headers`);
  const result = canonicalizeMailbox(rawFromValues[0] as string);
  return result.comparable ? result : notComparable(`From: ${result.reason}`);
}

/**
 * The comparable addresses of address-list fields (`To`, `Cc`: every raw value of the field), in
 * order, without repeats; at most `max`. Addresses that are not comparable are left out, and so
 * is every address of a value that does not parse.
 */
export function canonicalAddresses(rawValues: readonly string[] | undefined, max = 100): CanonicalAddress[] {
  const out = new Set<CanonicalAddress>();
  // Stryker disable next-line ArrayDeclaration: equivalent, the text put in place of no values ('Stryker was here') is no address list
  for (const value of rawValues ?? []) {
    for (const spec of parseAddressList(value, { max }) ?? []) {
      const result = canonicalizeAddrSpec(spec);
      if (result.comparable && out.size < max) out.add(result.address);
    }
  }
  return [...out];
}

/** The domain of a canonical address. */
export function domainOf(address: CanonicalAddress): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** A configured address or a whole domain (`@staff.example.com`), in canonical form. */
export type AddressPattern =
  | { readonly kind: 'address'; readonly address: CanonicalAddress }
  | { readonly kind: 'domain'; readonly domain: string };

/**
 * A configured address (`lead@example.com`) or domain pattern (`@staff.example.com`) in the
 * canonical form senders are compared in; `null` when it is not comparable (the configuration
 * should then fail, naming its variable). A domain pattern is that domain exactly, not its
 * subdomains.
 */
export function canonicalAddressPattern(text: string): AddressPattern | null {
  const trimmed = text.trim();
  if (trimmed.startsWith('@')) {
    const domain = canonicalDomain(trimmed.slice(1));
    return domain === null ? null : { kind: 'domain', domain };
  }
  const result = canonicalizeMailbox(trimmed);
  return result.comparable ? { kind: 'address', address: result.address } : null;
}

/** Whether a canonical sender is the address, or within the domain, of a pattern. `null` matches nothing. */
export function addressMatches(sender: CanonicalAddress | null, pattern: AddressPattern): boolean {
  if (sender === null) return false;
  return pattern.kind === 'address' ? sender === pattern.address : domainOf(sender) === pattern.domain;
}

/**
 * Whether a canonical sender is one of `addresses` (as stored or configured, in any form
 * {@link canonicalizeMailbox} reads; each is canonicalized first, and one that is not
 * comparable matches nobody).
 */
export function isAddressIn(sender: CanonicalAddress | null, addresses: readonly string[]): boolean {
  if (sender === null) return false;
  return addresses.some((address) => {
    const result = canonicalizeMailbox(address);
    return result.comparable && result.address === sender;
  });
}
