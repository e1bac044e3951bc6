/** The text `npm run inspect` prints for an {@link Inspection}, check by check. Pure. */
import type { PriorEntry } from '../ledger-outcomes.js';
import type { InspectedReference, Inspection } from './inspect-mail.js';

/** Lines of the body printed before it is cut (`--json` has it all). */
export const BODY_LINES_SHOWN = 30;

const LABEL_WIDTH = 18;

function row(label: string, text: string): string {
  return `${label.padEnd(LABEL_WIDTH)}${text}`.trimEnd();
}

function indented(text: string, maxLines: number): string[] {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const shown = lines.slice(0, maxLines).map((line) => `${' '.repeat(LABEL_WIDTH)}| ${line}`);
  if (lines.length > maxLines) shown.push(`${' '.repeat(LABEL_WIDTH)}… ${lines.length - maxLines} more lines (--json has the whole text)`);
  return shown;
}

function ledgerText(prior: PriorEntry): string {
  switch (prior.kind) {
    case 'none':
      return 'no entry under this key: the mail is new';
    case 'other-object':
      return `another stored mail holds this key: ${prior.key}`;
    case 'same-object':
      return prior.state === 'pending' ? `this object's unfinished claim for new ticket ${prior.claim.ticketId}` : 'this object was handled before';
  }
}

function referenceText(reference: InspectedReference): string {
  const { chain } = reference;
  const via = chain.via.length > 0 ? ` via merged ${chain.via.join(' → ')}` : '';
  const where = chain.kind === 'found' ? `ticket ${chain.ticketId} (${chain.status})${via}` : chain.kind === 'loop' ? `a merge loop${via}` : `no such ticket${via}`;
  const standing = reference.standing === null ? '' : `; sender ${reference.standing}`;
  return `${reference.description} → ${where}${standing}`;
}

function decisionText(decision: Inspection['decision']): string {
  switch (decision.outcome) {
    case 'followup':
      return `follow-up on ticket ${decision.ticketId}${decision.reopen ? ' (reopens it)' : ''}${decision.mergedFrom.length > 0 ? ` (merged from ${decision.mergedFrom.join(', ')})` : ''}`;
    case 'create':
      return `new ticket in queue ${decision.queue} (its id is reserved only when the mail is processed)`;
    case 'skip':
      return `skip: ${decision.reason} — ${decision.detail}`;
    case 'redelivered':
      return `redelivered: ${decision.detail}`;
    case 'retry':
      return `retry: ${decision.detail}`;
  }
}

/** The inspection as the lines a person reads, numbered in the order the pipeline checks. */
export function renderInspection(inspection: Inspection): string {
  const i = inspection;
  const out: string[] = [`inspect s3://${i.mail.bucket}/${i.mail.key} (dry run: nothing is written)`, ''];
  out.push(row('Message-ID', i.messageId ? `<${i.messageId}>` : '(none)'));
  out.push(row('Subject', i.subject ?? '(not read)'));
  if (i.messageKey) out.push(row('ledger key', i.messageKey));
  out.push('');

  out.push(row('1 screening', !i.screening ? '(not reached)' : i.screening.result ? `sets it aside: ${i.screening.result.reason} — ${i.screening.result.detail}` : 'passes'));
  const v = i.screening?.verdicts;
  if (v) out.push(row('  SES verdicts', `spam ${v.spam ?? '-'}, virus ${v.virus ?? '-'}, dmarc ${v.dmarc ?? '-'}${v.dmarcPolicy ? ` (policy ${v.dmarcPolicy})` : ''}, from the ${v.source}`));

  const a = i.authentication;
  out.push(row('2 authentication', !a ? '(not reached)' : a.ses ? "SES's Authentication-Results (the topmost header):" : 'no Authentication-Results of SES on top of the mail'));
  if (a?.ses) for (const clause of a.ses) out.push(row('', `${clause.method}=${clause.result} ${clause.properties.join(' ')}`));
  if (a) out.push(row('  sender', `${a.sender ?? '(no usable From)'}: ${a.authenticated ? 'authenticated' : 'NOT authenticated'} (${a.detail})`));

  const r = i.routing;
  out.push(row('3 routing', !r ? '(not reached)' : `${r.recipients.join(', ') || '(no recipients)'} → ${r.mailbox ? `${r.mailbox.address ?? 'default route'}: queue ${r.mailbox.queue}, ${r.mailbox.mode}` : 'no mailbox'}`));
  out.push(row('4 ledger', i.ledger ? ledgerText(i.ledger) : '(not reached)'));

  const refs = i.references;
  if (!refs) out.push(row('5 references', '(not reached)'));
  else {
    const looked = [
      refs.replyToken ? `reply address ${refs.replyToken.address} (signature ${refs.replyToken.valid ? 'valid' : 'INVALID'})` : 'no reply address',
      refs.subjectTag ? `subject tag [${refs.subjectTag.queue}-${refs.subjectTag.ticketId}]` : 'no subject tag',
      `${refs.threadIds.length} thread Message-IDs looked up`,
    ];
    out.push(row('5 references', looked.join('; ')));
    if (refs.found.length === 0) out.push(row('', 'none leads to a ticket'));
    for (const reference of refs.found) out.push(row('', `- ${referenceText(reference)}`));
    out.push(row('  taken', refs.won ?? 'none'));
  }

  const p = i.senderPolicy;
  out.push(row('6 sender policy', !p ? '(not reached)' : `${p.policy}, authentication ${p.authentication}; sender ${p.sender ?? '(no usable From)'}${p.agent ? ' is an agent' : ''}`));
  out.push(row('7 decision', decisionText(i.decision)));
  if (i.decision.conflict) out.push(row('', i.decision.conflict));
  if (i.ticket) {
    out.push(row('  new ticket', `submitter ${i.ticket.submitter || '(none)'}; title "${i.ticket.title}"; cc ${i.ticket.cc.join(', ') || '(none)'}`));
    if (i.ticket.forwardedBy) out.push(row('', `forwarded by ${i.ticket.forwardedBy}`));
  }

  const stored = i.applied ? 'would be stored' : 'not stored: the mail is not applied';
  if (!i.body) out.push(row('8 body', '(not read)'));
  else {
    out.push(row('8 body', `${i.body.bytes} bytes, ${stored}${i.applied ? (i.body.storedIn === 'ledger' ? ', in the ledger entry' : ', in S3 as body.txt') : ''}${i.body.hasHtml ? '; has HTML (kept sanitized)' : ''}`));
    out.push(...indented(i.body.text, BODY_LINES_SHOWN));
    const reply = i.body.reply.trim() === '' ? '(empty)' : i.body.reply.trimEnd() === i.body.text.trimEnd() ? 'the whole body (no quoted history or signature found)' : 'without quoted history and signature:';
    out.push(row('  reply part', reply));
    if (reply.endsWith(':')) out.push(...indented(i.body.reply, BODY_LINES_SHOWN));
  }

  out.push(row('9 attachments', i.attachments.length === 0 ? 'none' : `${i.attachments.length}, ${i.applied ? 'verdicts of the attachment policy' : `${stored} (verdicts of the attachment policy had it been applied)`}`));
  for (const at of i.attachments) {
    out.push(row('', `#${at.index} ${at.filename ?? '(no name)'} ${at.contentType} ${at.size} bytes${at.inline ? ' inline' : ''}: ${at.verdict}`));
  }
  return `${out.join('\n')}\n`;
}
