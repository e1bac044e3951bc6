/**
 * `Authentication-Results` (RFC 8601) read by its grammar, never searched as text: SES puts
 * sender-chosen values (`envelope-from=…`, `helo=…`) into its header before its `dmarc=` clause,
 * so an envelope-from of `dmarc=pass@attacker.example` matched a regular expression for a DMARC
 * pass. Here a method is only ever the method name of a `;`-separated clause.
 *
 * Written here rather than taken from `mailauth`: mailauth's main entry exports no parser of this
 * header; its internal `lib/parse-dkim-headers.js` is untyped, not part of its API, and keys the
 * result by method name, so a second `dmarc=` clause silently replaces the first — the very
 * ambiguity an injected clause relies on. This reader keeps every clause, in order. Pure.
 *
 * Grammar (RFC 8601 §2.2; CFWS and quoted-string from RFC 5322, value/token from RFC 2045):
 *
 *     authres-payload = [CFWS] authserv-id [ CFWS authres-version ] ( no-result / 1*resinfo ) [CFWS]
 *     no-result   = [CFWS] ";" [CFWS] "none"
 *     resinfo     = [CFWS] ";" methodspec [ CFWS reasonspec ] [ CFWS 1*propspec ]
 *     methodspec  = [CFWS] method [CFWS] "=" [CFWS] result
 *     method      = Keyword [ [CFWS] "/" [CFWS] method-version ]
 *     reasonspec  = "reason" [CFWS] "=" [CFWS] value
 *     propspec    = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 *     pvalue      = [CFWS] ( value / [ [ local-part ] "@" ] domain-name ) [CFWS]
 *
 * Leniencies, each for a header SES really writes
 * (`amazonses.com; spf=pass (spfCheck: …) client-ip=192.0.2.1; envelope-from=a@b.example;
 * helo=mx.b.example; dkim=pass header.i=@b.example; dmarc=pass header.from=b.example;`):
 * an empty clause (the final `;`) is ignored; a property without a ptype (`client-ip=…`) is kept
 * with ptype `''`; and a `;`-separated part that is not a resinfo (`envelope-from=…`, `helo=…`,
 * which belong to the `spf` clause before them) is kept as an {@link OtherClause} — never as a
 * method result.
 */

/** One `ptype.property=value` of a clause; `ptype` and `property` in lower case. */
export interface AuthResultProperty {
  /** `''` for a property written without one (SES's `client-ip=…`). */
  readonly ptype: string;
  readonly property: string;
  /** The value as written: a quoted string without its quotes, else the text up to the next white space or comment. */
  readonly value: string;
}

/** A resinfo clause: `method=result [reason=…] ptype.property=value …`. */
export interface ResultClause {
  readonly kind: 'result';
  /** The method name (`dmarc`, `spf`, `dkim`, …), lower case. */
  readonly method: string;
  readonly methodVersion: number | null;
  /** The result (`pass`, `fail`, `none`, …), lower case. */
  readonly result: string;
  readonly reason: string | null;
  readonly properties: readonly AuthResultProperty[];
}

/**
 * A `;`-separated part that is not a resinfo: `key=value` (SES's `envelope-from=a@b.example`),
 * or bare text (`key` null). Its value is the text after the first `=`, comments removed.
 */
export interface OtherClause {
  readonly kind: 'other';
  readonly key: string | null;
  readonly value: string;
}

export type AuthResultClause = ResultClause | OtherClause;

/** One parsed `Authentication-Results` header. */
export interface AuthenticationResults {
  /** Who wrote it (`amazonses.com`), lower case. */
  readonly authservId: string;
  readonly version: number | null;
  /** Whether it says `none` (no authentication was done). */
  readonly none: boolean;
  /** Every clause after the authserv-id, in order. */
  readonly clauses: readonly AuthResultClause[];
}

/** The authserv-id SES's inbound mail writes. */
export const SES_AUTHSERV_ID = 'amazonses.com';

/**
 * The top-level `;`-separated parts of a header value, outside quoted strings and (nested)
 * comments. `null` when a quoted string or comment is not closed: what follows it could belong
 * to any part, so nothing in the header can be read with confidence.
 */
function splitClauses(value: string): string[] | null {
  const parts: string[] = [];
  let start = 0;
  let depth = 0;
  let quoted = false;
  // Stryker disable next-line EqualityOperator: equivalent, charAt past the end is '' and matches no branch, so one more round changes nothing
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    if (c === '\\' && (quoted || depth > 0)) {
      i++;
    } else if (quoted) {
      if (c === '"') quoted = false;
    } else if (c === '(') {
      depth++;
    } else if (depth > 0) {
      if (c === ')') depth--;
    } else if (c === '"') {
      quoted = true;
    } else if (c === ';') {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted || depth > 0) return null;
  parts.push(value.slice(start));
  return parts;
}

const KEYWORD = /[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/y;
const DIGITS = /[0-9]+/y;
/** RFC 2045 token: any CHAR but SPACE, CTLs and tspecials. */
const TOKEN = /[!#$%&'*+\-.0-9A-Z^_`a-z{|}~]+/y;
const WSP = /[ \t\r\n]/;

/** A cursor over one clause. Every method returns `null` (and may leave the cursor anywhere) on a syntax error. */
class Scanner {
  at = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.at >= this.text.length;
  }

  /** Skips white space and (nested, already known to be closed) comments. */
  cfws(): void {
    // Stryker disable next-line EqualityOperator: equivalent, charAt past the end is '' and matches no branch, so one more round changes nothing
    while (this.at < this.text.length) {
      const c = this.text.charAt(this.at);
      if (WSP.test(c)) {
        this.at++;
      } else if (c === '(') {
        let depth = 0;
        // Stryker disable next-line EqualityOperator: equivalent, comments are known to be closed here (splitClauses), so the loop always ends at a ')'
        for (; this.at < this.text.length; this.at++) {
          const d = this.text.charAt(this.at);
          if (d === '\\') this.at++;
          else if (d === '(') depth++;
          else if (d === ')' && --depth === 0) break;
        }
        this.at++;
      } else {
        return;
      }
    }
  }

  private match(pattern: RegExp): string | null {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (!found) return null;
    this.at += found[0].length;
    return found[0];
  }

  /**
   * A Keyword (RFC 5321 Let-dig [Ldh-str]), lower case. Whatever follows it is judged by the
   * caller's next step, which takes only CFWS, "=", "." or "/" there (and a result must be
   * followed by CFWS or the end): a keyword glued to any other character fails the clause
   * (test/unit/authentication-results-malformed-clauses.test.ts).
   */
  keyword(): string | null {
    return this.match(KEYWORD)?.toLowerCase() ?? null;
  }

  digits(): number | null {
    const digits = this.match(DIGITS);
    return digits === null ? null : Number(digits);
  }

  take(c: string): boolean {
    if (this.text.charAt(this.at) !== c) return false;
    this.at++;
    return true;
  }

  quotedString(): string | null {
    if (!this.take('"')) return null;
    let out = '';
    // Stryker disable next-line EqualityOperator: equivalent, charAt past the end is '' and matches no branch, so one more round changes nothing
    for (; this.at < this.text.length; this.at++) {
      const c = this.text.charAt(this.at);
      if (c === '\\') out += this.text.charAt(++this.at);
      else if (c === '"') {
        this.at++;
        return out;
      } else if (c !== '\r' && c !== '\n') out += c;
    }
    return null;
  }

  /** value = token / quoted-string (RFC 2045). */
  value(): string | null {
    return this.text.charAt(this.at) === '"' ? this.quotedString() : this.match(TOKEN);
  }

  /**
   * pvalue: a quoted string, or the run of text up to white space or a comment. A quoted local
   * part (`"a b"@example.com`) is kept with its quotes, so that the domain is still after the last `@`.
   */
  pvalue(): string | null {
    const start = this.at;
    if (this.text.charAt(this.at) === '"') {
      const quoted = this.quotedString();
      // A quoted string that is not closed (null) leaves the cursor at the end, where no "@" follows.
      if (this.text.charAt(this.at) !== '@') return quoted;
    }
    // Stryker disable next-line EqualityOperator: equivalent, charAt past the end is '' and matches no branch, so one more round changes nothing
    while (this.at < this.text.length) {
      const c = this.text.charAt(this.at);
      if (WSP.test(c) || c === '(') break;
      if (c === '"') {
        if (this.quotedString() === null) return null;
      } else {
        this.at++;
      }
    }
    const run = this.text.slice(start, this.at);
    return run === '' ? null : run;
  }
}

/** The text of a clause without comments, white space collapsed. */
function withoutComments(text: string): string {
  const scanner = new Scanner(text);
  let out = '';
  while (!scanner.done) {
    const before = scanner.at;
    scanner.cfws();
    if (scanner.at > before) {
      out += ' ';
      continue;
    }
    const c = text.charAt(scanner.at);
    if (c === '"') {
      const start = scanner.at;
      scanner.quotedString();
      out += text.slice(start, scanner.at);
    } else {
      out += c;
      scanner.at++;
    }
  }
  return out.replace(/\s+/g, ' ').trim();
}

function resinfo(text: string): ResultClause | null {
  const s = new Scanner(text);
  s.cfws();
  const method = s.keyword();
  if (method === null) return null;
  s.cfws();
  let methodVersion: number | null = null;
  if (s.take('/')) {
    s.cfws();
    methodVersion = s.digits();
    if (methodVersion === null) return null;
    s.cfws();
  }
  if (!s.take('=')) return null;
  s.cfws();
  const result = s.keyword();
  if (result === null) return null;
  let reason: string | null = null;
  const properties: AuthResultProperty[] = [];
  for (;;) {
    const before = s.at;
    s.cfws();
    if (s.done) break;
    if (s.at === before) return null; // specs are separated by CFWS
    const ptype = s.keyword();
    if (ptype === null) return null;
    s.cfws();
    if (ptype === 'reason' && reason === null && properties.length === 0 && s.take('=')) {
      s.cfws();
      reason = s.value();
      if (reason === null) return null;
      continue;
    }
    if (s.take('=')) {
      // SES writes `spf=pass (…) client-ip=192.0.2.1`: a property without a ptype.
      s.cfws();
      const value = s.pvalue();
      if (value === null) return null;
      properties.push({ ptype: '', property: ptype, value });
      continue;
    }
    if (!s.take('.')) return null;
    s.cfws();
    const property = s.keyword();
    if (property === null) return null;
    s.cfws();
    if (!s.take('=')) return null;
    s.cfws();
    const value = s.pvalue();
    if (value === null) return null;
    properties.push({ ptype, property, value });
  }
  return { kind: 'result', method, methodVersion, result, reason, properties };
}

function other(text: string): OtherClause {
  const plain = withoutComments(text);
  const eq = plain.indexOf('=');
  if (eq < 0) return { kind: 'other', key: null, value: plain };
  return { kind: 'other', key: plain.slice(0, eq).trim().toLowerCase(), value: plain.slice(eq + 1).trim() };
}

/**
 * Parses one `Authentication-Results` value (without the field name). `null` when it has no
 * authserv-id or leaves a quoted string or comment open.
 */
export function parseAuthenticationResults(value: string): AuthenticationResults | null {
  const parts = splitClauses(value);
  if (parts === null) return null;
  const head = new Scanner(parts[0] as string);
  head.cfws();
  const authservId = head.value();
  if (authservId === null || authservId === '') return null;
  head.cfws();
  const version = head.done ? null : head.digits();
  head.cfws();
  if (!head.done) return null;

  let none = false;
  const clauses: AuthResultClause[] = [];
  for (const part of parts.slice(1)) {
    const plain = withoutComments(part);
    if (plain === '') continue;
    if (plain.toLowerCase() === 'none') {
      none = true;
      continue;
    }
    clauses.push(resinfo(part) ?? other(part));
  }
  return { authservId: authservId.toLowerCase(), version, none, clauses };
}

/** The result clauses of one method (`dmarc`, `spf`, `dkim`), in order. */
export function resultsOf(results: AuthenticationResults, method: string): ResultClause[] {
  const wanted = method.toLowerCase();
  return results.clauses.filter((clause): clause is ResultClause => clause.kind === 'result' && clause.method === wanted);
}

/**
 * The value of `ptype.property` in a clause (`header.from`, `smtp.mailfrom`, `header.d`), or
 * `null` when it is absent — or written twice with different values, which no honest writer does.
 */
export function propertyOf(clause: ResultClause, ptype: string, property: string): string | null {
  const values = new Set(
    clause.properties.filter((p) => p.ptype === ptype.toLowerCase() && p.property === property.toLowerCase()).map((p) => p.value),
  );
  return values.size === 1 ? ([...values][0] as string) : null;
}

/**
 * The results SES wrote: the TOPMOST `Authentication-Results` of the mail (SES prepends its
 * headers; any further down were written by the sender or a hop before SES), when its
 * authserv-id is `amazonses.com`. `rawValues` are the raw header values, topmost first
 * (`readRawHeaders(...)['authentication-results']`). `null` when the topmost one is not SES's
 * or does not parse.
 */
export function sesAuthenticationResults(rawValues: readonly string[] | undefined): AuthenticationResults | null {
  const topmost = rawValues?.[0];
  if (topmost === undefined) return null;
  const parsed = parseAuthenticationResults(topmost);
  return parsed !== null && parsed.authservId === SES_AUTHSERV_ID ? parsed : null;
}
