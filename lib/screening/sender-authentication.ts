/**
 * Whether the From of a mail is authenticated, by what SES vouches for: the results it wrote
 * into its `Authentication-Results`. A From address alone can be forged by anyone; under the
 * strict sender policy a participant or an agent is recognized only when this says yes. Pure.
 *
 * The From domain is authenticated by (first that applies):
 * 1. DMARC pass (RFC 7489 §4.2), its `header.from` equal to the From domain;
 * 2. DKIM pass (RFC 6376) with the signing domain (`header.d`, else the domain of `header.i`)
 *    aligned with the From domain;
 * 3. SPF pass (RFC 7208) with the envelope-from domain (`smtp.mailfrom`, or the
 *    `envelope-from=` part SES writes after its `spf` clause) aligned with the From domain.
 *
 * Alignment here is simpler than DMARC's relaxed mode (RFC 7489 §3.1), which needs the Public
 * Suffix List: the authenticated domain equals the From domain, or is a parent of it
 * (`example.com` vouches for `mail.example.com`). A child domain never vouches for its parent —
 * without the list, `attacker.github.io` would vouch for `github.io`. Senders whose signing
 * domain is a subdomain of their From domain are authenticated by DMARC when they publish it.
 *
 * Sender-chosen values (the HELO, the envelope-from) stand inside SES's header; a `;` in them would
 * start a clause of the sender's choosing. So the header is not trusted at all when the HELO SES
 * recorded in its `Received` holds `;` or `=` ({@link heloInjection}), and DKIM counts only when
 * the header holds exactly one dkim clause, as SES writes it.
 *
 * A DMARC `fail` (in the header or in the receipt) is final: the domain owner published a policy
 * and the mail failed it, so DKIM and SPF are not consulted. A header with more than one `dmarc` or `spf` clause is not trusted
 * at all — SES writes one of each, so a second one came from a sender-chosen value (a HELO or
 * envelope-from holding `;`). SES's own receipt verdicts, when the event carries them, must also
 * say PASS for the method used.
 */
import { canonicalDomain } from '../mail/canonical-address.js';
import { SES_AUTHSERV_ID, propertyOf, resultsOf, type AuthenticationResults, type ResultClause } from './authentication-results.js';

export type AuthenticationMethod = 'dmarc' | 'dkim' | 'spf';

/** SES's receipt verdicts (`PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`), when the event has a receipt. */
export interface ReceiptAuthenticationVerdicts {
  readonly spf?: string;
  readonly dkim?: string;
  readonly dmarc?: string;
}

/** What {@link authenticateSender} reads. */
export interface SenderAuthenticationInput {
  /** `sesAuthenticationResults(raw['authentication-results'])`: the topmost header, SES's, parsed; `null` when there is none. */
  readonly results: AuthenticationResults | null;
  /** The domain of `canonicalSender(raw.from)` (A-label, lower case); `null` when the From is not comparable. */
  readonly fromDomain: string | null;
  readonly receipt?: ReceiptAuthenticationVerdicts;
  /**
   * The topmost `Received` header (raw), which SES writes with the HELO the sender's server gave:
   * `from <helo> (<rDNS> [<ip>]) by inbound-smtp.…`. SES copies the same HELO into its
   * `Authentication-Results` (`helo=…;`), where a `;` in it would start a clause of the sender's
   * choosing (`helo=x;dkim=pass header.d=victim.example;`).
   */
  readonly sesReceived?: string;
}

/** The verdict, with a detail for the skip record and the log: what was seen, and what failed. */
export type SenderAuthentication =
  | { readonly authenticated: true; readonly method: AuthenticationMethod; readonly domain: string; readonly detail: string }
  | { readonly authenticated: false; readonly detail: string };

/**
 * Whether a domain that passed DKIM or SPF vouches for the From domain: the same domain, or a
 * parent of it with at least two labels. Both in canonical form.
 */
export function isAligned(authenticatedDomain: string, fromDomain: string): boolean {
  if (authenticatedDomain === fromDomain) return true;
  return authenticatedDomain.includes('.') && fromDomain.endsWith(`.${authenticatedDomain}`);
}

/** The domain of an address-or-domain value (`a@b.example`, `<a@b.example>`, `@b.example`, `b.example`). */
function domainOfValue(value: string | null): string | null {
  if (value === null) return null;
  // Stryker disable next-line MethodExpression: equivalent, the values come trimmed (a property value ends at white space; another part's value is trimmed)
  const bare = value.trim().replace(/^<(.*)>$/, '$1');
  const domain = bare.slice(bare.lastIndexOf('@') + 1);
  return canonicalDomain(domain); // null for '' too
}

/** SES writes the envelope-from as a part of its own after the spf clause: `spf=pass (…) client-ip=…; envelope-from=…; helo=…;`. */
function envelopeFromAfter(results: AuthenticationResults, spf: ResultClause): string | null {
  const found: string[] = [];
  for (const clause of results.clauses.slice(results.clauses.indexOf(spf) + 1)) {
    if (clause.kind === 'result') break;
    if (clause.key === 'envelope-from') found.push(clause.value);
  }
  return found.length === 1 ? (found[0] as string) : null;
}

const receiptSays = (verdict: string | undefined) => (verdict === undefined ? null : verdict.trim().toUpperCase());

/** The part of SES's `Received` that the sending server chose: from `from` up to ` by inbound-smtp.` */
const SES_RECEIVED_FROM = /^from\s+([\s\S]*?)\s+by\s+inbound-smtp\.[a-z0-9-]+\.amazonaws\.com\b/i;

/**
 * Why SES's results cannot be trusted because the HELO the sender chose could have written into
 * them, or `null`. The `from` part of SES's `Received` (HELO, reverse DNS, address) never holds a
 * `;` or a `=` in an honest mail: a HELO is a domain or an address literal (RFC 5321 §4.1.1.1).
 */
export function heloInjection(sesReceived: string | undefined): string | null {
  const from = sesReceived === undefined ? undefined : SES_RECEIVED_FROM.exec(sesReceived)?.[1];
  if (from === undefined) return null;
  return /[;=]/.test(from) ? `the HELO SES recorded (${from.slice(0, 80)}) holds ";" or "=": it could have written clauses into SES's Authentication-Results` : null;
}

/**
 * DKIM's verdict: authenticated when the one dkim clause SES writes passed for a domain aligned
 * with the From domain. A second dkim clause can only have come through a sender-chosen value (the
 * HELO), so DKIM then vouches for nothing (DMARC and SPF may still). Adds what it saw to `notes`.
 */
function dkimVerdict(results: AuthenticationResults, fromDomain: string, notes: string[], refusedByReceipt: (method: AuthenticationMethod) => boolean): SenderAuthentication | null {
  const dkim = resultsOf(results, 'dkim');
  if (dkim.length === 0) notes.push('no dkim result');
  if (dkim.length > 1) notes.push(`${dkim.length} dkim clauses where SES writes one: DKIM not used`);
  const [clause] = dkim;
  if (!clause || dkim.length > 1) return null;
  const signer = domainOfValue(propertyOf(clause, 'header', 'd') ?? propertyOf(clause, 'header', 'i'));
  if (clause.result !== 'pass') notes.push(`dkim=${clause.result}${signer ? ` for ${signer}` : ''}`);
  else if (signer === null) notes.push('dkim=pass without a signing domain');
  else if (!isAligned(signer, fromDomain)) notes.push(`dkim=pass for ${signer}, not aligned with ${fromDomain}`);
  else if (!refusedByReceipt('dkim')) return { authenticated: true, method: 'dkim', domain: signer, detail: `dkim=pass for ${signer}, aligned with ${fromDomain}` };
  return null;
}

/** Decides whether the From domain is authenticated (see the module comment for the rules). */
export function authenticateSender(input: SenderAuthenticationInput): SenderAuthentication {
  const { results, fromDomain, receipt } = input;
  if (fromDomain === null) return { authenticated: false, detail: 'the From address is not comparable, so nothing can authenticate it' };
  if (results === null) return { authenticated: false, detail: `no Authentication-Results of ${SES_AUTHSERV_ID} at the top of the mail` };

  const injected = heloInjection(input.sesReceived);
  if (injected) return { authenticated: false, detail: injected };

  const dmarc = resultsOf(results, 'dmarc');
  const spf = resultsOf(results, 'spf');
  if (dmarc.length > 1 || spf.length > 1) {
    return {
      authenticated: false,
      detail: `SES's Authentication-Results holds ${dmarc.length} dmarc and ${spf.length} spf clauses where SES writes one each: a sender-chosen value broke into it`,
    };
  }

  const notes: string[] = [];
  const refusedByReceipt = (method: AuthenticationMethod): boolean => {
    const verdict = receiptSays(receipt?.[method]);
    if (verdict === null || verdict === 'PASS') return false;
    notes.push(`${method} pass in the header but ${verdict} in SES's receipt`);
    return true;
  };

  const [dmarcClause] = dmarc;
  if (receiptSays(receipt?.dmarc) === 'FAIL') {
    return { authenticated: false, detail: "DMARC FAIL in SES's receipt: the domain's DMARC policy refuses this mail" };
  }
  if (dmarcClause) {
    const headerFrom = domainOfValue(propertyOf(dmarcClause, 'header', 'from'));
    if (dmarcClause.result === 'pass') {
      if (headerFrom === fromDomain && !refusedByReceipt('dmarc')) {
        return { authenticated: true, method: 'dmarc', domain: fromDomain, detail: `dmarc=pass for ${fromDomain}` };
      }
      if (headerFrom !== fromDomain) notes.push(`dmarc=pass for ${headerFrom ?? 'no header.from'}, not the From domain ${fromDomain}`);
    } else if (dmarcClause.result === 'fail') {
      return { authenticated: false, detail: `dmarc=fail for ${headerFrom ?? fromDomain}: the domain's DMARC policy refuses this mail` };
    } else {
      notes.push(`dmarc=${dmarcClause.result}`);
    }
  } else {
    notes.push('no dmarc result');
  }

  const byDkim = dkimVerdict(results, fromDomain, notes, refusedByReceipt);
  if (byDkim) return byDkim;

  const [spfClause] = spf;
  if (spfClause) {
    const mailFrom = domainOfValue(propertyOf(spfClause, 'smtp', 'mailfrom') ?? envelopeFromAfter(results, spfClause));
    if (spfClause.result !== 'pass') {
      notes.push(`spf=${spfClause.result}${mailFrom ? ` for ${mailFrom}` : ''}`);
    } else if (mailFrom === null) {
      notes.push('spf=pass without a readable envelope-from');
    } else if (!isAligned(mailFrom, fromDomain)) {
      notes.push(`spf=pass for ${mailFrom}, not aligned with ${fromDomain}`);
    } else if (!refusedByReceipt('spf')) {
      return { authenticated: true, method: 'spf', domain: mailFrom, detail: `spf=pass for ${mailFrom}, aligned with ${fromDomain}` };
    }
  } else {
    notes.push('no spf result');
  }

  return { authenticated: false, detail: `From domain ${fromDomain} not authenticated: ${notes.join('; ')}` };
}
