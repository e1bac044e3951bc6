/**
 * The post-deploy smoke check, as pure functions over what AWS and DNS answered: does mail sent to
 * the domain reach the gateway? Each check passes or fails with the fix. The answers are gathered by
 * `./gather.ts` (the SDK responses as they come, or the error each call raised) and checked here, so
 * the tests run them on recorded answers.
 */
import type { DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';
import type { InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { GetBucketPolicyCommandOutput } from '@aws-sdk/client-s3';
import type { DescribeActiveReceiptRuleSetCommandOutput, GetIdentityVerificationAttributesCommandOutput } from '@aws-sdk/client-ses';
import type { ListSubscriptionsByTopicCommandOutput } from '@aws-sdk/client-sns';

/** An AWS or DNS call's answer, or the error it raised (name and message, e.g. `ENODATA`). */
export type Answer<T> = { readonly ok: T } | { readonly error: { readonly name: string; readonly message: string } };

/** What the calls answered, keyed by the call. `undefined`: not asked (an earlier answer was missing). */
export interface SmokeAnswers {
  readonly stage: string;
  readonly region: string;
  readonly stackName: string;
  /** The SES inbound SMTP endpoint of the region (infra/ses-receiving-regions.json). */
  readonly inboundEndpoint: string;
  readonly describeStacks: Answer<Pick<DescribeStacksCommandOutput, 'Stacks'>>;
  readonly activeRuleSet?: Answer<Pick<DescribeActiveReceiptRuleSetCommandOutput, 'Metadata' | 'Rules'>>;
  /** `dns.resolveMx(domain)`. */
  readonly mx?: Answer<readonly { readonly exchange: string; readonly priority: number }[]>;
  readonly identity?: Answer<Pick<GetIdentityVerificationAttributesCommandOutput, 'VerificationAttributes'>>;
  readonly bucketPolicy?: Answer<Pick<GetBucketPolicyCommandOutput, 'Policy'>>;
  /** The function invoked on an S3 event for a key that does not exist; Payload as UTF-8 text. */
  readonly missingObject?: Answer<Pick<InvokeCommandOutput, 'FunctionError' | 'StatusCode'> & { readonly payload: string; readonly key: string }>;
  readonly subscriptions?: Answer<Pick<ListSubscriptionsByTopicCommandOutput, 'Subscriptions'>>;
}

/** The stack outputs the checks read (infra/*.yml). */
export interface StackFacts {
  readonly accountId: string;
  readonly partition: string;
  readonly status: string;
  readonly mailBucket: string;
  readonly ruleSetName: string;
  readonly ruleName: string;
  readonly ruleSetCreatedByStack: boolean;
  readonly domain: string;
  readonly functionName: string;
  readonly alarmTopicArn: string;
}

export interface CheckResult {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'not-checked';
  /** What was found. */
  readonly detail: string;
  /** What to do about a failure (empty when it passed). */
  readonly fix: string;
}

/** The key the missing-object probe asks for, under the inbound prefix: nothing is ever stored there. */
export const MISSING_OBJECT_PREFIX = 'inbound/smoke-check/';

const REQUIRED_OUTPUTS = ['MailBucketName', 'ReceiptRuleSetName', 'ReceiptRuleName', 'ReceiptRuleSetCreatedByStack', 'MailDomain', 'IngestFunctionName', 'AlarmTopicArn'];

const pass = (name: string, detail: string): CheckResult => ({ name, status: 'pass', detail, fix: '' });
const fail = (name: string, detail: string, fix: string): CheckResult => ({ name, status: 'fail', detail, fix });
const notChecked = (name: string, detail: string): CheckResult => ({ name, status: 'not-checked', detail, fix: '' });
const errorText = (answer: { error: { name: string; message: string } }) => `${answer.error.name}: ${answer.error.message}`;

/** The stack's facts, or why they cannot be had. */
export function stackFacts(answers: SmokeAnswers): { facts: StackFacts } | { result: CheckResult } {
  const name = 'stack outputs';
  const deploy = `deploy it: npx serverless deploy --stage ${answers.stage} --region ${answers.region}`;
  if ('error' in answers.describeStacks) {
    return { result: fail(name, `no stack ${answers.stackName} in ${answers.region} (${errorText(answers.describeStacks)})`, deploy) };
  }
  const stack = answers.describeStacks.ok.Stacks?.[0];
  if (!stack) return { result: fail(name, `no stack ${answers.stackName} in ${answers.region}`, deploy) };
  const status = stack.StackStatus ?? 'UNKNOWN';
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  const missing = REQUIRED_OUTPUTS.filter((key) => !outputs[key]);
  if (!/_COMPLETE$/.test(status) || /ROLLBACK|DELETE/.test(status) || missing.length > 0) {
    const why = missing.length > 0 ? `outputs missing: ${missing.join(', ')}` : 'the last deploy did not complete';
    return { result: fail(name, `${answers.stackName} is ${status}; ${why}`, `see the stack's events in CloudFormation, then ${deploy}`) };
  }
  const arn = (stack.StackId ?? '').split(':');
  const facts: StackFacts = {
    partition: arn[1] ?? 'aws',
    accountId: arn[4] ?? '',
    status,
    mailBucket: outputs.MailBucketName ?? '',
    ruleSetName: outputs.ReceiptRuleSetName ?? '',
    ruleName: outputs.ReceiptRuleName ?? '',
    ruleSetCreatedByStack: outputs.ReceiptRuleSetCreatedByStack === 'true',
    domain: outputs.MailDomain ?? '',
    functionName: outputs.IngestFunctionName ?? '',
    alarmTopicArn: outputs.AlarmTopicArn ?? '',
  };
  return { facts };
}

export function checkStackOutputs(answers: SmokeAnswers, facts: StackFacts): CheckResult {
  return pass('stack outputs', `${answers.stackName} is ${facts.status}; mail bucket ${facts.mailBucket}, domain ${facts.domain}`);
}

export function checkActiveRuleSet(answers: SmokeAnswers, facts: StackFacts): CheckResult {
  const name = 'active rule set';
  const activate = `aws ses set-active-receipt-rule-set --rule-set-name ${facts.ruleSetName} --region ${answers.region}`;
  const answer = answers.activeRuleSet;
  if (!answer) return notChecked(name, 'not asked');
  if ('error' in answer) return fail(name, `SES did not answer (${errorText(answer)})`, 'check that your credentials may call ses:DescribeActiveReceiptRuleSet');
  const active = answer.ok.Metadata?.Name;
  if (!active) {
    return fail(name, `no rule set is active in ${answers.region}, so SES rejects all mail`, `activate the stack's: ${activate}`);
  }
  if (active !== facts.ruleSetName) {
    const fix = facts.ruleSetCreatedByStack
      ? `either activate the stack's set (it replaces ${active} for the whole region: move its rules first): ${activate}; or deploy with --param="ruleSetName=${active}" to add the rule to the active set`
      : `deploy with --param="ruleSetName=${active}", or activate ${facts.ruleSetName}: ${activate}`;
    return fail(name, `the active rule set is ${active}, not ${facts.ruleSetName}, which holds the rule`, fix);
  }
  const rule = (answer.ok.Rules ?? []).find((r) => r.Name === facts.ruleName);
  if (!rule) return fail(name, `${active} is active but holds no rule ${facts.ruleName}`, `redeploy: npx serverless deploy --stage ${answers.stage} --region ${answers.region}`);
  if (!rule.Enabled) return fail(name, `rule ${facts.ruleName} in ${active} is disabled`, `enable it in the SES console, or redeploy the stack`);
  const stores = (rule.Actions ?? []).some((a) => a.S3Action?.BucketName === facts.mailBucket);
  if (!stores) return fail(name, `rule ${facts.ruleName} does not store mail in ${facts.mailBucket}`, 'redeploy the stack; do not edit its rule by hand');
  return pass(name, `${active} is active and holds ${facts.ruleName} (${(rule.Recipients ?? []).join(', ') || 'all recipients'})`);
}

export function checkMx(answers: SmokeAnswers, facts: StackFacts): CheckResult {
  const name = 'MX record';
  const record = `${facts.domain}. MX 10 ${answers.inboundEndpoint}`;
  const fix = `publish "${record}" at the domain's DNS provider, as its only MX record`;
  const answer = answers.mx;
  if (!answer) return notChecked(name, 'not asked');
  if ('error' in answer) {
    const none = ['ENODATA', 'ENOTFOUND'].includes(answer.error.name);
    return fail(name, none ? `${facts.domain} has no MX record (${answer.error.name})` : `DNS did not answer for ${facts.domain} (${errorText(answer)})`, fix);
  }
  const exchanges = [...answer.ok].sort((a, b) => a.priority - b.priority).map((r) => r.exchange.toLowerCase().replace(/\.$/, ''));
  if (exchanges.length === 0) return fail(name, `${facts.domain} has no MX record`, fix);
  const others = exchanges.filter((e) => e !== answers.inboundEndpoint);
  if (others.length === exchanges.length) return fail(name, `${facts.domain}'s MX points at ${exchanges.join(', ')}, not at ${answers.inboundEndpoint}`, fix);
  if (others.length > 0) return fail(name, `${facts.domain}'s MX points at ${answers.inboundEndpoint} and also at ${others.join(', ')}: some mail goes elsewhere`, fix);
  return pass(name, `${facts.domain} MX ${answers.inboundEndpoint}`);
}

export function checkIdentity(answers: SmokeAnswers, facts: StackFacts): CheckResult {
  const name = 'domain identity';
  const fix = `aws sesv2 create-email-identity --email-identity ${facts.domain} --region ${answers.region}, then publish the DKIM CNAME records it returns`;
  const answer = answers.identity;
  if (!answer) return notChecked(name, 'not asked');
  if ('error' in answer) return fail(name, `SES did not answer (${errorText(answer)})`, 'check that your credentials may call ses:GetIdentityVerificationAttributes');
  const status = answer.ok.VerificationAttributes?.[facts.domain]?.VerificationStatus;
  if (status === 'Success') return pass(name, `${facts.domain} is verified in ${answers.region}`);
  if (!status) return fail(name, `${facts.domain} is not an SES identity in ${answers.region}`, fix);
  return fail(name, `${facts.domain} is ${status} in ${answers.region}`, status === 'Pending' ? 'publish the DKIM CNAME records SES gave you and wait for DNS' : fix);
}

export function checkBucketPolicy(answers: SmokeAnswers, facts: StackFacts): CheckResult {
  const name = 'bucket policy';
  const expected = `arn:${facts.partition}:ses:${answers.region}:${facts.accountId}:receipt-rule-set/${facts.ruleSetName}:receipt-rule/${facts.ruleName}`;
  const redeploy = `redeploy the stack (npx serverless deploy --stage ${answers.stage} --region ${answers.region}); keep ruleSetName the set that holds the rule`;
  const answer = answers.bucketPolicy;
  if (!answer) return notChecked(name, 'not asked');
  if ('error' in answer) return fail(name, `no policy on ${facts.mailBucket} (${errorText(answer)})`, redeploy);
  let statements: { Effect?: string; Principal?: { Service?: string | string[] }; Action?: string | string[]; Condition?: Record<string, Record<string, unknown>> }[] = [];
  try {
    statements = [(JSON.parse(answer.ok.Policy ?? '{}') as { Statement?: unknown }).Statement ?? []].flat() as typeof statements;
  } catch {
    return fail(name, `the policy of ${facts.mailBucket} is not JSON`, redeploy);
  }
  const sesWrites = statements.filter((s) => s.Effect === 'Allow' && [s.Principal?.Service].flat().includes('ses.amazonaws.com') && [s.Action].flat().includes('s3:PutObject'));
  const sources = sesWrites.flatMap((s) => Object.values(s.Condition ?? {}).flatMap((c) => [c['AWS:SourceArn'] ?? c['aws:SourceArn'] ?? []].flat()));
  if (sources.includes(expected)) return pass(name, `SES may write for ${facts.ruleSetName}:${facts.ruleName} only`);
  return fail(name, sesWrites.length === 0 ? `no statement lets SES write to ${facts.mailBucket}` : `SES may write only for ${sources.join(', ') || 'no named rule'}, not ${expected}`, redeploy);
}

export function checkMissingObject(answers: SmokeAnswers, facts: StackFacts): CheckResult {
  const name = 'missing object, as the function';
  const answer = answers.missingObject;
  if (!answer) return notChecked(name, 'not asked');
  if ('error' in answer) return fail(name, `could not invoke ${facts.functionName} (${errorText(answer)})`, 'check that your credentials may call lambda:InvokeFunction on it');
  const { payload, key } = answer.ok;
  let body: { mails?: { outcome?: { kind?: string; reason?: string } }[]; errorType?: string; errorMessage?: string } = {};
  try {
    body = JSON.parse(payload) as typeof body;
  } catch {
    body = { errorMessage: payload };
  }
  const outcome = body.mails?.[0]?.outcome;
  if (!answer.ok.FunctionError && outcome?.kind === 'skipped' && outcome.reason === 'object-missing') {
    return pass(name, `GetObject of s3://${facts.mailBucket}/${key} answered 404 NoSuchKey: a vanished mail is a recorded skip, not endless retry`);
  }
  const denied = /AccessDenied|403/.test(`${body.errorType ?? ''} ${body.errorMessage ?? ''}`);
  return fail(
    name,
    denied
      ? `GetObject of a missing key answered 403 AccessDenied to the function's role: a vanished mail would be retried until the dead-letter queue`
      : `the function answered ${answer.ok.FunctionError ? `${answer.ok.FunctionError}: ${body.errorType ?? ''} ${body.errorMessage ?? ''}`.trim() : JSON.stringify(outcome ?? body)}`,
    denied
      ? "the role's s3:ListBucket on the mail bucket (infra/iam.yml, TellMissingRawMailApart) must allow this key; check its s3:prefix condition and any SCP or bucket policy that denies it"
      : `see the function's log: npx serverless logs -f ingestMail --stage ${answers.stage} --region ${answers.region}`,
  );
}

export function checkAlarmSubscription(answers: SmokeAnswers, facts: StackFacts): CheckResult {
  const name = 'alarm subscription';
  const fix = `deploy with --param="alarmEmail=ops@example.com" and confirm the mail AWS sends (or: aws sns subscribe --topic-arn ${facts.alarmTopicArn} --protocol email --notification-endpoint ops@example.com --region ${answers.region})`;
  const answer = answers.subscriptions;
  if (!answer) return notChecked(name, 'not asked');
  if ('error' in answer) return fail(name, `SNS did not answer (${errorText(answer)})`, 'check that your credentials may call sns:ListSubscriptionsByTopic');
  const all = answer.ok.Subscriptions ?? [];
  const confirmed = all.filter((s) => s.SubscriptionArn && s.SubscriptionArn.startsWith('arn:'));
  if (confirmed.length > 0) return pass(name, `${confirmed.map((s) => `${s.Protocol} ${s.Endpoint}`).join(', ')} confirmed`);
  if (all.length > 0) return fail(name, `${all.map((s) => `${s.Protocol} ${s.Endpoint}`).join(', ')} not confirmed yet: alarms reach no one`, 'open the confirmation mail AWS sent and follow its link');
  return fail(name, 'the alarm topic has no subscription: alarms reach no one', fix);
}

/** Every check, in order; those that need the stack's outputs are not checked without them. */
export function runChecks(answers: SmokeAnswers): CheckResult[] {
  const found = stackFacts(answers);
  const rest = ['active rule set', 'MX record', 'domain identity', 'bucket policy', 'missing object, as the function', 'alarm subscription'];
  if ('result' in found) return [found.result, ...rest.map((name) => notChecked(name, 'needs the stack outputs'))];
  const { facts } = found;
  return [
    checkStackOutputs(answers, facts),
    checkActiveRuleSet(answers, facts),
    checkMx(answers, facts),
    checkIdentity(answers, facts),
    checkBucketPolicy(answers, facts),
    checkMissingObject(answers, facts),
    checkAlarmSubscription(answers, facts),
  ];
}

/** The report as the command prints it: one line per check, the fix under each failure, a total. */
export function formatReport(answers: Pick<SmokeAnswers, 'stackName' | 'region'>, results: readonly CheckResult[]): string {
  const label = { pass: 'PASS', fail: 'FAIL', 'not-checked': 'SKIP' } as const;
  const lines = [`Smoke check of ${answers.stackName} in ${answers.region} (sends no mail)`];
  for (const r of results) {
    lines.push(`  ${label[r.status]}  ${r.name}: ${r.detail}`);
    if (r.fix) lines.push(`        fix: ${r.fix}`);
  }
  const count = (status: CheckResult['status']) => results.filter((r) => r.status === status).length;
  lines.push(`${count('pass')} passed, ${count('fail')} failed${count('not-checked') ? `, ${count('not-checked')} not checked` : ''}`);
  return lines.join('\n');
}
