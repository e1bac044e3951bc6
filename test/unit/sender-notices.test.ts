/** The pure parts of sender notices: the decision, the configuration, the templates, the composed notice. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { loadNoticeConfig } from '../../lib/notices/notice-config.js';
import { decideNotice, MAX_NOTICE_REFERENCES, type NoticeFacts } from '../../lib/notices/notice-decision.js';
import { composeNotice } from '../../lib/notices/notice-outbox.js';
import { NOTICE_REASON_NAMES, SCREENED_WHYS } from '../../lib/notices/notice-reasons.js';
import { loadNoticeTemplates, parseNoticeTemplate, renderNotice } from '../../lib/notices/notice-templates.js';
import { SKIP_REASONS } from '../../lib/outcomes.js';

const ON = { enabled: true, reasons: new Set(NOTICE_REASON_NAMES) };
const facts: NoticeFacts = {
  reason: 'no-ticket-ref',
  screened: null,
  sender: { address: 'nina@customer.example', authenticated: true },
  mailboxAddress: 'support@helpdesk.example',
  messageId: 'm1@customer.example',
  references: ['r1@customer.example'],
  subject: 'Help',
};

describe('decideNotice', () => {
  it('gives a notice for an authenticated sender of a chosen reason, threaded to the refused mail', () => {
    expect(decideNotice(ON, facts)).toEqual({
      kind: 'notice',
      intent: { reason: 'no-ticket-ref', to: 'nina@customer.example', from: 'support@helpdesk.example', subject: 'Help', inReplyTo: 'm1@customer.example', references: ['r1@customer.example', 'm1@customer.example'] },
    });
  });

  it('gives none when notices are off, or for a reason that was not chosen or gets no notice', () => {
    expect(decideNotice({ ...ON, enabled: false }, facts)).toEqual({ kind: 'none' });
    expect(decideNotice({ ...ON, reasons: new Set(['too-large'] as const) }, facts)).toEqual({ kind: 'none' });
    expect(decideNotice(ON, { ...facts, reason: 'sender-unverified' })).toEqual({ kind: 'none' });
  });

  it.each(SCREENED_WHYS)('suppresses a mail the strict screening marks as %s', (why) => {
    expect(decideNotice(ON, { ...facts, screened: why })).toEqual({ kind: 'suppressed', reason: 'no-ticket-ref', why });
  });

  it('suppresses mail without a usable From, with an unauthenticated From, or without a mailbox address', () => {
    expect(decideNotice(ON, { ...facts, sender: { address: null, authenticated: true } })).toMatchObject({ why: 'no-from' });
    expect(decideNotice(ON, { ...facts, sender: { address: 'nina@customer.example', authenticated: false } })).toMatchObject({ why: 'unauthenticated' });
    expect(decideNotice(ON, { ...facts, mailboxAddress: null })).toMatchObject({ why: 'no-mailbox-address' });
  });

  it('repeats the subject on one line, cut, and only Message-IDs fit for a header, at most ten', () => {
    const references = [...Array.from({ length: 15 }, (_, i) => `r${i}@x`), 'bad id@x', 'in>jected@x'];
    const decision = decideNotice(ON, { ...facts, subject: `a\r\nBcc: evil@x ${'z'.repeat(300)}`, references, messageId: 'm1\r\n@x' });
    if (decision.kind !== 'notice') throw new Error(decision.kind);
    expect(decision.intent.subject).not.toMatch(/[\r\n]/);
    expect(decision.intent.subject.length).toBeLessThanOrEqual(120);
    expect(decision.intent.inReplyTo).toBeNull();
    expect(decision.intent.references).toHaveLength(MAX_NOTICE_REFERENCES);
    expect(decision.intent.references.every((id) => /^[^\s<>]+$/.test(id))).toBe(true);
  });

  it('names only skip reasons of outcomes.ts', () => {
    for (const reason of NOTICE_REASON_NAMES) expect(Object.hasOwn(SKIP_REASONS, reason)).toBe(true);
  });
});

describe('loadNoticeConfig', () => {
  it('is off by default, with every reason and 50 an hour', () => {
    expect(loadNoticeConfig({})).toMatchObject({ enabled: false, perHour: 50, table: null, templatesDir: null });
    expect([...loadNoticeConfig({}).reasons]).toEqual(NOTICE_REASON_NAMES);
  });

  it('reads the chosen reasons, the hourly limit and the table', () => {
    const config = loadNoticeConfig({ SENDER_NOTICES: 'true', SENDER_NOTICE_REASONS: 'too-large, no-ticket-ref', SENDER_NOTICES_PER_HOUR: '7', NOTICES_TABLE: 'n' });
    expect(config).toMatchObject({ enabled: true, perHour: 7, table: 'n' });
    expect([...config.reasons]).toEqual(['too-large', 'no-ticket-ref']);
  });

  it.each([
    [{ SENDER_NOTICES: 'yes' }, 'SENDER_NOTICES'],
    [{ SENDER_NOTICE_REASONS: 'spam' }, 'SENDER_NOTICE_REASONS'],
    [{ SENDER_NOTICES_PER_HOUR: '0' }, 'SENDER_NOTICES_PER_HOUR'],
    [{ SENDER_NOTICES: 'true' }, 'NOTICES_TABLE'],
  ])('fails on %o naming %s', (env, variable) => {
    expect(() => loadNoticeConfig(env)).toThrow(ConfigError);
    expect(() => loadNoticeConfig(env)).toThrow(new RegExp(`^${variable}`));
  });
});

describe('notice templates', () => {
  it('ships a valid template for every notice reason', () => {
    expect([...loadNoticeTemplates(NOTICE_REASON_NAMES, null, {}).keys()]).toEqual(NOTICE_REASON_NAMES);
  });

  it('fails naming SENDER_NOTICE_TEMPLATES when a template is malformed', () => {
    expect(() => parseNoticeTemplate('no subject line')).toThrow(/Subject/);
    expect(() => parseNoticeTemplate('Subject: x\n\n{{body}}')).toThrow(/unknown placeholder/);
  });

  it('leaves out a line whose placeholder has no value in this deployment', () => {
    const template = parseNoticeTemplate('Subject: About {{subject}}\n\nNot applied at {{mailbox}}.\nWrite to {{createAddress}}.\n');
    const values = { subject: 'Help', mailbox: 'support@h.example', sender: 'n@c.example', limit: '40 MB' };
    expect(renderNotice(template, { ...values, createAddress: 'new@h.example' }).text).toBe('Not applied at support@h.example.\nWrite to new@h.example.\n');
    expect(renderNotice(template, { ...values, createAddress: null })).toEqual({ subject: 'About Help', text: 'Not applied at support@h.example.\n' });
  });

  it('composes a notice with Auto-Submitted, the loop header, In-Reply-To and References', () => {
    const decision = decideNotice(ON, facts);
    if (decision.kind !== 'notice') throw new Error(decision.kind);
    const templates = loadNoticeTemplates(NOTICE_REASON_NAMES, null, {});
    const notice = composeNotice({ templates, loopHeader: 'x-helpdesk-loop', createAddress: 'new@helpdesk.example', maxMailBytes: 1024 }, decision.intent);
    expect(notice).toMatchObject({ from: 'support@helpdesk.example', to: 'nina@customer.example' });
    expect(notice.headers).toEqual([
      { name: 'Auto-Submitted', value: 'auto-replied' },
      { name: 'x-helpdesk-loop', value: 'support@helpdesk.example' },
      { name: 'In-Reply-To', value: '<m1@customer.example>' },
      { name: 'References', value: '<r1@customer.example> <m1@customer.example>' },
    ]);
    expect(notice.text).toContain('new@helpdesk.example');
  });
});
