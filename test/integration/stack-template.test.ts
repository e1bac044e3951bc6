/**
 * The deployable stack, checked on what `serverless package` really produces: the CloudFormation
 * template and the function's zip. Fails when someone renames the metric, drops a dimension,
 * widens IAM or breaks the bundle.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { PAGING_SKIP_REASONS, SKIP_REASONS, SKIP_REASON_NAMES } from '../../lib/outcomes.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { extractZip } from '../helpers/unzip.js';
import { SES_RECEIVING_REGIONS } from '../../infra/plugin/names.cjs';
import { METRICS_NAMESPACE, METRIC_NAMES, SERVICE_DIMENSION, SKIP_REASON_DIMENSION } from '../../lib/telemetry.js';
import { NOTICE_REASON_NAMES } from '../../lib/notices/notice-reasons.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  DependsOn?: string | string[];
  Condition?: string;
}

interface Template {
  Resources: Record<string, Resource>;
  Rules?: Record<string, { Assertions: { Assert: Json; AssertDescription: string }[] }>;
  Outputs: Record<string, { Value: unknown }>;
}

let out = '';
let template: Template;
let resources: Record<string, Resource> = {};

/** Packages the stack with extra CLI arguments into a fresh directory: the template, or the failure's output. */
async function packageWith(args: string[]): Promise<{ template: Template } | { failure: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'stack-variant-'));
  try {
    await run(join(ROOT, 'node_modules/.bin/serverless'), ['package', '--package', dir, ...args], { cwd: ROOT });
    return { template: JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { failure: `${stdout}\n${stderr}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function ofType(type: string): [string, Resource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

function resource(name: string): Resource {
  const found = resources[name];
  if (!found) throw new Error(`the template has no resource ${name}`);
  return found;
}

/** Both branches of a conditional statement (`Fn::If`), so a check sees whatever a deploy could get. */
function unconditional(statement: Json): Json[] {
  const branches = statement['Fn::If'] as [string, Json, Json] | undefined;
  if (!branches) return [statement];
  return branches.slice(1).flatMap((branch) => (branch && (branch as Json).Ref !== 'AWS::NoValue' ? unconditional(branch as Json) : []));
}

function functionEnvironment(): Record<string, unknown> {
  const fn = resource('IngestMailLambdaFunction');
  return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'stack-'));
  await run(join(ROOT, 'node_modules/.bin/serverless'), ['package', '--package', out], { cwd: ROOT });
  template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  resources = template.Resources;
}, 120_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('the packaged stack', () => {
  it('runs the function and the sweep on nodejs24.x, arm64, with their own role', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.map(([name]) => name).sort()).toEqual(['IngestMailLambdaFunction', 'SweepLambdaFunction']);
    for (const name of ['IngestMailLambdaFunction', 'SweepLambdaFunction']) {
      expect(resource(name).Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Role: { 'Fn::GetAtt': ['IngestMailRole', 'Arn'] },
      });
    }
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('sweeps every hour, with the configuration of the function', () => {
    const [, rule] = ofType('AWS::Events::Rule').find(([, r]) => r.Properties.ScheduleExpression !== undefined) ?? [];
    expect(rule?.Properties.ScheduleExpression).toBe('rate(1 hour)');
    expect(JSON.stringify(rule?.Properties.Targets)).toContain('SweepLambdaFunction');
    const sweepEnv = (resource('SweepLambdaFunction').Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(sweepEnv).toEqual(functionEnvironment());
    expect(Number(resource('SweepLambdaFunction').Properties.Timeout)).toBeGreaterThan(Number(resource('IngestMailLambdaFunction').Properties.Timeout));
  });

  it('gives the function a configuration that loads', () => {
    const env = Object.fromEntries(
      Object.entries(functionEnvironment()).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-${JSON.stringify(v).replace(/\W/g, '')}`]),
    );
    const config = loadConfig(env);
    expect(config.mailboxes.length).toBeGreaterThan(0);
    expect(config.inboundPrefix).toBe('inbound/');
  });

  it('pages on exactly the skip reasons marked as paging, summed by metric math over the metric the code emits', () => {
    const alarm = resource('SkippedMailAlarm').Properties as { Metrics: Json[]; [key: string]: unknown };
    const service = functionEnvironment().POWERTOOLS_SERVICE_NAME;
    const metrics = alarm.Metrics.filter((m) => m.MetricStat) as { Id: string; MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[] }; Stat: string } }[];
    const expressions = alarm.Metrics.filter((m) => m.Expression);
    expect(metrics.length).toBeLessThanOrEqual(10); // CloudWatch's hard limit per metric-math alarm
    for (const m of metrics) {
      expect(m.MetricStat.Metric).toMatchObject({ Namespace: METRICS_NAMESPACE, MetricName: METRIC_NAMES.skipped });
      expect(m.MetricStat.Metric.Dimensions.map((d) => d.Name)).toEqual([SERVICE_DIMENSION, SKIP_REASON_DIMENSION]);
      expect(m.MetricStat.Metric.Dimensions[0]?.Value).toBe(service);
      expect(m.MetricStat.Stat).toBe('Sum');
    }
    const reasons = metrics.map((m) => m.MetricStat.Metric.Dimensions[1]?.Value);
    expect(reasons).toEqual(PAGING_SKIP_REASONS);
    expect(PAGING_SKIP_REASONS).toEqual(SKIP_REASON_NAMES.filter((r) => SKIP_REASONS[r].pages));
    // The one expression the alarm watches names every paging metric, and nothing else.
    expect(expressions).toHaveLength(1);
    const [watched] = expressions as { Expression: string; ReturnData: boolean }[];
    expect(watched?.ReturnData).toBe(true);
    const named = [...(watched?.Expression ?? '').matchAll(/[a-z][a-z0-9_]*/g)].map((m) => m[0]).filter((id) => id.startsWith('skipped_'));
    expect(named.sort()).toEqual(metrics.map((m) => m.Id).sort());
    for (const reason of SKIP_REASON_NAMES.filter((r) => !SKIP_REASONS[r].pages)) expect(reasons).not.toContain(reason);
    expect(alarm).toMatchObject({ ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    expect(alarm.MetricName).toBeUndefined();
  });

  it('alarms on a stale queue, throttles and invocations close to the timeout', () => {
    expect(resource('InboundQueueAgeAlarm').Properties).toMatchObject({
      Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['InboundQueue', 'QueueName'] } }],
    });
    expect(resource('IngestThrottlesAlarm').Properties).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'IngestMailLambdaFunction' } }] });
    const duration = resource('IngestDurationAlarm').Properties;
    expect(duration).toMatchObject({ Namespace: 'AWS/Lambda', MetricName: 'Duration', Statistic: 'Maximum', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'IngestMailLambdaFunction' } }] });
    const timeoutMs = Number(resource('IngestMailLambdaFunction').Properties.Timeout) * 1000;
    expect(Number(duration.Threshold)).toBeGreaterThanOrEqual(timeoutMs * 0.7);
    expect(Number(duration.Threshold)).toBeLessThan(timeoutMs);
  });

  it('encrypts the alarm topic with a key CloudWatch may use to publish', () => {
    expect(resource('AlarmTopic').Properties.KmsMasterKeyId).toEqual({ Ref: 'AlarmTopicKey' });
    const statements = (resource('AlarmTopicKey').Properties.KeyPolicy as { Statement: Json[] }).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
    );
    expect(resource('AlarmTopicKey').Properties.EnableKeyRotation).toBe(true);
  });

  it('shows every skip reason, and the metrics an operator needs, on the dashboard', () => {
    const { 'Fn::Sub': source } = resource('Dashboard').Properties.DashboardBody as { 'Fn::Sub': string };
    const body = JSON.parse(source) as { widgets: { properties: { title: string; metrics?: unknown[][] } }[] };
    const metrics = body.widgets.flatMap((w) => w.properties.metrics ?? []);
    for (const reason of SKIP_REASON_NAMES) {
      expect(metrics).toContainEqual(expect.arrayContaining([METRICS_NAMESPACE, METRIC_NAMES.skipped, SKIP_REASON_DIMENSION, reason]));
    }
    for (const name of [METRIC_NAMES.processed, METRIC_NAMES.followupsAdded, METRIC_NAMES.ticketsCreated]) {
      expect(metrics).toContainEqual(expect.arrayContaining([METRICS_NAMESPACE, name]));
    }
    expect(metrics).toContainEqual(expect.arrayContaining(['AWS/Lambda', 'Duration']));
    expect(metrics).toContainEqual(expect.arrayContaining(['AWS/SQS', 'ApproximateNumberOfMessagesVisible']));
  });

  it('has no IAM statement with a wildcard action or resource, except for logs', () => {
    const statements = ofType('AWS::IAM::Role').flatMap(([, role]) =>
      ((role.Properties.Policies ?? []) as { PolicyDocument: { Statement: Json[] } }[]).flatMap((p) => p.PolicyDocument.Statement.flatMap(unconditional)),
    );
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const actions = [statement.Action].flat() as string[];
      if (actions.every((a) => a.startsWith('logs:'))) continue;
      for (const action of actions) expect(action).not.toMatch(/^\*$|:\*$/);
      for (const target of [statement.Resource].flat()) {
        expect(target).not.toBe('*');
        const arn = typeof target === 'string' ? target : JSON.stringify(target);
        expect(arn).not.toMatch(/:::\*|:\*"|\/\*\/|"\*"/);
      }
    }
  });

  it('lets only SES of this account (and its receipt rule) write to the bucket, over TLS only', () => {
    const statements = (resource('MailBucketPolicy').Properties.PolicyDocument as { Statement: Json[] }).Statement;
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'ses.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: { StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'AWS:SourceArn': expect.anything() } },
    });
    const denies = statements.filter((s) => s.Effect === 'Deny');
    expect(denies).toEqual([expect.objectContaining({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]);
    expect([resource('InboundReceiptRule').DependsOn].flat()).toContain('MailBucketPolicy');
  });

  it('receives mail with SES: scanning on, TLS required, stored under the inbound prefix', () => {
    const rule = resource('InboundReceiptRule').Properties.Rule as Json;
    expect(rule).toMatchObject({ Enabled: true, ScanEnabled: true, TlsPolicy: 'Require' });
    expect(rule.Actions).toEqual([{ S3Action: { BucketName: { Ref: 'MailBucket' }, ObjectKeyPrefix: functionEnvironment().INBOUND_PREFIX } }]);
  });

  it('accepts mail for exactly the mailbox addresses by default, so SES refuses other addresses at SMTP time', () => {
    const rule = resource('InboundReceiptRule').Properties.Rule as Json;
    // Values CloudFormation resolves at deploy time (Ref, GetAtt) stand in as a plain name, one per variable.
    const env = Object.fromEntries(Object.entries(functionEnvironment()).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-at-deploy-${k}`]));
    const mailboxes = loadConfig(env).mailboxes;
    expect(rule.Recipients).toEqual(mailboxes.map((m) => m.address));
  });

  it('lets SES write only for the rule set and rule the stack creates', () => {
    const rule = resource('InboundReceiptRule').Properties;
    const ruleName = (rule.Rule as Json).Name as string;
    expect(rule.RuleSetName).toEqual({ 'Fn::If': ['CreatesRuleSet', { Ref: 'ReceiptRuleSet' }, resource('ReceiptRuleSet').Properties.RuleSetName] });
    expect(resource('ReceiptRuleSet').Condition).toBe('CreatesRuleSet');
    const allow = (resource('MailBucketPolicy').Properties.PolicyDocument as { Statement: Json[] }).Statement[0] as { Condition: { ArnLike: Json } };
    expect(allow.Condition.ArnLike['AWS:SourceArn']).toEqual({
      'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:receipt-rule-set/${resource('ReceiptRuleSet').Properties.RuleSetName}:receipt-rule/${ruleName}`,
    });
  });

  it('refuses, before any resource is made, a region where SES does not receive mail (one list: infra/ses-receiving-regions.json)', () => {
    expect(template.Rules).toEqual({
      SesReceivesMailInThisRegion: {
        Assertions: [{ Assert: { 'Fn::Contains': [Object.keys(SES_RECEIVING_REGIONS), { Ref: 'AWS::Region' }] }, AssertDescription: expect.stringMatching(/SES does not receive mail/) }],
      },
    });
  });

  it('gives the queue a visibility timeout of six times the function timeout, and refuses non-TLS access to both queues', () => {
    expect(resource('InboundQueue').Properties.VisibilityTimeout).toBe(6 * (resource('IngestMailLambdaFunction').Properties.Timeout as number));
    for (const [policy, queue] of [['InboundQueuePolicy', 'InboundQueue'], ['DeadLetterQueuePolicy', 'DeadLetterQueue']]) {
      const statements = (resource(policy as string).Properties.PolicyDocument as { Statement: Json[] }).Statement;
      expect(statements).toContainEqual({
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:*',
        Resource: { 'Fn::GetAtt': [queue, 'Arn'] },
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('versions the mail bucket and expires noncurrent versions after the configured days', () => {
    const bucket = resource('MailBucket').Properties;
    expect(bucket.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    const rules = (bucket.LifecycleConfiguration as { Rules: Json[] }).Rules;
    expect(rules).toContainEqual(expect.objectContaining({ Status: 'Enabled', NoncurrentVersionExpiration: { NoncurrentDays: expect.any(Number) } }));
    expect(rules).toContainEqual(expect.objectContaining({ Status: 'Enabled', ExpiredObjectDeleteMarker: true }));
  });

  it('puts the rule into an existing rule set when ruleSetName is given, and the bucket policy follows it', async () => {
    const stage = 'Staging-Feature-Branch-30-Chars';
    const variant = await packageWith(['--stage', stage, '--region', 'ap-southeast-2', '--param=ruleSetName=default-rule-set', '--param=catchAll=true']);
    if (!('template' in variant)) throw new Error(variant.failure);
    const r = variant.template.Resources;
    const ruleName = ((r.InboundReceiptRule?.Properties.Rule as Json).Name as string) ?? '';
    expect(r.ReceiptRuleSet?.Condition).toBe('CreatesRuleSet');
    expect(r.InboundReceiptRule?.Properties.RuleSetName).toEqual({ 'Fn::If': ['CreatesRuleSet', { Ref: 'ReceiptRuleSet' }, 'default-rule-set'] });
    expect((r.InboundReceiptRule?.Properties.Rule as Json).Recipients).toEqual(['helpdesk.example.com']);
    const allow = (r.MailBucketPolicy?.Properties.PolicyDocument as { Statement: { Condition: { ArnLike: Json } }[] }).Statement[0];
    expect(JSON.stringify(allow?.Condition.ArnLike)).toContain(`receipt-rule-set/default-rule-set:receipt-rule/${ruleName}`);
    expect(r.IngestMailLambdaFunction?.Properties.FunctionName).toBe(`helpdesk-mail-gateway-${stage}-ingestMail`);
  }, 120_000);

  it.each([
    [['--region', 'eu-central-2'], /SES does not receive mail in region "eu-central-2"/],
    [['--stage', 'x'.repeat(107)], /at most 106 characters/],
    [['--stage', 'feature_x'], /Invalid stage name/],
    // The function's own cold-start check, at package time (infra/plugin/function-config.cjs).
    [['--param=senderPolicy=bogus'], /ingestMail would refuse its configuration at every cold start: SENDER_POLICY="bogus" is invalid/],
    [['--param=mailboxes=support@helpdesk.example.com=support:sometimes'], /MAILBOXES=.* is invalid.*parameter mailboxes/],
    [['--param=replyTokenSecretParameter=helpdesk/reply'], /REPLY_TOKEN_SECRET_PARAMETER="helpdesk\/reply" is invalid/],
  ])('fails to package with %j, saying why', async (args, message) => {
    const variant = await packageWith(args);
    expect('failure' in variant ? variant.failure : 'packaged').toMatch(message);
  }, 120_000);

  it('notifies the queue of new objects under the inbound prefix, and lets only that bucket send', () => {
    const bucket = resource('MailBucket');
    expect([bucket.DependsOn].flat()).toContain('InboundQueuePolicy');
    expect(bucket.Properties.NotificationConfiguration).toEqual({
      QueueConfigurations: [
        { Event: 's3:ObjectCreated:*', Queue: { 'Fn::GetAtt': ['InboundQueue', 'Arn'] }, Filter: { S3Key: { Rules: [{ Name: 'prefix', Value: 'inbound/' }] } } },
      ],
    });
    const statement = (resource('InboundQueuePolicy').Properties.PolicyDocument as { Statement: Json[] }).Statement[0];
    expect(statement).toMatchObject({ Principal: { Service: 's3.amazonaws.com' }, Action: 'sqs:SendMessage' });
    // The same derived name on both sides (the policy cannot refer to the bucket: that would be a cycle).
    const { 'Fn::Sub': bucketName } = bucket.Properties.BucketName as { 'Fn::Sub': string };
    expect(statement?.Condition).toMatchObject({ ArnEquals: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:s3:::${bucketName}` } } });
  });

  it('expires applied raw mail by its outcome tag and keeps skipped mail longer', () => {
    const all = (resource('MailBucket').Properties.LifecycleConfiguration as { Rules: Json[] }).Rules;
    // Every rule that expires current objects under inbound/ names one outcome tag: mail not yet
    // handled (untagged) never expires, so a rule expiring all of inbound/ (or everything) fails here.
    const reachesInbound = (prefix: unknown) => typeof prefix !== 'string' || 'inbound/'.startsWith(prefix) || prefix.startsWith('inbound/');
    const expiring = all.filter((r) => r.ExpirationInDays !== undefined || r.ExpirationDate !== undefined);
    expect(expiring.length).toBeGreaterThan(0);
    for (const rule of expiring) {
      expect(rule.Filter, String(rule.Id)).toBeUndefined();
      if (reachesInbound(rule.Prefix)) expect(rule.TagFilters, String(rule.Id)).toEqual([{ Key: RAW_MAIL_TAGS.outcome, Value: expect.any(String) }]);
    }
    const rules = all.filter((r) => r.TagFilters);
    const days = Object.fromEntries(rules.map((r) => [(r.TagFilters as { Key: string; Value: string }[])[0]?.Value, r.ExpirationInDays as number]));
    for (const rule of rules) expect((rule.TagFilters as { Key: string }[])[0]?.Key).toBe(RAW_MAIL_TAGS.outcome);
    expect(Object.keys(days).sort()).toEqual(['created', 'followup', 'skipped']);
    expect(days.skipped).toBeGreaterThan(days.followup as number);
  });

  it('consumes the queue with partial batch responses, bounded concurrency, and a dead-letter queue', () => {
    const [, mapping] = ofType('AWS::Lambda::EventSourceMapping')[0] ?? [];
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['InboundQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: expect.any(Number) },
    });
    expect(resource('InboundQueue').Properties.RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': ['DeadLetterQueue', 'Arn'] },
      maxReceiveCount: expect.any(Number),
    });
  });

  it('lets a missing raw mail read as missing (ListBucket without a prefix condition), and decrypts the secret under a customer key only when one is named', () => {
    const statements = ((resource('IngestMailRole').Properties.Policies as { PolicyDocument: { Statement: Json[] } }[])[0]?.PolicyDocument.Statement ?? []);
    const list = statements.find((s) => s.Sid === 'TellMissingRawMailApart');
    expect(list).toMatchObject({ Action: 's3:ListBucket' });
    expect(list?.Condition).toBeUndefined();
    const kms = statements.find((s) => (s['Fn::If'] as [string] | undefined)?.[0] === 'HasReplyTokenKmsKey');
    expect((kms?.['Fn::If'] as Json[])[1]).toMatchObject({ Action: 'kms:Decrypt', Condition: { StringEquals: { 'kms:ViaService': expect.anything() } } });
  });

  it('keeps the mail bucket, like the tables, when the stack is deleted or the resource replaced', () => {
    for (const name of ['MailBucket', 'TicketsTable', 'MessagesTable']) {
      expect(resources[name], name).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    }
  });

  it('lets the role send sender notices only from the mailbox addresses (ses:FromAddress), and only when senderNotices is on', () => {
    const statements = (resource('IngestMailRole').Properties.Policies as { PolicyDocument: { Statement: Json[] } }[]).flatMap((p) => p.PolicyDocument.Statement);
    const conditional = statements.filter((s) => JSON.stringify(s).includes('ses:SendEmail'));
    expect(conditional).toHaveLength(1);
    expect((conditional[0]?.['Fn::If'] as unknown[] | undefined)?.[0]).toBe('SendsSenderNotices');
    const [send, ...others] = statements.flatMap(unconditional).filter((s) => [s.Action].flat().some((a) => String(a).startsWith('ses:')));
    expect(others).toEqual([]);
    expect(send?.Action).toBe('ses:SendEmail');
    const mailboxes = loadConfig({ ...functionEnvironment(), TICKETS_TABLE: 't', MESSAGES_TABLE: 'm', MAIL_BUCKET: 'b', EVENT_BUS_NAME: '', NOTICES_TABLE: 'n' } as Record<string, string>).mailboxes.map((m) => m.address);
    expect(mailboxes.length).toBeGreaterThan(0);
    expect(send?.Condition).toEqual({ StringEquals: { 'ses:FromAddress': mailboxes } });
    const identities = ([send?.Resource].flat() as { 'Fn::Sub': string }[]).map((r) => r['Fn::Sub'].split(':identity/')[1]);
    expect(identities.sort()).toEqual([...new Set([...mailboxes, ...mailboxes.map((a) => a?.split('@')[1])])].sort());
    expect(functionEnvironment()).toMatchObject({ SENDER_NOTICES: 'false', NOTICES_TABLE: { Ref: 'NoticesTable' } });
    expect(resource('NoticesTable').Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  it('ships the template of every notice reason in the function package', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'templates-'));
    try {
      const files = await extractZip(join(out, 'ingestMail.zip'), dir);
      expect(files).toEqual(expect.arrayContaining(NOTICE_REASON_NAMES.map((r) => `templates/notices/${r}.txt`)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps tickets and the ledger on demand with point-in-time recovery', () => {
    for (const name of ['TicketsTable', 'MessagesTable']) {
      expect(resource(name).Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    }
  });

  it.each([
    ['ingestMail.zip', 'functions/ingest-mail.mjs'],
    ['sweep.zip', 'functions/sweep.mjs'],
  ])('ships %s as a bundle that loads as a real ES module, with its lazily loaded chunks, and exports the handler', async (zip, entry) => {
    const dir = await mkdtemp(join(tmpdir(), 'bundle-'));
    try {
      const files = await extractZip(join(out, zip), dir);
      expect(files).toContain(entry);
      const probe = join(dir, 'probe.mjs');
      await writeFile(probe, `const m = await import(${JSON.stringify(join(dir, entry))}); console.log(typeof m.handler);\n`);
      const env = { PATH: process.env.PATH, AWS_REGION: 'eu-west-1', TICKETS_TABLE: 't', MESSAGES_TABLE: 'm', MAIL_BUCKET: 'b', MAILBOXES: 'support@helpdesk.example=support' };
      const { stdout } = await run(process.execPath, [probe], { env });
      expect(stdout.trim()).toBe('function');
      // Code for rare paths (the SSM client for the reply-address secret, …) ships as chunks loaded on first use.
      expect(files.filter((f) => /^functions\/.+\.mjs$/.test(f)).length).toBeGreaterThan(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
