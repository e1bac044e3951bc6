/**
 * Asks AWS and DNS what the smoke checks need (./checks.ts), with the shell's credentials. Read-only
 * but for one call: the function is invoked on an S3 event for a key that does not exist, so that
 * its own role's GetObject answers (404, or 403); that records one `object-missing` skip (ledger
 * entry and metric), under `inbound/smoke-check/`. No mail is sent.
 */
import { resolveMx } from 'node:dns/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeActiveReceiptRuleSetCommand, GetIdentityVerificationAttributesCommand, SESClient } from '@aws-sdk/client-ses';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { deploymentNames, sesInboundEndpoint } from '../../infra/plugin/names.cjs';
import { MISSING_OBJECT_PREFIX, stackFacts, type Answer, type SmokeAnswers } from './checks.js';

/** The service name of serverless.yml (the stack is `<service>-<stage>`). */
export const SERVICE = 'helpdesk-mail-gateway';

async function answer<T>(call: () => Promise<T>): Promise<Answer<T>> {
  try {
    return { ok: await call() };
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string };
    return { error: { name: e.code ?? e.name ?? 'Error', message: e.message ?? String(error) } };
  }
}

/** Everything the checks read, for the stack of `stage` in `region`. */
export async function gatherAnswers(stage: string, region: string, now: Date = new Date()): Promise<SmokeAnswers> {
  const { stackName } = deploymentNames(SERVICE, stage);
  const inboundEndpoint = sesInboundEndpoint(region);
  const cloudFormation = new CloudFormationClient({ region });
  const ses = new SESClient({ region });
  const s3 = new S3Client({ region });
  const lambda = new LambdaClient({ region });
  const sns = new SNSClient({ region });
  try {
    const base = { stage, region, stackName, inboundEndpoint };
    const describeStacks = await answer(() => cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })));
    const found = stackFacts({ ...base, describeStacks });
    if (!('facts' in found)) return { ...base, describeStacks };
    const { facts } = found;
    const key = `${MISSING_OBJECT_PREFIX}${now.toISOString().replace(/[:.]/g, '-')}-missing`;
    const event = {
      Records: [{ eventSource: 'aws:s3', eventName: 'ObjectCreated:Put', s3: { bucket: { name: facts.mailBucket }, object: { key, size: 0 } } }],
    };
    const [activeRuleSet, mx, identity, bucketPolicy, missingObject, subscriptions] = await Promise.all([
      answer(() => ses.send(new DescribeActiveReceiptRuleSetCommand({}))),
      answer(() => resolveMx(facts.domain)),
      answer(() => ses.send(new GetIdentityVerificationAttributesCommand({ Identities: [facts.domain] }))),
      answer(() => s3.send(new GetBucketPolicyCommand({ Bucket: facts.mailBucket }))),
      answer(async () => {
        const out = await lambda.send(new InvokeCommand({ FunctionName: facts.functionName, Payload: new TextEncoder().encode(JSON.stringify(event)) }));
        return { FunctionError: out.FunctionError, StatusCode: out.StatusCode, payload: new TextDecoder().decode(out.Payload ?? new Uint8Array()), key };
      }),
      answer(() => sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: facts.alarmTopicArn }))),
    ]);
    return { ...base, describeStacks, activeRuleSet, mx, identity, bucketPolicy, missingObject, subscriptions };
  } finally {
    for (const client of [cloudFormation, ses, s3, lambda, sns]) client.destroy();
  }
}
