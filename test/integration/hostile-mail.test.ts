/**
 * Mail as it really arrives — broken, odd or hostile — through the real handler: every one gets a
 * final outcome (never `retry`, never an exception), and a ticket tag is still honoured where the
 * header block is readable. Fixtures: test/fixtures/hostile/, one file per case.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MailReport } from '../../lib/pipeline/index.js';
import { useGateway } from '../helpers/gateway.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/hostile');
// The fixtures come from senders who are no participants: the sender policy is not what they test.
const fixture = useGateway({ mode: 'update-only', env: { SENDER_POLICY: 'open' } });

/** What each fixture must come to: `followup` on ticket 42, or a skip reason. */
const EXPECTED: Record<string, string> = {
  'address-group-and-garbage-addresses.eml': 'followup',
  'bounce-delivery-status.eml': 'bounce',
  'broken-boundary.eml': 'followup',
  'deeply-nested-multipart.eml': 'followup',
  'forwarded-message-rfc822.eml': 'followup',
  'headers-only-no-blank-line.eml': 'followup',
  'invalid-date-and-8bit-headers.eml': 'followup',
  'message-id-without-brackets-and-comment-in-reply-to.eml': 'followup',
  'mixed-line-endings.eml': 'followup',
  'no-from-no-subject.eml': 'no-ticket-ref',
  'nul-bytes.eml': 'followup',
  'random-binary.eml': 'no-ticket-ref',
  'thousands-of-headers.eml': 'followup',
  'two-message-id-headers.eml': 'followup',
  'unknown-charset.eml': 'followup',
  'utf7-and-koi8.eml': 'no-ticket-ref',
  'very-long-line.eml': 'followup',
};

/**
 * Replies among the fixtures: a fixture listed here threads into the ticket of the ones it names,
 * which are delivered first whatever order the tests run in.
 */
const REPLIES_TO: Record<string, readonly string[]> = {
  'message-id-without-brackets-and-comment-in-reply-to.eml': ['forwarded-message-rfc822.eml'],
};

/** Each fixture is delivered once per file, whichever test asks first: its report. */
const deliveries = new Map<string, Promise<MailReport>>();
async function deliverOnce(file: string): Promise<MailReport> {
  for (const earlier of REPLIES_TO[file] ?? []) await deliverOnce(earlier);
  let delivery = deliveries.get(file);
  if (!delivery) {
    delivery = readFile(join(FIXTURES, file)).then((raw) => fixture.gateway.deliver(file, raw));
    deliveries.set(file, delivery);
  }
  return delivery;
}

describe('hostile and odd real-world mail', async () => {
  const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.eml')).sort();

  it('has an expectation for every fixture', () => {
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s gets its outcome', async (file) => {
    const report = await deliverOnce(file);
    const outcome = report.outcome;
    const got = outcome.kind === 'skipped' ? outcome.reason : outcome.kind;
    expect(got).toBe(EXPECTED[file]);
    if (outcome.kind === 'followup') expect(outcome.ticketId).toBe(42);
  });

  it('threads a reply whose In-Reply-To carries a comment', async () => {
    await deliverOnce('message-id-without-brackets-and-comment-in-reply-to.eml');
    const entry = await fixture.aws.ledgerEntry('nobrackets@x');
    expect(entry).toMatchObject({ outcome: 'followup', ticketId: 42 });
  });

  it('takes the first of two Message-ID headers, and ignores the subject of a forwarded mail', async () => {
    await deliverOnce('two-message-id-headers.eml');
    await deliverOnce('forwarded-message-rfc822.eml');
    expect(await fixture.aws.ledgerEntry('first-of-two@x')).toMatchObject({ ticketId: 42 });
    expect(await fixture.aws.ledgerEntry('fwd-outer@x')).toMatchObject({ ticketId: 42 });
  });
});
