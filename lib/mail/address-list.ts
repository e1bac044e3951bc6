/**
 * RFC 5322 §3.4 address lists (`From`, `To`, `Cc`), read from the raw header value by their
 * grammar: comments (nested), quoted strings, quoted pairs, groups, domain literals, and the
 * obsolete forms of §4.4 (CFWS around dots, empty list elements, source routes). RFC 6532 UTF-8
 * is accepted in atoms and quoted strings. Encoded words (RFC 2047) are NOT decoded: they may
 * only stand in display names, which this reader drops — display names never identify anyone.
 *
 * Written here rather than taken from npm: `email-addresses` (the RFC 5322 grammar package)
 * overflows the stack on a few thousand nested comments and spends 100–200 ms on 2 KB of hostile
 * header, and mailparser's own address parser is lenient and not a public API. This one is a
 * single linear scan followed by a linear descent over the tokens. Pure.
 */

/** One mailbox's addr-spec (RFC 5322 §3.4.1), its display name dropped. */
export interface AddrSpec {
  /**
   * The local part's meaning: quoting, quoted pairs and CFWS removed, words joined by dots
   * (`"alice"` and `alice` both give `alice`).
   */
  readonly localPart: string;
  /** The domain: its atoms joined by dots, or a domain literal (`[192.0.2.1]`) as written. */
  readonly domain: string;
  readonly domainLiteral: boolean;
}

type Special = '<' | '>' | '@' | ',' | ';' | ':' | '.';

type Token =
  | { readonly kind: 'atom'; readonly text: string }
  | { readonly kind: 'quoted'; readonly text: string }
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'special'; readonly text: Special };

const SPECIALS = new Set<string>(['<', '>', '@', ',', ';', ':', '.']);
/** atext (RFC 5322 §3.2.3) and RFC 6532's UTF8-non-ascii. */
const ATEXT = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]/;
const WSP = /[ \t\r\n]/;

/** Splits a header value into tokens; CFWS is dropped. `null` when it does not tokenize. */
function tokenize(value: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < value.length) {
    const c = value.charAt(i);
    if (WSP.test(c)) {
      i++;
    } else if (c === '(') {
      let depth = 0;
      // Stryker disable next-line EqualityOperator: equivalent, charAt past the end is '' and matches no branch, so one more round changes nothing
      for (; i < value.length; i++) {
        const d = value.charAt(i);
        if (d === '\\') i++;
        else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) break;
      }
      if (depth !== 0) return null;
      i++;
    } else if (c === '"') {
      let text = '';
      // Stryker disable next-line EqualityOperator: equivalent, charAt past the end is '' (added to the text as nothing), and the string is then refused as unclosed
      for (i++; i < value.length && value.charAt(i) !== '"'; i++) {
        const d = value.charAt(i);
        if (d === '\\') {
          if (++i >= value.length) return null;
          text += value.charAt(i);
        } else if (d === '\r' || d === '\n') {
          // a fold inside a quoted string: the CRLF is invisible, the white space stays
        } else {
          text += d;
        }
      }
      if (i >= value.length) return null;
      i++;
      tokens.push({ kind: 'quoted', text });
    } else if (c === '[') {
      const end = value.indexOf(']', i);
      if (end < 0) return null;
      const text = value.slice(i, end + 1).replace(/[ \t\r\n]+/g, '');
      if (/[[\\]/.test(text.slice(1, -1))) return null;
      tokens.push({ kind: 'literal', text });
      i = end + 1;
    } else if (SPECIALS.has(c)) {
      tokens.push({ kind: 'special', text: c as Special });
      i++;
    } else if (ATEXT.test(c)) {
      let end = i + 1;
      // Stryker disable next-line EqualityOperator: equivalent, charAt past the end is '', which is not atext, so the loop stops there anyway
      while (end < value.length && ATEXT.test(value.charAt(end))) end++;
      tokens.push({ kind: 'atom', text: value.slice(i, end) });
      i = end;
    } else {
      return null;
    }
  }
  return tokens;
}

class Descent {
  private at = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private isSpecial(text: Special): boolean {
    const token = this.peek();
    return token?.kind === 'special' && token.text === text;
  }

  private take(text: Special): boolean {
    if (!this.isSpecial(text)) return false;
    this.at++;
    return true;
  }

  private word(): string | null {
    const token = this.peek();
    if (token?.kind !== 'atom' && token?.kind !== 'quoted') return null;
    this.at++;
    return token.text;
  }

  /** address-list (§3.4, with §4.4's empty elements); `false` on a syntax error. */
  addressList(into: AddrSpec[], max: number, groups: boolean): boolean {
    while (this.at < this.tokens.length) {
      if (this.take(',')) continue;
      if (!this.address(into, max, groups)) return false;
      if (this.at < this.tokens.length && !this.take(',')) return false;
    }
    return true;
  }

  /** address = mailbox / group; a mailbox = name-addr / addr-spec. */
  private address(into: AddrSpec[], max: number, groupAllowed: boolean): boolean {
    const start = this.at;
    // A display name (obs-phrase: words and dots), possibly empty.
    while (this.peek()?.kind === 'atom' || this.peek()?.kind === 'quoted' || this.isSpecial('.')) this.at++;
    const phraseLength = this.at - start;
    if (groupAllowed && phraseLength > 0 && this.take(':')) {
      while (!this.isSpecial(';')) {
        if (this.at >= this.tokens.length) return false;
        if (this.take(',')) continue;
        if (!this.address(into, max, false)) return false;
        if (!this.isSpecial(';') && !this.take(',')) return false;
      }
      this.at++;
      return true;
    }
    if (this.take('<')) {
      if (this.isSpecial('@') && !this.skipRoute()) return false;
      const spec = this.addrSpec();
      if (!spec || !this.take('>')) return false;
      if (into.length < max) into.push(spec);
      return true;
    }
    this.at = start;
    const spec = this.addrSpec();
    if (!spec) return false;
    if (into.length < max) into.push(spec);
    return true;
  }

  /** obs-route (§4.4): `@a.example,@b.example:` before the addr-spec; its domains mean nothing. */
  private skipRoute(): boolean {
    // Stryker disable next-line EqualityOperator: equivalent, past the end peek() is undefined and matches no branch, and the route is then refused
    while (this.at < this.tokens.length) {
      const token = this.peek();
      this.at++;
      if (token?.kind === 'special' && token.text === ':') return true;
      if (token?.kind === 'special' && !['@', ',', '.'].includes(token.text)) return false;
      if (token?.kind === 'quoted') return false;
    }
    // Stryker disable next-line BooleanLiteral: equivalent, at the end of the tokens the addr-spec that must follow the route is missing, so the mailbox is refused either way
    return false;
  }

  /** addr-spec = local-part "@" domain (with §4.4's obs-local-part and obs-domain). */
  private addrSpec(): AddrSpec | null {
    const words: string[] = [];
    const first = this.word();
    if (first === null) return null;
    words.push(first);
    while (this.take('.')) {
      const next = this.word();
      if (next === null) return null;
      words.push(next);
    }
    if (!this.take('@')) return null;
    const literal = this.peek();
    if (literal?.kind === 'literal') {
      this.at++;
      return { localPart: words.join('.'), domain: literal.text, domainLiteral: true };
    }
    const labels: string[] = [];
    do {
      const label = this.peek();
      if (label?.kind !== 'atom') return null;
      this.at++;
      labels.push(label.text);
    } while (this.take('.'));
    return { localPart: words.join('.'), domain: labels.join('.'), domainLiteral: false };
  }
}

/** The most mailboxes read from one header value (the first ones are kept). */
export const MAX_MAILBOXES = 100;

/** How {@link parseAddressList} reads a value. */
export interface AddressListOptions {
  /** The most mailboxes kept (the first ones); default {@link MAX_MAILBOXES}. */
  readonly max?: number;
  /**
   * Whether groups (`Team: a@x, b@y;`) are allowed, as in `To` and `Cc` (default); `From` is a
   * mailbox-list (RFC 5322 §3.6.2), where a group is a syntax error.
   */
  readonly groups?: boolean;
}

/**
 * The mailboxes of an address-list header value (RFC 5322 §3.4), group members included, in the
 * order written. `null` when the value does not follow the grammar — one bad element spoils the
 * list, so that a reader never guesses which part was meant. An empty value (or an empty group)
 * gives `[]`.
 */
export function parseAddressList(value: string, options: AddressListOptions = {}): AddrSpec[] | null {
  const tokens = tokenize(value);
  if (tokens === null) return null;
  const out: AddrSpec[] = [];
  return new Descent(tokens).addressList(out, options.max ?? MAX_MAILBOXES, options.groups ?? true) ? out : null;
}
