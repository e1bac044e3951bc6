/**
 * What a failure means for a mail: a missing object or an unparseable mail is a recorded skip (a
 * retry cannot help); anything else — an AWS failure, an unknown error — is a `retry`, its error
 * kept in full for the log.
 */
import { MalformedMailError, ObjectMissingError } from '../errors.js';
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
    if (error instanceof MalformedMailError) {
      // Filed by its object, never under its Message-ID: an unreadable mail has no content to
      // compare, so it must not hold a Message-ID that a readable mail may need.
      return await recordSkip(ctx, mail, known?.headers ?? null, objectKeyOf(location, 'object'), { reason: 'malformed', detail: error.message });
    }
  } catch (inner) {
    return { location, messageId: null, outcome: { kind: 'retry', error: String(inner) }, redelivered: false, error: inner };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { location, messageId: known?.headers.messageId ?? null, outcome: { kind: 'retry', error: message }, redelivered: false, error };
}
