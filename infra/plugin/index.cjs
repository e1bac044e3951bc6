'use strict';
/**
 * A serverless plugin (loaded from serverless.yml as ./infra/plugin/index.cjs) that makes the stack
 * fit any stage and region, or refuses at package time with a message:
 *
 * - `${gateway:<name>}` variables: names within each service's limit (bucketPrefix, ruleSetName,
 *   ruleName, functionName, alarmTopicDisplayName), the receipt rule's recipients, the queue's
 *   visibility timeout. Each throws a message naming the stage or parameter that cannot work.
 * - before packaging, the region must be one where SES receives mail, and each function's resolved
 *   environment must pass the check the function runs at cold start (./function-config.cjs);
 * - the packaged template gets a CloudFormation `Rules` assertion of the same list, so a deploy of
 *   the template to another region fails at once, before any resource is created.
 *
 * The logic is in ./names.cjs (pure, unit-tested); this file only wires it into the framework.
 */
const names = require('./names.cjs');
const functionConfig = require('./function-config.cjs');

/** The CloudFormation `Rules` section: the region must be one where SES receives mail. */
function regionRules() {
  return {
    SesReceivesMailInThisRegion: {
      Assertions: [
        {
          Assert: { 'Fn::Contains': [Object.keys(names.SES_RECEIVING_REGIONS), { Ref: 'AWS::Region' }] },
          AssertDescription:
            'SES does not receive mail in this region. Deploy to a region listed in infra/ses-receiving-regions.json (the SES email-receiving endpoints).',
        },
      ],
    },
  };
}

class HelpdeskGatewayPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.configurationVariablesSources = {
      gateway: {
        resolve: async ({ address, resolveVariable }) => ({ value: await this.userFacing(() => this.resolve(address, resolveVariable)) }),
      },
    };
    this.hooks = {
      'before:package:initialize': () =>
        this.userFacing(async () => {
          names.sesInboundEndpoint(this.serverless.getProvider('aws').getRegion());
          const { service, serviceDir, configurationFilename } = this.serverless;
          functionConfig.checkFunctionConfig(service, functionConfig.serviceFileText(serviceDir, configurationFilename));
        }),
      'before:package:finalize': () => {
        const template = this.serverless.service.provider.compiledCloudFormationTemplate;
        template.Rules = { ...template.Rules, ...regionRules() };
      },
    };
  }

  /** Runs `work`; a {@link names.DeploymentConfigError} becomes the framework's error, shown as its message alone. */
  async userFacing(work) {
    try {
      return await work();
    } catch (error) {
      if (error instanceof names.DeploymentConfigError) throw new this.serverless.classes.Error(error.message, 'HELPDESK_GATEWAY_CONFIG');
      throw error;
    }
  }

  async resolve(address, resolveVariable) {
    const param = async (name) => String(await resolveVariable(`param:${name}`));
    switch (address) {
      case 'recipients':
        return names.receiptRecipients({
          recipients: await param('recipients'),
          catchAll: await param('catchAll'),
          mailboxes: await param('mailboxes'),
          domain: await param('domain'),
        });
      case 'mailboxAddresses':
        return names.mailboxAddresses(await param('mailboxes'));
      case 'noticeIdentityArns':
        return names.sendingIdentities(await param('mailboxes')).map((identity) => ({
          'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/${identity}`,
        }));
      case 'visibilityTimeout':
        return names.visibilityTimeoutSeconds(await resolveVariable('self:provider.timeout'));
      case 'ruleSetName': {
        const existing = await param('ruleSetName');
        if (existing) return names.existingRuleSetName(existing);
        break;
      }
      default:
    }
    const derived = names.deploymentNames(String(await resolveVariable('self:service')), String(await resolveVariable('sls:stage')));
    if (!Object.hasOwn(derived, address)) {
      throw new names.DeploymentConfigError(
        `\${gateway:${address}} is not defined; the gateway plugin knows recipients, mailboxAddresses, noticeIdentityArns, visibilityTimeout, ${Object.keys(derived).join(', ')}.`,
      );
    }
    return derived[address];
  }
}

module.exports = HelpdeskGatewayPlugin;
module.exports.regionRules = regionRules;
