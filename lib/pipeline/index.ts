/**
 * The pipeline of one mail, wired from its stages — the only place that knows their order:
 *
 * 1. `read.ts`    open the raw mail in S3, the size check, the streaming parse;
 * 2. `plan.ts`    at the header block: ledger key, screening, references, one prefetch, the decision;
 * 3. `apply.ts`   the writes of the outcome, in the documented order (attachments stream meanwhile);
 * 4. `commit.ts`  the ledger entry (the commit point) and keeping the raw mail;
 * and `failure.ts` for what an error means (a recorded skip, or a retry).
 */
import { DistinctMailError } from '../errors.js';
import type { MailHeaders } from '../mail/record.js';
import { applyPlan, attachmentSinkFor } from './apply.js';
import { recordSkip } from './commit.js';
import { createPipelineContext, type PipelineContext } from './context.js';
import { reportFailure } from './failure.js';
import { noticeOfUnreadMail } from './notice.js';
import { keyedApartAfter, planMail } from './plan.js';
import { readMail } from './read.js';
import { objectKeyOf } from '../ledger-outcomes.js';
import type { InboundMail, MailProcessor, MailReport, PipelineDeps, Plan } from './types.js';

export type { MailProcessor, MailReport, PipelineDeps, ProcessOptions } from './types.js';

/** Builds the mail processor over the given ports. */
export function createMailProcessor(deps: PipelineDeps): MailProcessor {
  const ctx = createPipelineContext(deps);
  return async (location, envelope, options) => processMail(ctx, { location, envelope, replay: options?.replay ?? false });
}

/** Processes one mail to its outcome: read (planning at the header block), apply, commit. Never throws. */
async function processMail(ctx: PipelineContext, mail: InboundMail): Promise<MailReport> {
  let planned: Promise<Plan> | undefined;
  try {
    const read = await readMail(ctx, mail, async (headers: MailHeaders) => {
      planned = planMail(ctx, mail, headers);
      return attachmentSinkFor(ctx, await planned);
    });
    if (read.kind === 'too-large') {
      const detail = `${read.size} bytes, more than MAX_MAIL_BYTES=${ctx.config.maxMailBytes}`;
      const notice = await noticeOfUnreadMail(ctx, mail, 'too-large');
      return await recordSkip(ctx, mail, null, objectKeyOf(mail.location, 'object'), { reason: 'too-large', detail, ...notice });
    }
    if (!planned) throw new Error('the parser finished without reading a header block');
    return await applyPlan(ctx, await planned, read.record, mail);
  } catch (error) {
    // Another mail holds this Message-ID with other content: this one is processed again as a mail
    // of its own, under its Message-ID and header-block fingerprint, then under its own object.
    const apart = error instanceof DistinctMailError ? keyedApartAfter(mail, error.fingerprint) : null;
    if (apart) return processMail(ctx, { ...mail, keyedApart: apart });
    return reportFailure(ctx, mail, error, planned);
  }
}
