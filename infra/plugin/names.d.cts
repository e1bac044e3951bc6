/** Types of ./names.cjs, for the TypeScript tests and the smoke check. */
export declare class DeploymentConfigError extends Error {}
export declare const LIMITS: Readonly<{
  stackName: number;
  bucketName: number;
  sesName: number;
  functionName: number;
  topicDisplayName: number;
  recipients: number;
  visibilityTimeout: number;
}>;
/** Characters left for the bucket's prefix in `<prefix>-<account id>-<region>`, in the longest receiving region. */
export declare const BUCKET_PREFIX_LENGTH: number;
/** Region → SES inbound SMTP endpoint, for every region where SES receives mail. */
export declare const SES_RECEIVING_REGIONS: Readonly<Record<string, string>>;
export interface DeploymentNames {
  readonly stackName: string;
  readonly bucketPrefix: string;
  readonly ruleSetName: string;
  readonly ruleName: string;
  readonly functionName: string;
  readonly alarmTopicDisplayName: string;
}
export declare function deploymentNames(service: string, stage: string): DeploymentNames;
export declare function existingRuleSetName(name: string): string;
export declare function receiptRecipients(params: { recipients?: string; catchAll?: string; mailboxes?: string; domain?: string }): string[];
export declare function sesInboundEndpoint(region: string): string;
export declare function visibilityTimeoutSeconds(functionTimeout: number | string): number;
export declare function mailboxAddresses(mailboxes: string): string[];
export declare function sendingIdentities(mailboxes: string): string[];
