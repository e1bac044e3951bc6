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
import { SKIP_REASON_NAMES } from '../../lib/outcomes.js';
import { RAW_MAIL_TAGS } from '../../lib/ledger-outcomes.js';
import { extractZip } from '../helpers/unzip.js';
import { SES_RECEIVING_REGIONS } from '../../infra/plugin/names.cjs';
import { METRICS_NAMESPACE, METRIC_NAMES, SERVICE_DIMENSION, SKIP_REASON_DIMENSION } from '../../lib/telemetry.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
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
  it('runs the function on nodejs24.x, arm64, with its own role', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions).toHaveLength(1);
    expect(resource('IngestMailLambdaFunction').Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Role: { 'Fn::GetAtt': ['IngestMailRole', 'Arn'] },
    });
    expect(resources.IamRoleLambdaExecution).toBeUndefined();
  });

  it('gives the function a configuration that loads', () => {
    const env = Object.fromEntries(
      Object.entries(functionEnvironment()).map(([k, v]) => [k, typeof v === 'string' ? v : `resolved-${JSON.stringify(v).replace(/\W/g, '')}`]),
    );
    const config = loadConfig(env);
    expect(config.mailboxes.length).toBeGreaterThan(0);
    expect(config.inboundPrefix).toBe('inbound/');
  });

  it('alarms on skipped mail with exactly the namespace, metric and dimensions the code emits', () => {
    const alarm = resource('SkippedMailAlarm').Properties;
    expect(alarm.Namespace).toBe(METRICS_NAMESPACE);
    expect(alarm.MetricName).toBe(METRIC_NAMES.skipped);
    expect(alarm.Dimensions).toEqual([{ Name: SERVICE_DIMENSION, Value: functionEnvironment().POWERTOOLS_SERVICE_NAME }]);
    expect(alarm).toMatchObject({ Statistic: 'Sum', ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
  });

  it('sends every alarm to the one topic and treats missing data as not breaching', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm');
    expect(alarms.map(([name]) => name).sort()).toEqual(['DeadLetterQueueAlarm', 'IngestErrorsAlarm', 'SkippedMailAlarm']);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
    expect(resource('DeadLetterQueueAlarm').Properties.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DeadLetterQueue', 'QueueName'] } }]);
    expect(resource('AlarmEmailSubscription').Condition).toBe('HasAlarmEmail');
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
    const mailboxes = loadConfig(Object.fromEntries(Object.entries(functionEnvironment()).map(([k, v]) => [k, String(v)]))).mailboxes;
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
    const rules = ((resource('MailBucket').Properties.LifecycleConfiguration as { Rules: Json[] }).Rules).filter((r) => r.TagFilters);
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

  it('keeps tickets and the ledger on demand with point-in-time recovery', () => {
    for (const name of ['TicketsTable', 'MessagesTable']) {
      expect(resource(name).Properties).toMatchObject({ BillingMode: 'PAY_PER_REQUEST', PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    }
  });

  it('ships a bundle that loads as a real ES module, with its lazily loaded chunks, and exports the handler', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bundle-'));
    try {
      const files = await extractZip(join(out, 'ingestMail.zip'), dir);
      expect(files).toContain('functions/ingest-mail.mjs');
      const probe = join(dir, 'probe.mjs');
      await writeFile(probe, `const m = await import(${JSON.stringify(join(dir, 'functions/ingest-mail.mjs'))}); console.log(typeof m.handler);\n`);
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
