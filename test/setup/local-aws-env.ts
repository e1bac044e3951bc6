/**
 * Every test file runs with the local run's AWS environment, whatever the shell exports
 * (`AWS_PROFILE`, `AWS_REGION`, `AWS_ENDPOINT_URL*`, `AWS_SESSION_TOKEN`, …): a region, local keys,
 * no shared config files (lib/local/shell-isolation.ts). Child processes the tests start inherit it.
 */
import { isolateFromShellAws } from '../../lib/local/shell-isolation.js';

isolateFromShellAws(process.env);
