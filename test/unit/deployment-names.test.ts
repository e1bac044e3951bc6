/**
 * The names, recipients and timeouts the stack derives at package time (infra/plugin/names.cjs):
 * within every service's limit for any stage the framework accepts, in every region where SES
 * receives mail; and a clear refusal for what cannot work.
 */
import { describe, expect, it } from 'vitest';
import {
  DeploymentConfigError,
  LIMITS,
  SES_RECEIVING_REGIONS,
  deploymentNames,
  existingRuleSetName,
  receiptRecipients,
  sesInboundEndpoint,
  visibilityTimeoutSeconds,
} from '../../infra/plugin/names.cjs';

const SERVICE = 'helpdesk-mail-gateway';
const ACCOUNT = '123456789012';
const STAGES = [
  'dev',
  'prod',
  'staging-feature-x',
  'staging-feature-x-long-30chars',
  'Staging-Feature-X',
  'UPPER',
  '0123456789-0123456789-0123456789-0123456789-0123456789-0123456789',
  'x'.repeat(128 - SERVICE.length - 1),
];

/** S3 general purpose bucket naming rules (Amazon S3 User Guide). */
function isValidBucketName(name: string): boolean {
  return (
    name.length >= 3 &&
    name.length <= LIMITS.bucketName &&
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !/^(xn--|sthree-)/.test(name) &&
    !/(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)
  );
}

const SES_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$/;

describe('deploymentNames', () => {
  it.each(STAGES)('fits every name of stage %s within its limit, in every region where SES receives mail', (stage) => {
    const names = deploymentNames(SERVICE, stage);
    expect(names.stackName).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
    expect(names.stackName.length).toBeLessThanOrEqual(LIMITS.stackName);
    for (const region of Object.keys(SES_RECEIVING_REGIONS)) {
      const bucket = `${names.bucketPrefix}-${ACCOUNT}-${region}`;
      expect(isValidBucketName(bucket), bucket).toBe(true);
    }
    for (const name of [names.ruleSetName, names.ruleName]) {
      expect(name).toMatch(SES_NAME);
      expect(name.length).toBeLessThanOrEqual(LIMITS.sesName);
    }
    expect(names.functionName).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(names.functionName.length).toBeLessThanOrEqual(LIMITS.functionName);
    expect(names.alarmTopicDisplayName.length).toBeLessThanOrEqual(LIMITS.topicDisplayName);
  });

  it('keeps the plain names where they fit, so existing stages keep theirs', () => {
    expect(deploymentNames(SERVICE, 'prod')).toEqual({
      stackName: 'helpdesk-mail-gateway-prod',
      bucketPrefix: 'helpdesk-mail-gateway-prod',
      ruleSetName: 'helpdesk-mail-gateway-prod',
      ruleName: 'helpdesk-mail-gateway-prod',
      functionName: 'helpdesk-mail-gateway-prod-ingestMail',
      alarmTopicDisplayName: 'Helpdesk mail gateway (prod)',
    });
  });

  it('shortens a name that does not fit with a hash of the stage, so two long stages never share one', () => {
    const a = deploymentNames(SERVICE, 'staging-feature-x-long-30chars');
    const b = deploymentNames(SERVICE, 'staging-feature-x-long-30chart');
    expect(a.bucketPrefix).toMatch(/^helpdesk-mail-gateway-[a-z0-9-]*-[0-9a-f]{8}$/);
    expect(a.bucketPrefix).not.toBe(b.bucketPrefix);
  });

  it('gives stages that differ only in case different buckets (bucket names are lowercase)', () => {
    const upper = deploymentNames(SERVICE, 'Dev');
    const lower = deploymentNames(SERVICE, 'dev');
    expect(upper.bucketPrefix).toMatch(/^[a-z0-9-]+$/);
    expect(upper.bucketPrefix).not.toBe(lower.bucketPrefix);
    expect(upper.ruleSetName).not.toBe(lower.ruleSetName);
  });

  it.each(['my_stage', 'dev.1', 'ünï', ''])('refuses stage %j, which no CloudFormation stack name can carry', (stage) => {
    expect(() => deploymentNames(SERVICE, stage)).toThrow(DeploymentConfigError);
    expect(() => deploymentNames(SERVICE, stage)).toThrow(/letters, digits and hyphens/);
  });

  it('refuses a stage that makes the stack name longer than CloudFormation allows, saying how long it may be', () => {
    expect(() => deploymentNames(SERVICE, 'x'.repeat(107))).toThrow(/at most 106 characters/);
  });
});

describe('sesInboundEndpoint', () => {
  it('answers the inbound SMTP endpoint of a receiving region', () => {
    expect(sesInboundEndpoint('ap-southeast-2')).toBe('inbound-smtp.ap-southeast-2.amazonaws.com');
    for (const [region, endpoint] of Object.entries(SES_RECEIVING_REGIONS)) expect(endpoint).toBe(`inbound-smtp.${region}.amazonaws.com`);
  });

  it.each(['eu-central-2', 'ap-east-1', 'us-gov-west-1', 'toString'])('refuses %s, naming the regions that receive mail', (region) => {
    expect(() => sesInboundEndpoint(region)).toThrow(new RegExp(`SES does not receive mail in region "${region}".*eu-west-1`));
  });
});

describe('receiptRecipients', () => {
  const mailboxes = 'support@helpdesk.example.com=support:update-only, New@helpdesk.example.com=support:create';

  it('defaults to the mailbox addresses, so SES refuses other addresses at SMTP time', () => {
    expect(receiptRecipients({ mailboxes, domain: 'helpdesk.example.com' })).toEqual(['support@helpdesk.example.com', 'new@helpdesk.example.com']);
  });

  it('takes an explicit list of addresses and domains instead', () => {
    expect(receiptRecipients({ recipients: 'help@example.org, example.net, .sub.example.com', mailboxes })).toEqual([
      'help@example.org',
      'example.net',
      '.sub.example.com',
    ]);
  });

  it('accepts the whole domain with catchAll=true, and only without an explicit list', () => {
    expect(receiptRecipients({ catchAll: 'true', mailboxes, domain: 'helpdesk.example.com' })).toEqual(['helpdesk.example.com']);
    expect(() => receiptRecipients({ catchAll: 'true', recipients: 'a@example.com', domain: 'example.com' })).toThrow(/exclude each other/);
    expect(() => receiptRecipients({ catchAll: 'yes', mailboxes })).toThrow(/catchAll must be "true" or "false"/);
  });

  it('refuses no recipients, malformed ones, and more than an SES rule takes', () => {
    expect(() => receiptRecipients({ mailboxes: '' })).toThrow(/got none/);
    expect(() => receiptRecipients({ recipients: 'not an address' })).toThrow(/"not an address"/);
    const many = Array.from({ length: 101 }, (_, i) => `a${i}@example.com`).join(',');
    expect(() => receiptRecipients({ recipients: many })).toThrow(/at most 100 recipients/);
  });
});

describe('existingRuleSetName and visibilityTimeoutSeconds', () => {
  it('accepts a valid SES rule set name and refuses others', () => {
    expect(existingRuleSetName('default-rule-set')).toBe('default-rule-set');
    expect(() => existingRuleSetName('bad name')).toThrow(/ruleSetName "bad name"/);
    expect(() => existingRuleSetName('x'.repeat(65))).toThrow(DeploymentConfigError);
  });

  it('is six times the function timeout, within SQS limits', () => {
    expect(visibilityTimeoutSeconds(60)).toBe(360);
    expect(visibilityTimeoutSeconds('900')).toBe(5400);
    expect(() => visibilityTimeoutSeconds(0)).toThrow(DeploymentConfigError);
  });
});
