/**
 * What a failure means for a mail: a missing object, an unparseable mail, or one whose record AWS
 * refuses to store (`unstorable`) is a recorded skip (a retry cannot help); anything else — an AWS
 * failure, an unknown error — is a `retry`, its error kept in full for the log.
 */
import { MalformedMailError, ObjectMissingError, UnstorableError } from '../errors.js';
import { objectKeyOf } from '../ledger-outcomes.js';
import { recordSkip } from './commit.js';
import type { PipelineContext } from './context.js';
import type { InboundMail, MailReport, Plan } from './types.js';

/** The outcome of a mail whose processing threw `error`; `planned` is the plan, when one was started. Never throws. */
export async function reportFailure(ctx: PipelineContext, mail: InboundMail, error: unknown, planned: Promise<Plan> | undefined): Promise<MailReport> {
  const { location } = mail;
  const known = planned ? await planned.catch(() => undefined) : undefined;
  try {
    if (error instanceof ObjectMissingError) {
      return await recordSkip(ctx, mail, null, objectKeyOf(location, 'object'), { reason: 'object-missing', detail: error.message });
    }
    if (error instanceof MalformedMailError || error instanceof UnstorableError) {
      const reason = error instanceof UnstorableError ? 'unstorable' : 'malformed';
      return await recordUnreadable(ctx, mail, known, { reason, detail: error.message });
    }
  } catch (inner) {
    return { location, messageId: known?.headers.messageId ?? null, outcome: { kind: 'retry', error: String(inner) }, redelivered: false, error: inner };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { location, messageId: known?.headers.messageId ?? null, outcome: { kind: 'retry', error: message }, redelivered: false, error };
}

/**
 * Records a mail that cannot be read or stored. It is filed by its object, never under its
 * Message-ID (it has no content to compare, so it must not hold a Message-ID a readable mail may
 * need) — except over its own `pending` claim, which the skip replaces so that it blocks nothing.
 * When even that record is refused, it is recorded by its object alone, without its headers.
 */
async function recordUnreadable(ctx: PipelineContext, mail: InboundMail, known: Plan | undefined, why: { reason: 'malformed' | 'unstorable'; detail: string }): Promise<MailReport> {
  const objectKey = objectKeyOf(mail.location, 'object');
  const claimed = known?.decision.kind === 'create' && known.target !== null;
  try {
    return await recordSkip(ctx, mail, known?.headers ?? null, claimed && known ? known.messageKey : objectKey, why);
  } catch (refused) {
    if (!(refused instanceof UnstorableError) || !known) throw refused;
    return recordSkip(ctx, mail, null, claimed ? known.messageKey : objectKey, { ...why, detail: `${why.detail}; recording it: ${refused.message}` });
  }
}
