/**
 * SES's spam, virus and DMARC verdicts: from the SES receipt when the event carries one, else from
 * the headers SES adds to the stored mail. Only SES's own headers count — the topmost ones, which
 * SES prepends — never a verdict a sender wrote into the mail further down. Pure.
 */
import type { MailHeaders } from '../mail/record.js';
import type { SesVerdicts } from '../envelope.js';
import { resultsOf, sesAuthenticationResults } from './authentication-results.js';

/** The verdicts a mail came with; `null` where nothing says. */
export interface MailVerdicts {
  readonly virus: string | null;
  readonly spam: string | null;
  readonly dmarc: string | null;
  /** The sender domain's DMARC policy (`none`, `quarantine`, `reject`): only the receipt knows it. */
  readonly dmarcPolicy: string | null;
  readonly source: 'receipt' | 'headers';
}

/**
 * The DMARC result SES wrote: the `dmarc` clause of the topmost `Authentication-Results` when
 * SES (`amazonses.com`) wrote it, parsed by RFC 8601's grammar — a `dmarc=pass` inside a
 * sender-chosen value (`envelope-from=dmarc=pass@…`) is not a clause. Any `fail` among several
 * `dmarc` clauses (SES writes one) counts as a fail.
 */
function sesDmarcResult(headers: Pick<MailHeaders, 'raw'>): string | null {
  const results = sesAuthenticationResults(headers.raw['authentication-results']);
  const dmarc = results ? resultsOf(results, 'dmarc').map((clause) => clause.result) : [];
  if (dmarc.includes('fail')) return 'fail';
  return dmarc[0] ?? null;
}

const lower = (value: string | undefined | null) => (value ? value.trim().toLowerCase() : null);

export function readVerdicts(receipt: SesVerdicts | undefined, headers: Pick<MailHeaders, 'extra' | 'raw'>): MailVerdicts {
  if (receipt) {
    return {
      virus: lower(receipt.virus),
      spam: lower(receipt.spam),
      dmarc: lower(receipt.dmarc),
      dmarcPolicy: lower(receipt.dmarcPolicy),
      source: 'receipt',
    };
  }
  const first = (name: string) => headers.extra[name]?.[0];
  return {
    virus: lower(first('x-ses-virus-verdict')),
    spam: lower(first('x-ses-spam-verdict')),
    dmarc: sesDmarcResult(headers),
    dmarcPolicy: null,
    source: 'headers',
  };
}
