/**
 * Where reading a mail stops, and what its fingerprint covers, both decided by its plan alone (never
 * by how far the parser happened to get): a skip the header block decides (`readsBody: false` in
 * `outcomes.ts`), or a duplicate of such a skip, stops the read at the header block and is
 * fingerprinted over its header block; everything else is read to the end and fingerprinted over
 * its content.
 */
import { contentFingerprint, headersFingerprint } from '../mail/content-fingerprint.js';
import type { MailRecord } from '../mail/record.js';
import { SKIP_REASONS } from '../outcomes.js';
import type { Plan } from './types.js';

/**
 * Whether the plan's outcome is known without the body: a skip with `readsBody: false`, a
 * `duplicate` whose holder was itself fingerprinted over its header block (its fingerprint is
 * compared with this mail's header block), or a redelivery of a mail recorded at its header block
 * (what it redoes after the commit — the event, the notice, the tags — reads no body, and a body
 * the first attempt never read must not give the object a second outcome, `malformed`).
 */
export function stopsAtHeaders(plan: Pick<Plan, 'decision' | 'heldBy' | 'prior'>): boolean {
  const { decision, prior } = plan;
  if (decision.kind === 'redelivered') return prior?.direction === 'inbound' && prior.fingerprintScope === 'headers';
  if (decision.kind !== 'skip') return false;
  if (decision.reason === 'duplicate') return plan.heldBy?.headersOnly === true;
  return !SKIP_REASONS[decision.reason].readsBody;
}

/** A mail's fingerprint, and whether it covers the header block only (see `LedgerEntry.fingerprintScope`). */
export interface MailFingerprint {
  readonly fingerprint: string;
  readonly fingerprintScope?: 'headers';
  /**
   * The header-block fingerprint, whatever the scope of {@link fingerprint}: the key of its own a
   * mail gets when it is distinct from the holder of its Message-ID (`<key>#<headerBlock>`). Never
   * the content fingerprint: the key must not depend on how far the holder was read (a holder
   * recorded at its header block and later replayed in full would give two copies of one mail two
   * keys, and two follow-ups).
   */
  readonly headerBlock: string;
}

/** The fingerprint of a planned mail's header block (`headersFingerprint`). */
export function headerBlockFingerprint(plan: Pick<Plan, 'headers' | 'sender'>): string {
  const { headers, sender } = plan;
  return headersFingerprint({
    from: sender.address,
    date: headers.date,
    subject: headers.subject,
    authenticated: sender.authenticated,
    inReplyTo: headers.inReplyTo,
    references: headers.references,
    to: headers.to.map((a) => a.address),
    cc: headers.cc.map((a) => a.address),
  });
}

/**
 * The fingerprint of a planned mail: over its header block when the plan {@link stopsAtHeaders}
 * (`record` then holds no body: it is not looked at), else over its content.
 */
export function fingerprintOf(plan: Plan, record: MailRecord): MailFingerprint {
  const headerBlock = headerBlockFingerprint(plan);
  if (stopsAtHeaders(plan)) return { fingerprint: headerBlock, fingerprintScope: 'headers', headerBlock };
  return {
    fingerprint: contentFingerprint({
      from: plan.sender.address,
      date: record.date,
      subject: record.subject,
      text: record.text,
      attachmentSha256: record.attachments.map((a) => a.sha256),
      authenticated: plan.sender.authenticated,
    }),
    headerBlock,
  };
}
