/**
 * What is known about a mail from outside it: the SES receipt that came with its delivery. SES
 * computed these facts from the SMTP session and DNS, so they are the most trustworthy of all —
 * nothing the sender wrote into the mail can change them.
 * (Receipt fields: https://docs.aws.amazon.com/ses/latest/dg/receiving-email-notifications-contents.html)
 */

/** What SES's receipt says about a mail (`PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`, …). */
export interface SesVerdicts {
  readonly spam?: string;
  readonly virus?: string;
  readonly spf?: string;
  readonly dkim?: string;
  readonly dmarc?: string;
  /** The sender domain's DMARC policy as SES found it (`none`, `quarantine`, `reject`). */
  readonly dmarcPolicy?: string;
}

/** The delivery of one mail as SES describes it: the recipients it accepted the mail for, and its verdicts. */
export interface Envelope {
  readonly recipients: readonly string[];
  readonly verdicts?: SesVerdicts;
}
