'use strict';
/**
 * The functions' configuration, checked at package time by the check the function itself runs at
 * every cold start: `loadConfig` of lib/config.ts, over each function's environment as the framework
 * resolved it (parameters, stage). A value the function would refuse (`--param senderPolicy=bogus`,
 * a malformed `mailboxes`, a reply-token parameter name without "/") fails `serverless package`
 * before CloudFormation sees the template, instead of sending every mail to the dead-letter queue.
 *
 * lib/config.ts is TypeScript: esbuild (which packages the functions anyway) bundles it in memory
 * to CommonJS, its npm imports left to `require`. Values CloudFormation resolves at deploy time
 * (`!Ref TicketsTable`, `!If …`) stand in as {@link deployTimeValue}, a valid name.
 */
const { readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const path = require('node:path');
const { DeploymentConfigError } = require('./names.cjs');

const CONFIG_MODULE = path.resolve(__dirname, '../../lib/config.ts');

/**
 * What stands in for a value CloudFormation resolves at deploy time, one per variable (two tables
 * resolved at deploy time are two tables, and must not read as one).
 */
const deployTimeValue = (name) => `resolved-at-deploy-${name}`;

let configModule;

/** lib/config.ts, compiled once per process. */
function gatewayConfigModule() {
  if (!configModule) {
    const { buildSync } = require('esbuild');
    const { outputFiles } = buildSync({
      entryPoints: [CONFIG_MODULE],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      packages: 'external',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    const compiled = { exports: {} };
    // eslint-disable-next-line no-new-func -- the module esbuild just built from our own source
    new Function('module', 'exports', 'require', '__filename', '__dirname', outputFiles[0].text)(
      compiled,
      compiled.exports,
      createRequire(CONFIG_MODULE),
      CONFIG_MODULE,
      path.dirname(CONFIG_MODULE),
    );
    configModule = compiled.exports;
  }
  return configModule;
}

/** The environment a function gets: the provider's, then its own; deploy-time values as {@link deployTimeValue}. */
function resolvedEnvironment(providerEnvironment, functionEnvironment) {
  const merged = { ...providerEnvironment, ...functionEnvironment };
  return Object.fromEntries(
    Object.entries(merged).map(([name, value]) => [name, typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : deployTimeValue(name)]),
  );
}

/**
 * Which parameter sets each variable in the service file (`VAR: ${param:name}`), for the message:
 * the person packaging set a parameter, not a variable.
 */
function parametersOf(serviceFileText) {
  const parameters = {};
  for (const match of serviceFileText.matchAll(/^\s+([A-Z][A-Z0-9_]*):\s*['"]?\$\{param:([A-Za-z0-9_]+)\}/gm)) parameters[match[1]] = match[2];
  return parameters;
}

/**
 * Runs the function's configuration check on every function's environment. Throws a
 * {@link DeploymentConfigError} naming the function, the variable and the parameter that sets it.
 *
 * @param {{ provider?: Record<string, unknown>, functions: Record<string, { environment?: Record<string, unknown> }> }} service
 * @param {string} serviceFileText the service file (serverless.yml), to name parameters; may be ''
 */
function checkFunctionConfig(service, serviceFileText) {
  const { loadConfig } = gatewayConfigModule();
  const parameters = parametersOf(serviceFileText);
  for (const [name, fn] of Object.entries(service.functions ?? {})) {
    const env = resolvedEnvironment(service.provider?.environment ?? {}, fn?.environment ?? {});
    try {
      loadConfig(env);
    } catch (error) {
      if (typeof error?.variable !== 'string') throw error;
      const parameter = parameters[error.variable];
      const hint = parameter ? ` It comes from the parameter ${parameter} (--param="${parameter}=…" or params: in serverless.yml).` : '';
      throw new DeploymentConfigError(`The function ${name} would refuse its configuration at every cold start: ${error.message}.${hint}`);
    }
  }
}

/** Reads the service file next to the framework's working directory, or '' when there is none. */
function serviceFileText(serviceDir, filename) {
  try {
    return readFileSync(path.join(serviceDir, filename ?? 'serverless.yml'), 'utf8');
  } catch {
    return '';
  }
}

module.exports = { checkFunctionConfig, deployTimeValue, parametersOf, resolvedEnvironment, serviceFileText };
