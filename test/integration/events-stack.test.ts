/**
 * The event bus, the function's grant on it and the opt-in webhook (infra/events.yml), checked on
 * the stack configuration `serverless print` resolves for each set of parameters — the resources
 * CloudFormation gets, conditions evaluated as CloudFormation would. (`serverless package` of the
 * default stack is checked in stack-template.test.ts; CI packages and cfn-lints both variants.)
 */
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { DETAIL_TYPES, EVENT_SOURCE } from '../../lib/events/gateway-event.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const HOOK = 'https://helpdesk.example.com/hooks/mail';

type Json = Record<string, unknown>;
interface Stack {
  /** Resources that CloudFormation creates with these parameters (conditions evaluated, `Fn::If` resolved). */
  resources: Record<string, Json>;
  /** Every resource, whatever its condition. */
  all: Record<string, Json>;
  environment: Json;
  extensions: Record<string, Json>;
}

/** Evaluates a condition built from `Fn::Equals`/`Fn::Not` over literals and other conditions. */
function evaluate(condition: unknown, conditions: Json): boolean {
  const c = condition as Json;
  if (typeof c.Condition === 'string') return evaluate(conditions[c.Condition], conditions);
  if (c['Fn::Equals']) {
    const [a, b] = c['Fn::Equals'] as unknown[];
    return JSON.stringify(a) === JSON.stringify(b);
  }
  if (c['Fn::Not']) return !evaluate((c['Fn::Not'] as unknown[])[0], conditions);
  throw new Error(`cannot evaluate ${JSON.stringify(c)}`);
}

/** The value with each `Fn::If` replaced by its taken branch (`AWS::NoValue` branches dropped). */
function resolveIfs(value: unknown, truth: Record<string, boolean>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveIfs(v, truth)).filter((v) => v !== undefined);
  if (typeof value !== 'object' || value === null) return value;
  const node = value as Json;
  if (node['Fn::If']) {
    const [name, yes, no] = node['Fn::If'] as [string, unknown, unknown];
    const taken = truth[name] ? yes : no;
    return (taken as Json | undefined)?.Ref === 'AWS::NoValue' ? undefined : resolveIfs(taken, truth);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, resolveIfs(v, truth)]).filter(([, v]) => v !== undefined));
}

async function stackWith(params: Record<string, string>): Promise<Stack> {
  const args = ['print', '--format', 'json', ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)];
  const { stdout } = await run(join(ROOT, 'node_modules/.bin/serverless'), args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  const config = JSON.parse(stdout) as { resources: { Conditions: Json; Resources: Record<string, Json>; extensions: Record<string, Json> }; provider: { environment: Json } };
  const { Conditions, Resources, extensions } = config.resources;
  const truth = Object.fromEntries(Object.keys(Conditions).map((name) => [name, evaluate(Conditions[name], Conditions)]));
  const created = Object.entries(Resources).filter(([, r]) => typeof r.Condition !== 'string' || truth[r.Condition]);
  return {
    resources: Object.fromEntries(created.map(([name, r]) => [name, resolveIfs(r, truth) as Json])),
    all: Resources,
    environment: resolveIfs(config.provider.environment, truth) as Json,
    extensions,
  };
}

const props = (stack: Stack, name: string) => {
  const resource = stack.resources[name];
  if (!resource) throw new Error(`no resource ${name} with these parameters`);
  return resource.Properties as Json;
};

const WEBHOOK_RESOURCES = ['WebhookConnection', 'WebhookDestination', 'WebhookInvokeRole', 'WebhookRule', 'WebhookDeadLetterQueue', 'WebhookDeadLetterQueuePolicy', 'WebhookDeadLetterAlarm'];

let plain: Stack;
let webhook: Stack;
let existingBus: Stack;
beforeAll(async () => {
  [plain, webhook, existingBus] = await Promise.all([stackWith({}), stackWith({ webhookUrl: HOOK }), stackWith({ eventBusName: 'shared-bus' })]);
}, 120_000);

describe('the event bus', () => {
  it('is created by the stack, and named to the function', () => {
    expect(props(plain, 'EventBus')).toEqual({ Name: 'helpdesk-mail-gateway-dev' });
    expect(plain.environment.EVENT_BUS_NAME).toEqual({ Ref: 'EventBus' });
  });

  it('is an existing bus when eventBusName names one: nothing created, the function told its name', () => {
    expect(existingBus.resources.EventBus).toBeUndefined();
    expect(existingBus.environment.EVENT_BUS_NAME).toBe('shared-bus');
    expect(loadConfig({ TICKETS_TABLE: 't', MESSAGES_TABLE: 'm', MAIL_BUCKET: 'b', MAILBOXES: 'a@b.example=q', EVENT_BUS_NAME: 'shared-bus' }).eventBusName).toBe('shared-bus');
  });

  it('may receive PutEvents from the function only, on that bus only, with our source only', () => {
    for (const [stack, bus] of [
      [plain, { 'Fn::GetAtt': ['EventBus', 'Arn'] }],
      [existingBus, { 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/shared-bus' }],
    ] as const) {
      const policy = props(stack, 'PublishEventsPolicy');
      expect(policy.Roles).toEqual([{ Ref: 'IngestMailRole' }]);
      expect((policy.PolicyDocument as { Statement: Json[] }).Statement).toEqual([
        { Sid: 'PublishOutcomeEventsOnTheBus', Effect: 'Allow', Action: 'events:PutEvents', Resource: bus, Condition: { StringEquals: { 'events:source': EVENT_SOURCE } } },
      ]);
    }
  });

  it('is granted before the function reads the queue', () => {
    expect(plain.extensions.IngestMailEventSourceMappingSQSInboundQueue?.DependsOn).toContain('PublishEventsPolicy');
  });
});

describe('the webhook', () => {
  it('is not created without webhookUrl', () => {
    for (const name of WEBHOOK_RESOURCES) {
      expect(plain.all[name]?.Condition, name).toBe('HasWebhook');
      expect(plain.resources[name], name).toBeUndefined();
    }
  });

  it('POSTs Ticket Created and Followup Added from our source to the URL', () => {
    expect(props(webhook, 'WebhookDestination')).toMatchObject({ InvocationEndpoint: HOOK, HttpMethod: 'POST', ConnectionArn: { 'Fn::GetAtt': ['WebhookConnection', 'Arn'] } });
    const rule = props(webhook, 'WebhookRule');
    expect(rule.EventBusName).toEqual({ Ref: 'EventBus' });
    expect(rule.EventPattern).toEqual({ source: [EVENT_SOURCE], 'detail-type': [DETAIL_TYPES.created, DETAIL_TYPES.followup] });
  });

  it('sends an API-key header whose key comes from Secrets Manager, never from the template', () => {
    const auth = props(webhook, 'WebhookConnection');
    expect(auth.AuthorizationType).toBe('API_KEY');
    expect((auth.AuthParameters as Json).ApiKeyAuthParameters).toEqual({
      ApiKeyName: 'X-Api-Key',
      ApiKeyValue: '{{resolve:secretsmanager:helpdesk-mail-gateway/webhook-api-key:SecretString}}',
    });
  });

  it('retries, then parks what the webhook did not take in a dead-letter queue that alarms', () => {
    const [target] = props(webhook, 'WebhookRule').Targets as Json[];
    expect(target).toMatchObject({
      Arn: { 'Fn::GetAtt': ['WebhookDestination', 'Arn'] },
      RoleArn: { 'Fn::GetAtt': ['WebhookInvokeRole', 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: expect.any(Number), MaximumEventAgeInSeconds: expect.any(Number) },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['WebhookDeadLetterQueue', 'Arn'] } },
    });
    const [allow] = (props(webhook, 'WebhookDeadLetterQueuePolicy').PolicyDocument as { Statement: Json[] }).Statement;
    expect(allow).toMatchObject({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['WebhookRule', 'Arn'] } } } });
    expect(props(webhook, 'WebhookDeadLetterAlarm')).toMatchObject({ AlarmActions: [{ Ref: 'AlarmTopic' }], Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['WebhookDeadLetterQueue', 'QueueName'] } }] });
  });

  it('invokes the destination through a role that may do nothing else', () => {
    const role = props(webhook, 'WebhookInvokeRole');
    const [policy] = role.Policies as { PolicyDocument: { Statement: Json[] } }[];
    expect(policy?.PolicyDocument.Statement).toEqual([
      { Sid: 'InvokeTheWebhookOnly', Effect: 'Allow', Action: 'events:InvokeApiDestination', Resource: { 'Fn::GetAtt': ['WebhookDestination', 'Arn'] } },
    ]);
    expect(JSON.stringify(role.AssumeRolePolicyDocument)).toContain('events.amazonaws.com');
  });
});
