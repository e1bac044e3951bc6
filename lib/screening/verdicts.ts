/**
 * SES's spam, virus and DMARC verdicts: from the SES receipt when the event carries one, else from
 * the headers SES adds to the stored mail. Only SES's own headers count — the topmost ones, which
 * SES prepends — never a verdict a sender wrote into the mail further down. Pure.
 */
import type { MailHeaders } from '../mail/record.js';
import type { SesVerdicts } from '../envelope.js';

/** The verdicts a mail came with; `null` where nothing says. */
export interface MailVerdicts {
  readonly virus: string | null;
  readonly spam: string | null;
  readonly dmarc: string | null;
  /** The sender domain's DMARC policy (`none`, `quarantine`, `reject`): only the receipt knows it. */
  readonly dmarcPolicy: string | null;
  readonly source: 'receipt' | 'headers';
}

/** `Authentication-Results: amazonses.com; spf=pass …; dmarc=fail header.from=…` */
const SES_AUTH_RESULTS = /^\s*amazonses\.com\s*;/i;
const DMARC_RESULT = /\bdmarc\s*=\s*([a-z]+)/i;

const lower = (value: string | undefined | null) => (value ? value.trim().toLowerCase() : null);

export function readVerdicts(receipt: SesVerdicts | undefined, headers: Pick<MailHeaders, 'extra'>): MailVerdicts {
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
  const sesResults = headers.extra['authentication-results']?.find((value) => SES_AUTH_RESULTS.test(value));
  return {
    virus: lower(first('x-ses-virus-verdict')),
    spam: lower(first('x-ses-spam-verdict')),
    dmarc: lower(sesResults ? DMARC_RESULT.exec(sesResults)?.[1] : null),
    dmarcPolicy: null,
    source: 'headers',
  };
}
