/**
 * The explicit context every stage of the pipeline takes: the ports, the configuration, and what is
 * derived from the configuration once per container rather than once per mail.
 */
import type { GatewayConfig } from '../config.js';
import type { EventDeps } from '../events/publish.js';
import type { NoticeDeps } from '../notices/notice-outbox.js';
import type { MailLocation } from '../ledger-entry.js';
import { SCREENING_HEADERS } from '../mail/headers.js';
import type { MessageLedger, Prefetcher, RawMailStore, TicketStore } from '../ports.js';
import { s3KeyUnder } from '../record-caps.js';
import { subjectTagFinder, type SubjectTag } from '../reference/subject-tag.js';
import type { ReplyTokenKeys } from '../screening/reply-token.js';
import type { FollowupTarget, PipelineDeps } from './types.js';

export interface PipelineContext {
  readonly config: GatewayConfig;
  readonly rawMail: RawMailStore;
  readonly tickets: TicketStore;
  readonly ledger: MessageLedger;
  readonly prefetcher: Prefetcher;
  /** The secrets of signed reply addresses; `null` when the feature is off. */
  readonly replyTokenKeys: ReplyTokenKeys | null;
  readonly now: () => Date;
  /** Finds the subject tag of any configured queue. */
  readonly findSubjectTag: (subject: string) => SubjectTag | null;
  /** Header names beyond the standard ones that the parse keeps (screening, the loop header). */
  readonly extraHeaders: readonly string[];
  /** Publishing of outcome events after the commit; `null` when off. */
  readonly events: EventDeps | null;
  /** Sending sender notices after the commit; `null` when off. */
  readonly notices: NoticeDeps | null;
}

/** Builds the context once, when the pipeline is created. */
export function createPipelineContext(deps: PipelineDeps): PipelineContext {
  const { config } = deps;
  const now = deps.now ?? (() => new Date());
  return {
    config,
    rawMail: deps.rawMail,
    tickets: deps.tickets,
    ledger: deps.ledger,
    prefetcher: deps.prefetcher,
    replyTokenKeys: deps.replyTokenKeys ?? null,
    now,
    findSubjectTag: subjectTagFinder(config.queueSlugs),
    extraHeaders: [...SCREENING_HEADERS, config.screening.loopHeader],
    events: deps.events ? { ...deps.events, ledger: deps.ledger, now } : null,
    notices: config.notices.enabled && deps.notices ? noticeDeps(config, deps.notices, now) : null,
  };
}

/** What sending notices needs, from the configuration and the notice ports. */
function noticeDeps(config: GatewayConfig, ports: NonNullable<PipelineDeps['notices']>, now: () => Date): NoticeDeps {
  const create = config.mailboxes.find((m) => m.mode === 'create' && m.address !== null);
  return {
    ...ports,
    config: config.notices,
    now,
    loopHeader: config.screening.loopHeader,
    createAddress: create?.address ?? null,
    maxMailBytes: config.maxMailBytes,
  };
}

/** The S3 key prefix of what a follow-up stores besides its ledger entry (attachments, a long body). */
export function followupPrefix(config: Pick<GatewayConfig, 'attachmentsPrefix'>, target: FollowupTarget): string {
  return `${config.attachmentsPrefix}${target.ticketId}/${target.followupId}/`;
}

/** Where an infected raw mail is moved to (a hash of its key when prefix and key exceed S3's 1,024 bytes). */
export function quarantineKeyOf(config: Pick<GatewayConfig, 'quarantinePrefix'>, location: MailLocation): string {
  return s3KeyUnder(config.quarantinePrefix, location.key);
}
