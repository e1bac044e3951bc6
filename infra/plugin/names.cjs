'use strict';
/**
 * Names and values the stack derives from the stage, the region and the parameters, checked against
 * each AWS service's limits at package time. Pure functions: the serverless plugin next to this file
 * hands them to serverless.yml as `${gateway:…}` variables, and the tests call them directly.
 *
 * Limits (AWS documentation):
 * - CloudFormation stack name: letters, digits and hyphens, starting with a letter, at most 128
 *   (AWS CloudFormation User Guide, "Stack name"). The framework names the stack `<service>-<stage>`
 *   and accepts only stages of letters, digits and hyphens.
 * - S3 bucket name: 3-63 lowercase letters, digits, hyphens and dots, starting and ending with a
 *   letter or digit (Amazon S3 User Guide, "General purpose bucket naming rules").
 * - SES receipt rule set and rule names: at most 64 letters, digits, underscores, hyphens and dots,
 *   starting and ending with a letter or digit (SES API Reference, ReceiptRule.Name, CreateReceiptRuleSet).
 * - SES receipt rule recipients: at most 100 (SES Developer Guide, receipt rule quotas).
 * - Lambda function name: at most 64 letters, digits, hyphens and underscores (Lambda API Reference, CreateFunction).
 * - SNS topic display name: at most 100 characters (SNS API Reference, SetTopicAttributes DisplayName).
 * - SQS visibility timeout: at most 43,200 s; Lambda's guidance for an SQS event source is at least
 *   six times the function's timeout (Lambda Developer Guide, "Configuring a queue to use with Lambda").
 */
const { createHash } = require('node:crypto');
const { regions: SES_RECEIVING_REGIONS } = require('../ses-receiving-regions.json');

/** A stage, region or parameter the stack cannot be deployed with; the message says why and what to do. */
class DeploymentConfigError extends Error {
  constructor(message) {
    super(message);
    this.name = 'DeploymentConfigError';
  }
}

const LIMITS = Object.freeze({
  stackName: 128,
  bucketName: 63,
  sesName: 64,
  functionName: 64,
  topicDisplayName: 100,
  recipients: 100,
  visibilityTimeout: 43_200,
});

const ACCOUNT_ID_LENGTH = 12;
/** The bucket is `<prefix>-<account id>-<region>`: what is left for the prefix in the longest receiving region. */
const BUCKET_PREFIX_LENGTH =
  LIMITS.bucketName - ACCOUNT_ID_LENGTH - Math.max(...Object.keys(SES_RECEIVING_REGIONS).map((r) => r.length)) - 2;
const HASH_LENGTH = 8;

function shortHash(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * `name` when it fits in `max` characters and `exact`; otherwise its start, a hyphen and a hash of
 * all of `unique`, so that two stages never share a derived name.
 */
function fit(name, max, unique, exact = true) {
  if (exact && name.length <= max) return name;
  const head = name.slice(0, max - HASH_LENGTH - 1).replace(/[^A-Za-z0-9]+$/, '');
  return `${head}-${shortHash(unique)}`;
}

/** The SES inbound SMTP endpoint of `region`, or a {@link DeploymentConfigError} naming the regions that receive mail. */
function sesInboundEndpoint(region) {
  const endpoint = Object.hasOwn(SES_RECEIVING_REGIONS, region) ? SES_RECEIVING_REGIONS[region] : undefined;
  if (!endpoint) {
    throw new DeploymentConfigError(
      `SES does not receive mail in region "${region}", so the receipt rule cannot be created there. ` +
        `Deploy with --region set to one of: ${Object.keys(SES_RECEIVING_REGIONS).join(', ')} ` +
        '(infra/ses-receiving-regions.json, from the SES email-receiving endpoints list).',
    );
  }
  return endpoint;
}

/**
 * The names of the stack's named resources for `service` and `stage`, each within its service's
 * limit. A name keeps its plain form (`helpdesk-mail-gateway-prod…`) when that fits; otherwise it is
 * shortened and ends in a hash of service and stage. Throws a {@link DeploymentConfigError} for a
 * stage no stack can carry: characters other than letters, digits and hyphens, or a stack name over 128.
 */
function deploymentNames(service, stage) {
  const base = `${service}-${stage}`;
  if (!/^[A-Za-z0-9-]+$/.test(stage)) {
    throw new DeploymentConfigError(
      `Stage "${stage}" cannot be deployed: the stack is named ${service}-<stage>, and CloudFormation stack names ` +
        `allow only letters, digits and hyphens. Use, for example, "${stage.replace(/[^A-Za-z0-9-]+/g, '-')}".`,
    );
  }
  if (base.length > LIMITS.stackName) {
    throw new DeploymentConfigError(
      `Stage "${stage}" cannot be deployed: the stack name ${service}-<stage> would have ${base.length} characters, ` +
        `and CloudFormation allows ${LIMITS.stackName}. Use a stage of at most ${LIMITS.stackName - service.length - 1} characters.`,
    );
  }
  const lower = base.toLowerCase();
  return {
    stackName: base,
    // Bucket names are lowercase: a stage with capitals gets a hash, so "Dev" and "dev" stay apart.
    bucketPrefix: fit(lower, BUCKET_PREFIX_LENGTH, base, lower === base),
    ruleSetName: fit(base, LIMITS.sesName, base),
    ruleName: fit(base, LIMITS.sesName, base),
    functionName: fit(`${base}-ingestMail`, LIMITS.functionName, base),
    alarmTopicDisplayName: fit(`Helpdesk mail gateway (${stage})`, LIMITS.topicDisplayName, base),
  };
}

/** `name` when it is a valid SES receipt rule set name; otherwise a {@link DeploymentConfigError} for parameter `ruleSetName`. */
function existingRuleSetName(name) {
  if (name.length > LIMITS.sesName || !/^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$/.test(name)) {
    throw new DeploymentConfigError(
      `Parameter ruleSetName "${name}" is not an SES receipt rule set name: at most 64 letters, digits, "_", "-" and ".", ` +
        'starting and ending with a letter or digit.',
    );
  }
  return name;
}

/**
 * The receipt rule's recipients. By default the addresses of `mailboxes` (`address=queue[:mode]`,
 * comma-separated), so that SES refuses mail to any other address at SMTP time. `recipients`
 * (comma-separated addresses or domains) replaces them; `catchAll` = "true" accepts all of `domain`.
 */
function receiptRecipients({ recipients = '', catchAll = 'false', mailboxes = '', domain = '' }) {
  const split = (value) =>
    String(value)
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
  if (catchAll !== 'true' && catchAll !== 'false') {
    throw new DeploymentConfigError(`Parameter catchAll must be "true" or "false", not "${catchAll}".`);
  }
  const explicit = split(recipients);
  if (catchAll === 'true' && explicit.length > 0) {
    throw new DeploymentConfigError('Parameters catchAll=true and recipients exclude each other: catchAll accepts all of the domain.');
  }
  const list =
    catchAll === 'true' ? [String(domain).trim()] : explicit.length > 0 ? explicit : split(mailboxes).map((entry) => entry.split('=')[0].trim());
  const bad = list.filter((r) => !/^(?:[^\s@,=]+@)?\.?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/.test(r));
  if (list.length === 0 || bad.length > 0) {
    throw new DeploymentConfigError(
      `The receipt rule needs addresses or domains to accept, and got ${list.length === 0 ? 'none' : bad.map((b) => `"${b}"`).join(', ')} ` +
        '(from parameter recipients, or the addresses of mailboxes, or domain with catchAll=true).',
    );
  }
  if (list.length > LIMITS.recipients) {
    throw new DeploymentConfigError(
      `An SES receipt rule takes at most ${LIMITS.recipients} recipients, and there are ${list.length}: list domains in parameter recipients instead.`,
    );
  }
  return [...new Set(list.map((r) => r.toLowerCase()))];
}

/**
 * The addresses of `mailboxes` (`address=queue[:mode]`, comma-separated), lower-cased, each once:
 * the only From addresses sender notices may use (the `ses:FromAddress` condition).
 */
function mailboxAddresses(mailboxes = '') {
  const addresses = String(mailboxes)
    .split(',')
    .map((entry) => entry.split('=')[0].trim().toLowerCase())
    .filter(Boolean);
  const bad = addresses.filter((a) => !/^[^\s@,=]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/.test(a));
  if (addresses.length === 0 || bad.length > 0) {
    throw new DeploymentConfigError(`Parameter mailboxes needs address=queue entries, and got ${addresses.length === 0 ? 'none' : bad.map((b) => `"${b}"`).join(', ')}.`);
  }
  return [...new Set(addresses)];
}

/**
 * The SES identities a sender notice may be sent with: each mailbox address and its domain (SES
 * authorizes against the address identity when that is verified, else the domain identity).
 */
function sendingIdentities(mailboxes = '') {
  const addresses = mailboxAddresses(mailboxes);
  return [...new Set([...addresses.map((a) => a.slice(a.lastIndexOf('@') + 1)), ...addresses])];
}

/** Six times the function's timeout (seconds), as Lambda advises for a queue it reads. */
function visibilityTimeoutSeconds(functionTimeout) {
  const timeout = Number(functionTimeout);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout * 6 > LIMITS.visibilityTimeout) {
    throw new DeploymentConfigError(
      `The function timeout ${functionTimeout} gives no valid queue visibility timeout (6 × timeout, at most ${LIMITS.visibilityTimeout} s).`,
    );
  }
  return timeout * 6;
}

module.exports = {
  BUCKET_PREFIX_LENGTH,
  DeploymentConfigError,
  LIMITS,
  SES_RECEIVING_REGIONS,
  deploymentNames,
  existingRuleSetName,
  mailboxAddresses,
  receiptRecipients,
  sendingIdentities,
  sesInboundEndpoint,
  visibilityTimeoutSeconds,
};
