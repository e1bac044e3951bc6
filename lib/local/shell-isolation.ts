/**
 * The local run and the tests talk to the embedded stack only, whatever the shell says about AWS.
 *
 * The SDK's default credential chain skips the `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` pair
 * as soon as `AWS_PROFILE` is set (it then reads that profile, and fails on one that does not
 * exist); `AWS_SESSION_TOKEN` is signed into every request with the local keys; `AWS_ENDPOINT_URL`
 * and `AWS_ENDPOINT_URL_<SERVICE>` send calls elsewhere; `~/.aws/config` can set endpoints and
 * retry modes (AWS SDKs and Tools Reference Guide, "Standardized credential providers" and
 * "Service-specific endpoints"). So before the local stack's own variables are set, every variable
 * of {@link SHELL_AWS_VARIABLES} is removed, and the shared config and credentials files are pointed
 * at the null device.
 */
import { devNull } from 'node:os';

/**
 * The shell's AWS variables the local run and the tests ignore: matched by name. Any other `AWS_*`
 * variable (e.g. `AWS_MAX_ATTEMPTS`) is left to the shell.
 */
export const SHELL_AWS_VARIABLES: readonly RegExp[] = [
  /^AWS_(DEFAULT_)?PROFILE$/,
  /^AWS_(DEFAULT_)?REGION$/,
  /^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN|CREDENTIAL_EXPIRATION|ACCOUNT_ID)$/,
  /^AWS_ENDPOINT_URL(_.+)?$/,
  /^AWS_IGNORE_CONFIGURED_ENDPOINT_URLS$/,
  /^AWS_(CONFIG_FILE|SHARED_CREDENTIALS_FILE)$/,
  /^AWS_(ROLE_ARN|ROLE_SESSION_NAME|WEB_IDENTITY_TOKEN_FILE)$/,
  /^AWS_(CONTAINER|EC2_METADATA)_.+$/,
  /^AWS_USE_(FIPS|DUALSTACK)_ENDPOINT$/,
];

/**
 * What the local run and the tests set instead: a region, the local stack's keys (s3rver insists on
 * these; dynalite takes any), no shared config or credentials file, and no Node-version notice from
 * the SDK (`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED`, read by `@aws-sdk/core`): the local
 * run's output is the user's. The endpoints are the embedded stack's (`embedded-stack.ts`).
 */
export const LOCAL_AWS_ENV: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'S3RVER',
  AWS_SECRET_ACCESS_KEY: 'S3RVER',
  AWS_CONFIG_FILE: devNull,
  AWS_SHARED_CREDENTIALS_FILE: devNull,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** Whether `name` is one of the shell's AWS variables the local run ignores. */
export function isShellAwsVariable(name: string): boolean {
  return SHELL_AWS_VARIABLES.some((pattern) => pattern.test(name));
}

/**
 * Removes the shell's AWS variables from `env` (by default this process's environment, which child
 * processes inherit) and sets {@link LOCAL_AWS_ENV}. Answers the names it removed whose values
 * differed from the local ones, for a note.
 */
export function isolateFromShellAws(env: NodeJS.ProcessEnv = process.env): string[] {
  const removed: string[] = [];
  for (const name of Object.keys(env)) {
    if (!isShellAwsVariable(name)) continue;
    if (env[name] !== LOCAL_AWS_ENV[name]) removed.push(name);
    delete env[name];
  }
  Object.assign(env, LOCAL_AWS_ENV);
  return removed.sort();
}
