/**
 * An outside review of issue 14 (sender notices), through the real handler against dynalite,
 * s3rver and the local SES v2 server (aws-ses-v2-local). The local run simulates SES's passing
 * verdicts: that stands for an attacker who owns a domain with DKIM and DMARC (anyone can).
 *
 * The first groups are what the review broke (fixed since); "held" pins what it tried that held.
 *
 * Where SES itself must refuse a notice, the notice port is wrapped to refuse it as SES documents
 * (aws-ses-v2-local accepts anything, so no local server can): `MessageHeader.Value` is at most 870
 * printable ASCII characters (SES API v2 reference, MessageHeader).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createAwsClients, observeAwsRequests, type SentRequest } from '../../lib/adapters/aws-clients.js';
import { awsPipelineDeps } from '../../lib/adapters/aws-pipeline.js';
import { loadConfig } from '../../lib/config.js';
import { mailsFromS3Notification } from '../../lib/intake.js';
import type { SentMail } from '../../lib/local/ses-server.js';
import type { OutgoingNotice } from '../../lib/notices/notice-ports.js';
import { createMailProcessor, type PipelineDeps } from '../../lib/pipeline/index.js';
import { useGateway } from '../helpers/gateway.js';
import { composeMail, newMessageId } from '../helpers/mail.js';

const MAILBOXES = 'support@helpdesk.example=support:update-only,new@helpdesk.example=support:create';
const fixture = useGateway({ mode: 'update-only', env: { SENDER_NOTICES: 'true', MAILBOXES } });

const tag = () => randomBytes(4).toString('hex');
const newSender = (label: string, domain = 'customer.example') => `${label}-${tag()}@${domain}`;

async function noticesTo(address: string): Promise<SentMail[]> {
  return (await fixture.gateway.stack.ses.sent()).filter((mail) => mail.destination.to.includes(address));
}

/** SES v2's documented rule for `Content.Simple.Headers[].Value`. */
const sesAcceptsHeaderValue = (value: string) => value.length >= 1 && value.length <= 870 && /^[ -~]*$/.test(value);

function processorWith(env: Record<string, string>, wrap: (notices: NonNullable<PipelineDeps['notices']>) => PipelineDeps['notices'] = (n) => n, now?: () => Date) {
  const config = loadConfig({ ...process.env, ...env });
  const deps = awsPipelineDeps(config, createAwsClients(), null);
  if (!deps.notices) throw new Error('notices are off');
  return createMailProcessor({ ...deps, notices: wrap(deps.notices), ...(now ? { now } : {}) });
}

async function processWith(processor: ReturnType<typeof processorWith>, name: string, raw: string) {
  const event = await fixture.gateway.store(`inbound/${name}-${tag()}.eml`, raw);
  const [mail] = mailsFromS3Notification(event, { inboundPrefix: 'inbound/', mailBucket: fixture.gateway.stack.names.bucket }).mails;
  if (!mail) throw new Error('no mail in the event');
  return processor(mail.location, mail.envelope);
}

/** Ten References of about 210 characters each (under the 250 a notice repeats): a long thread, or a sender who wants it so. */
const longReferences = () => Array.from({ length: 10 }, (_, i) => `<${String(i).padStart(2, '0')}${'r'.repeat(180)}-${tag()}@customer.example>`).join(' ');

/** Refuses a notice as SES v2 would (see the module comment), else sends it through the real local server. */
const refusingLikeSes = (notices: NonNullable<PipelineDeps['notices']>): PipelineDeps['notices'] => ({
  ...notices,
  sender: {
    send: async (notice: OutgoingNotice) => {
      if (!notice.headers.every((h) => sesAcceptsHeaderValue(h.value))) {
        throw Object.assign(new Error('1 validation error detected: Value at content.simple.headers.member.value failed to satisfy constraint: Member must have length less than or equal to 870'), { name: 'BadRequestException' });
      }
      await notices.sender.send(notice);
    },
  },
});

describe('never to machines', () => {
  it('sends no notice for mailing-list mail (List-Id, List-Post) without a Precedence header', async () => {
    // Mailman with DMARC mitigation rewrites From to the list's own posting address: a notice
    // to it is distributed to every member of the list.
    const list = `announce-${tag()}@lists.customer.example`;
    const report = await fixture.gateway.deliver(
      'list.eml',
      composeMail({ from: `"Alice via Announce" <${list}>`, subject: '[announce] Weekly digest', headers: [`List-Id: Announce <${list.replace('@', '.')}>`, `List-Post: <mailto:${list}>`, `List-Unsubscribe: <mailto:${list.replace('@', '-leave@')}>`] }),
    );
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(await noticesTo(list)).toEqual([]);
  });

  it('sends no notice for mail with a null Return-Path (MAIL FROM:<>, how machines send notifications)', async () => {
    const sender = newSender('null-return-path');
    const report = await fixture.gateway.deliver('null-rp.eml', composeMail({ from: `Alerts <${sender}>`, subject: 'Job finished', headers: ['Return-Path: <>'] }));
    expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    expect(await noticesTo(sender)).toEqual([]);
  });
});

describe('what SES accepts, and the hourly cap', () => {
  it('gives SES only header values it accepts (at most 870 printable ASCII characters), however long the refused mail\'s References', async () => {
    const sender = newSender('long-refs');
    const sent: SentRequest[] = [];
    const stop = observeAwsRequests((request) => void (request.command === 'SendEmailCommand' && sent.push(request)));
    try {
      await fixture.gateway.deliver('long-refs.eml', composeMail({ from: sender, references: longReferences() }));
    } finally {
      stop();
    }
    const body = JSON.parse(sent[0]?.body ?? '{}') as { Content?: { Simple?: { Headers?: { Name: string; Value: string }[] } } };
    const headers = body.Content?.Simple?.Headers ?? [];
    expect(headers.map((h) => h.Name)).toContain('References');
    expect(headers.filter((h) => !sesAcceptsHeaderValue(h.Value)).map((h) => `${h.Name}: ${h.Value.length} characters`)).toEqual([]);
  });

  it('one sender whose notices SES refuses cannot use up the hourly cap for everyone else', async () => {
    const hour = new Date('2098-01-02T03:04:05Z');
    const processor = processorWith({ SENDER_NOTICES_PER_HOUR: '3' }, refusingLikeSes, () => hour);
    const attacker = newSender('cap-burner', 'attacker.example');
    const burnt = [];
    for (let i = 0; i < 3; i += 1) {
      // Once, each refusal gave the sender's claim back but kept the hourly slot it took.
      const report = await processWith(processor, `burn-${i}`, composeMail({ from: attacker, references: longReferences() }));
      burnt.push(report.notice?.kind === 'sent' ? 'sent' : report.notice?.why);
      // The notice never changes the mail's own outcome.
      expect(report.outcome).toMatchObject({ kind: 'skipped', reason: 'no-ticket-ref' });
    }
    // The References now fit SES's limit: one notice, then the day's claim holds.
    expect(burnt).toEqual(['sent', 'recently-noticed', 'recently-noticed']);
    const customer = newSender('honest');
    const report = await processWith(processor, 'honest', composeMail({ from: customer }));
    expect(report.notice).toEqual({ kind: 'sent', reason: 'no-ticket-ref', to: customer });
  });

  it('a failure of the hourly counter does not leave the sender claimed for 24 hours without a notice', async () => {
    const at = new Date('2098-02-03T04:05:06Z');
    let failCounter = true;
    const flaky = processorWith(
      {},
      (notices) => ({
        ...notices,
        throttle: {
          claimSender: (claim) => notices.throttle.claimSender(claim),
          releaseSender: (claim) => notices.throttle.releaseSender(claim),
          // DynamoDB throttling the hot hour item (one item takes every notice of the hour).
          takeHourlySlot: (when, limit, domain) =>
            failCounter ? Promise.reject(Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ThrottlingException' })) : notices.throttle.takeHourlySlot(when, limit, domain),
        },
      }),
      () => at,
    );
    const sender = newSender('counter-failed');
    expect((await processWith(flaky, 'counter-1', composeMail({ from: sender }))).notice).toMatchObject({ kind: 'suppressed', why: 'failed' });
    failCounter = false;
    const next = await processWith(flaky, 'counter-2', composeMail({ from: sender, subject: 'second try' }));
    // Once, the first mail's claim was never given back: 'recently-noticed' for a day without a notice.
    expect(next.notice).toMatchObject({ kind: 'sent' });
  });
});

describe('one notice per sender and reason a day', () => {
  it('counts subaddresses (+tags) of one mailbox as one sender', async () => {
    const base = `bob-${tag()}`;
    for (const suffix of ['+1', '+2', '+3']) await fixture.gateway.deliver(`plus${suffix}.eml`, composeMail({ from: `${base}${suffix}@customer.example`, subject: `plus ${suffix}` }));
    const all = (await fixture.gateway.stack.ses.sent()).filter((mail) => mail.destination.to.some((to) => to.startsWith(`${base}+`)));
    expect(all).toHaveLength(1);
  });
});

describe('held', () => {
  it('sends one notice for many mails from one sender at once', async () => {
    const sender = newSender('burst');
    const reports = await Promise.all(Array.from({ length: 8 }, (_, i) => fixture.gateway.deliver(`burst-${i}.eml`, composeMail({ from: sender, subject: `burst ${i}` }))));
    expect(reports.filter((r) => r.notice?.kind === 'sent')).toHaveLength(1);
    expect(await noticesTo(sender)).toHaveLength(1);
  });

  it('counts case and IDN forms of one address as one sender', async () => {
    const local = `idn-${tag()}`;
    await fixture.gateway.deliver('idn-u.eml', composeMail({ from: `${local}@bücher.example` }));
    const aLabel = await fixture.gateway.deliver('idn-a.eml', composeMail({ from: `${local.toUpperCase()}@XN--BCHER-KVA.example` }));
    expect(aLabel.notice).toMatchObject({ kind: 'suppressed', why: 'recently-noticed' });
    expect(await noticesTo(`${local}@xn--bcher-kva.example`)).toHaveLength(1);
  });

  it.each([
    ['Reply-To, Sender and Return-Path name the victim', { headers: ['Reply-To: victim@victim.example', 'Sender: victim@victim.example', 'Return-Path: <victim@victim.example>'] }, 'mallory'],
    ['the display name is an encoded word spelling the victim', { from: '"=?utf-8?q?victim=40victim.example?=" <mallory-ew@attacker.example>' }, 'mallory-ew'],
  ] as const)('sends the notice to the From alone when %s', async (_, fields, local) => {
    const from = 'from' in fields ? fields.from : `${local}-${tag()}@attacker.example`;
    const report = await fixture.gateway.deliver('victim.eml', composeMail({ from, ...('headers' in fields ? { headers: fields.headers } : {}) }));
    expect(report.notice?.kind === 'sent' ? report.notice.to : null).toMatch(/@attacker\.example$/);
    expect(await noticesTo('victim@victim.example')).toEqual([]);
  });

  const sesReceived = (helo: string) => `Received: from ${helo} (mail.attacker.example [192.0.2.7]) by inbound-smtp.us-east-1.amazonaws.com with SMTP id abc for support@helpdesk.example; Thu, 26 Nov 2026 08:12:00 +0000`;
  it.each([
    ['two From fields', [`From: mallory@attacker.example`]],
    ['a forged Authentication-Results below SES\'s failing one', [sesReceived('mail.attacker.example'), 'Authentication-Results: amazonses.com; spf=fail (spfCheck: x) client-ip=192.0.2.7; envelope-from=a@attacker.example; helo=mail.attacker.example; dkim=none; dmarc=none header.from=victim.example;', 'Authentication-Results: amazonses.com; spf=pass client-ip=1.2.3.4; envelope-from=v@victim.example; dkim=pass header.d=victim.example; dmarc=pass header.from=victim.example;']],
    ['a HELO that writes clauses into SES\'s results', [sesReceived('x;dkim=pass header.d=victim.example;'), 'Authentication-Results: amazonses.com; spf=none (spfCheck: x) client-ip=192.0.2.7; envelope-from=a@attacker.example; helo=x;dkim=pass header.d=victim.example;; dkim=none; dmarc=none header.from=victim.example;']],
    ['results that pass only for the attacker\'s domain', [sesReceived('mail.attacker.example'), 'Authentication-Results: amazonses.com; spf=pass (spfCheck: x) client-ip=192.0.2.7; envelope-from=a@attacker.example; helo=mail.attacker.example; dkim=pass header.i=@attacker.example; dmarc=pass header.from=attacker.example;']],
  ] as const)('sends no notice to a forged From: %s', async (_, headers) => {
    const victim = newSender('victim', 'victim.example');
    const raw = `${headers.join('\n')}\n${composeMail({ from: victim })}`;
    const report = await fixture.gateway.deliver('forged.eml', raw);
    expect(report.outcome).toMatchObject({ kind: 'skipped' });
    expect(await noticesTo(victim)).toEqual([]);
  });

  it('keeps the echoed subject on one line: an encoded word that decodes to CRLF adds no header, and placeholders are not expanded twice', async () => {
    const sender = newSender('subject');
    await fixture.gateway.deliver('subject.eml', composeMail({ from: sender, subject: '=?utf-8?q?hi=0D=0ABcc:_victim@victim.example=0D=0A=0D=0Abody?= {{createAddress}} {{sender}}' }));
    const [notice] = await noticesTo(sender);
    expect(notice?.subject).toBe('Not added to any ticket: hi Bcc: victim@victim.example body {{createAddress}} {{sender}}');
    expect(notice?.destination).toEqual({ to: [sender], cc: [], bcc: [] });
  });

  it('a notice that comes back, as sent or forwarded with its From rewritten, gets no notice', async () => {
    const sender = newSender('pingpong');
    await fixture.gateway.deliver('pingpong.eml', composeMail({ from: sender, subject: 'ping' }));
    const [notice] = await noticesTo(sender);
    if (!notice) throw new Error('no notice');
    const headers = (notice.headers ?? []).map((h) => `${h.name}: ${h.value}`);
    for (const from of [notice.from, sender]) {
      const back = await fixture.gateway.deliver('back.eml', composeMail({ messageId: newMessageId('back'), from, subject: `Re: ${notice.subject}`, headers }));
      expect(back.outcome).toMatchObject({ kind: 'skipped' });
      expect(back.notice?.kind === 'sent').toBe(false);
    }
    expect(await noticesTo(sender)).toHaveLength(1);
    expect(await noticesTo(notice.from)).toEqual([]);
  });
});

describe('one domain, many addresses', () => {
  it('sends at most ten notices an hour to one sender domain, whatever the addresses', async () => {
    const hour = new Date('2098-03-04T05:06:07Z');
    const processor = processorWith({ SENDER_NOTICES_PER_HOUR: '50' }, (n) => n, () => hour);
    const domain = `many-${tag()}.example`;
    const kinds: string[] = [];
    for (let i = 0; i < 11; i += 1) {
      const report = await processWith(processor, `domain-${i}`, composeMail({ from: newSender(`user${i}`, domain) }));
      kinds.push(report.notice?.kind === 'sent' ? 'sent' : String(report.notice?.why));
    }
    expect(kinds).toEqual([...Array.from({ length: 10 }, () => 'sent'), 'domain-hourly-limit']);
    // Another domain is not held back by it.
    expect((await processWith(processor, 'other-domain', composeMail({ from: newSender('other') }))).notice).toMatchObject({ kind: 'sent' });
  });
});
