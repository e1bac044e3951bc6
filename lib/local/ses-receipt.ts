/**
 * What SES prepends to a mail it receives, simulated for the local run. SES computes SPF, DKIM
 * and DMARC from DNS, which a local run cannot; a mail file stands for mail from a sender that
 * passes, unless it carries SES's headers itself. So each header SES writes that the file lacks is
 * prepended, as SES writes it for a passing sender, and each one the file has is kept as it is
 * (a file can state failing verdicts):
 * - `Received: … by inbound-smtp.<region>.amazonaws.com … for <recipient>;`
 * - `X-SES-Spam-Verdict: PASS`, `X-SES-Virus-Verdict: PASS`
 * - `Authentication-Results: amazonses.com; spf=pass (…) client-ip=…; envelope-from=<from>; helo=…;
 *   dkim=pass header.i=@<domain>; dmarc=pass header.from=<domain>;`
 *
 * (SES's headers: https://docs.aws.amazon.com/ses/latest/dg/receiving-email-concepts.html)
 */

/** Where the simulated SES received the mail. */
export interface SimulatedReceipt {
  /** The configured mailbox addresses (lower case): the recipient is the first of them the mail is addressed to. */
  readonly mailboxes: readonly string[];
  readonly region: string;
  readonly now: Date;
  /**
   * The envelope recipient SES received the mail for (`RCPT TO`, the local SMTP intake knows it);
   * absent: taken from the To and Cc headers, as for a mail file.
   */
  readonly recipient?: string;
}

const ADDRESS = /[^\s<>,;:"()[\]]+@[^\s<>,;:"()[\]]+/g;

/** The header block's fields, unfolded, as `[lower-case name, value]`, topmost first. */
function headerFields(head: string): [string, string][] {
  const fields: [string, string][] = [];
  for (const line of head.split(/\r?\n/)) {
    const last = fields[fields.length - 1];
    if (/^[ \t]/.test(line) && last) last[1] += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      if (colon > 0) fields.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  return fields;
}

const base = (address: string) => address.toLowerCase().replace(/\+[^@]*@/, '@');

/** The recipient SES would name: the first To/Cc address that is a mailbox, else the first To address, else the first mailbox. */
function recipientOf(fields: readonly [string, string][], mailboxes: readonly string[]): string {
  const addressed = fields.filter(([name]) => name === 'to' || name === 'cc').flatMap(([, value]) => value.match(ADDRESS) ?? []);
  return addressed.find((a) => mailboxes.includes(base(a))) ?? addressed[0] ?? mailboxes[0] ?? 'support@helpdesk.example';
}

/** The sender's domain as the From header writes it (not decoded), or `null`. */
function fromDomain(fields: readonly [string, string][]): { address: string; domain: string } | null {
  const from = fields.find(([name]) => name === 'from')?.[1];
  const address = from?.match(ADDRESS)?.[0];
  const domain = address?.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return address && domain ? { address, domain } : null;
}

/** The headers SES would prepend that `raw` lacks, in SES's order, each line ending in CRLF. */
export function simulatedSesHeaders(raw: Uint8Array, receipt: SimulatedReceipt): string {
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const fields = headerFields(end < 0 ? text : text.slice(0, end));
  // Not a mail at all (no bytes, no header section): kept as it is, for the gateway to skip as `empty`.
  if (fields.length === 0) return '';
  const has = (name: string, test: (value: string) => boolean = () => true) => fields.some(([n, v]) => n === name && test(v));
  const lines: string[] = [];
  if (!has('received', (v) => /\bby\s+inbound-smtp\.[a-z0-9-]+\.amazonaws\.com\b/i.test(v))) {
    const recipient = receipt.recipient ?? recipientOf(fields, receipt.mailboxes);
    // The mail's own Date stands in for the time of receipt, so the same file is always stored as the same bytes.
    const date = new Date(fields.find(([name]) => name === 'date')?.[1] ?? '');
    const at = Number.isNaN(date.getTime()) ? receipt.now : date;
    lines.push(`Received: from localhost (localhost [127.0.0.1])\r\n by inbound-smtp.${receipt.region}.amazonaws.com with SMTP id local\r\n for ${recipient};\r\n ${at.toUTCString()}`);
  }
  if (!has('x-ses-spam-verdict')) lines.push('X-SES-Spam-Verdict: PASS');
  if (!has('x-ses-virus-verdict')) lines.push('X-SES-Virus-Verdict: PASS');
  const sender = fromDomain(fields);
  if (sender && !has('authentication-results', (v) => /^amazonses\.com\s*;/i.test(v))) {
    lines.push(
      `Authentication-Results: amazonses.com;\r\n spf=pass (spfCheck: simulated by the local run) client-ip=127.0.0.1; envelope-from=${sender.address}; helo=localhost;\r\n dkim=pass header.i=@${sender.domain};\r\n dmarc=pass header.from=${sender.domain};`,
    );
  }
  return lines.map((line) => `${line}\r\n`).join('');
}

/** `raw` with the headers SES would prepend (see {@link simulatedSesHeaders}). */
export function withSimulatedSesReceipt(raw: Uint8Array, receipt: SimulatedReceipt): Buffer {
  const added = simulatedSesHeaders(raw, receipt);
  return added ? Buffer.concat([Buffer.from(added, 'latin1'), raw]) : Buffer.from(raw);
}
