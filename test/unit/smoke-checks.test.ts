/**
 * The smoke check's verdicts (lib/smoke/checks.ts) on recorded answers. There is no AWS account
 * and no network here, so the answers are fixtures in the shapes the SDK and Node's DNS return
 * (test/fixtures/smoke/good-deploy.json), changed one fault at a time. The README's example output
 * is this formatter's output on the same answers.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { formatReport, runChecks, type CheckResult, type SmokeAnswers } from '../../lib/smoke/checks.js';

const GOOD = JSON.parse(await readFile(new URL('../fixtures/smoke/good-deploy.json', import.meta.url), 'utf8')) as SmokeAnswers;
const README = await readFile(new URL('../../README.md', import.meta.url), 'utf8');

type Ok<K extends keyof SmokeAnswers> = Extract<NonNullable<SmokeAnswers[K]>, { ok: unknown }>['ok'];
function ok<K extends keyof SmokeAnswers>(key: K): Ok<K> {
  const answer = GOOD[key] as { ok: Ok<K> };
  return structuredClone(answer.ok);
}

const MISSING_MX: SmokeAnswers = { ...GOOD, mx: { error: { name: 'ENODATA', message: 'queryMx ENODATA helpdesk.example.com' } } };

function verdicts(answers: SmokeAnswers): Record<string, CheckResult['status']> {
  return Object.fromEntries(runChecks(answers).map((r) => [r.name, r.status]));
}

function only(answers: SmokeAnswers, name: string): CheckResult {
  const results = runChecks(answers);
  expect(results.filter((r) => r.status !== 'pass').map((r) => r.name)).toEqual([name]);
  return results.find((r) => r.name === name) as CheckResult;
}

/** The README's example output between `<!-- smoke-output:NAME -->` markers, without the code fence. */
function readmeExample(name: string): string {
  const start = README.indexOf(`<!-- smoke-output:${name} -->`);
  const end = README.indexOf(`<!-- /smoke-output:${name} -->`);
  if (start < 0 || end < 0) throw new Error(`README has no smoke-output:${name} block`);
  return README.slice(start, end).replace(/^.*\n```\n/, '').replace(/```\n$/, '').trimEnd();
}

describe('smoke checks', () => {
  it('passes every check of a good deploy', () => {
    expect(runChecks(GOOD).map((r) => [r.name, r.status])).toEqual([
      ['stack outputs', 'pass'],
      ['active rule set', 'pass'],
      ['MX record', 'pass'],
      ['domain identity', 'pass'],
      ['bucket policy', 'pass'],
      ['missing object, as the function', 'pass'],
      ['alarm subscription', 'pass'],
    ]);
  });

  it('fails only the MX check when the domain has no MX record, with the record to publish', () => {
    const mx = only(MISSING_MX, 'MX record');
    expect(mx.detail).toBe('helpdesk.example.com has no MX record (ENODATA)');
    expect(mx.fix).toContain('"helpdesk.example.com. MX 10 inbound-smtp.eu-west-1.amazonaws.com"');
  });

  it('fails the MX check for a record pointing elsewhere, or only partly at SES', () => {
    expect(only({ ...GOOD, mx: { ok: [{ exchange: 'mx1.mail.example.net', priority: 10 }] } }, 'MX record').detail).toMatch(/points at mx1\.mail\.example\.net, not at/);
    const mixed = { ...GOOD, mx: { ok: [{ exchange: 'INBOUND-SMTP.eu-west-1.amazonaws.com.', priority: 10 }, { exchange: 'backup.example.net', priority: 20 }] } };
    expect(only(mixed, 'MX record').detail).toMatch(/also at backup\.example\.net/);
  });

  it('shows in the README what it prints for a good deploy and for a missing MX record', () => {
    expect(readmeExample('good-deploy')).toBe(formatReport(GOOD, runChecks(GOOD)));
    expect(readmeExample('missing-mx')).toBe(formatReport(MISSING_MX, runChecks(MISSING_MX)));
  });

  it('checks nothing else when the stack is missing, and says to deploy it', () => {
    const answers: SmokeAnswers = { ...GOOD, describeStacks: { error: { name: 'ValidationError', message: 'Stack with id helpdesk-mail-gateway-prod does not exist' } } };
    const [first, ...rest] = runChecks(answers);
    expect(first).toMatchObject({ name: 'stack outputs', status: 'fail', fix: expect.stringContaining('npx serverless deploy --stage prod --region eu-west-1') });
    expect(rest.every((r) => r.status === 'not-checked')).toBe(true);
    expect(formatReport(answers, runChecks(answers))).toMatch(/0 passed, 1 failed, 6 not checked$/);
  });

  it('fails the stack check for a rolled-back stack or missing outputs', () => {
    const stacks = ok('describeStacks');
    const stack = stacks.Stacks?.[0];
    if (!stack) throw new Error('fixture without stack');
    stack.StackStatus = 'UPDATE_ROLLBACK_COMPLETE';
    expect(verdicts({ ...GOOD, describeStacks: { ok: stacks } })['stack outputs']).toBe('fail');
    stack.StackStatus = 'CREATE_COMPLETE';
    stack.Outputs = stack.Outputs?.filter((o) => o.OutputKey !== 'MailDomain');
    expect(runChecks({ ...GOOD, describeStacks: { ok: stacks } })[0]?.detail).toMatch(/outputs missing: MailDomain/);
  });

  it('fails the rule set check when no set is active, another is, or the rule is missing or disabled', () => {
    expect(only({ ...GOOD, activeRuleSet: { ok: {} } }, 'active rule set')).toMatchObject({
      detail: expect.stringMatching(/no rule set is active/),
      fix: expect.stringContaining('aws ses set-active-receipt-rule-set --rule-set-name helpdesk-mail-gateway-prod --region eu-west-1'),
    });
    const other = { ok: { Metadata: { Name: 'default-rule-set' }, Rules: [] } };
    expect(only({ ...GOOD, activeRuleSet: other }, 'active rule set').fix).toMatch(/replaces default-rule-set.*ruleSetName=default-rule-set/);
    const set = ok('activeRuleSet');
    expect(only({ ...GOOD, activeRuleSet: { ok: { ...set, Rules: [] } } }, 'active rule set').detail).toMatch(/holds no rule/);
    const rule = set.Rules?.[0];
    if (rule) rule.Enabled = false;
    expect(only({ ...GOOD, activeRuleSet: { ok: set } }, 'active rule set').detail).toMatch(/disabled/);
  });

  it('fails the identity check for a pending or unknown domain', () => {
    const pending = { ok: { VerificationAttributes: { 'helpdesk.example.com': { VerificationStatus: 'Pending' as const } } } };
    expect(only({ ...GOOD, identity: pending }, 'domain identity').fix).toMatch(/DKIM CNAME/);
    expect(only({ ...GOOD, identity: { ok: { VerificationAttributes: {} } } }, 'domain identity').fix).toMatch(/aws sesv2 create-email-identity --email-identity helpdesk\.example\.com/);
  });

  it('fails the bucket policy check when SES may write for another rule set or rule', () => {
    const policy = (ok('bucketPolicy').Policy ?? '').replace('receipt-rule-set/helpdesk-mail-gateway-prod:', 'receipt-rule-set/default-rule-set:');
    expect(only({ ...GOOD, bucketPolicy: { ok: { Policy: policy } } }, 'bucket policy').detail).toMatch(/default-rule-set.*not arn:aws:ses:eu-west-1:123456789012:receipt-rule-set\/helpdesk-mail-gateway-prod/);
  });

  it('fails the missing-object check when the function role gets 403: the mail would be retried', () => {
    const probe = ok('missingObject');
    const denied = {
      ok: {
        ...probe,
        FunctionError: 'Unhandled',
        payload: JSON.stringify({ errorType: 'RetryRequestedError', errorMessage: '1 of 1 mails need another attempt: TransientError: GetObject s3://b/k: AccessDenied: Access Denied' }),
      },
    };
    const result = only({ ...GOOD, missingObject: denied }, 'missing object, as the function');
    expect(result.detail).toMatch(/403 AccessDenied/);
    expect(result.fix).toMatch(/s3:ListBucket/);
  });

  it('fails the alarm check without a confirmed subscription', () => {
    const subs = ok('subscriptions');
    const pending = subs.Subscriptions?.map((s) => ({ ...s, SubscriptionArn: 'PendingConfirmation' }));
    expect(only({ ...GOOD, subscriptions: { ok: { Subscriptions: pending } } }, 'alarm subscription').detail).toMatch(/not confirmed yet/);
    expect(only({ ...GOOD, subscriptions: { ok: { Subscriptions: [] } } }, 'alarm subscription').fix).toMatch(/alarmEmail=/);
  });

  it('reports a call that failed as a failed check naming the permission', () => {
    const denied = { error: { name: 'AccessDenied', message: 'User is not authorized to perform: ses:DescribeActiveReceiptRuleSet' } };
    expect(only({ ...GOOD, activeRuleSet: denied }, 'active rule set').fix).toMatch(/ses:DescribeActiveReceiptRuleSet/);
  });
});
