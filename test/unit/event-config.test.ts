import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';

const base = { TICKETS_TABLE: 't', MESSAGES_TABLE: 'm', MAIL_BUCKET: 'b', MAILBOXES: 'support@helpdesk.example=support' };

describe('EVENT_BUS_NAME', () => {
  it('is optional: unset, no events are published', () => {
    expect(loadConfig(base).eventBusName).toBeNull();
  });

  it('takes a bus name or an event-bus ARN, as PutEvents does', () => {
    expect(loadConfig({ ...base, EVENT_BUS_NAME: 'helpdesk-mail-gateway-prod' }).eventBusName).toBe('helpdesk-mail-gateway-prod');
    const arn = 'arn:aws:events:eu-west-1:123456789012:event-bus/shared/helpdesk';
    expect(loadConfig({ ...base, EVENT_BUS_NAME: arn }).eventBusName).toBe(arn);
  });

  it('refuses anything else, naming the variable', () => {
    for (const bad of ['two words', 'a'.repeat(257), 'arn:aws:sqs:eu-west-1:123456789012:queue']) {
      expect(() => loadConfig({ ...base, EVENT_BUS_NAME: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, EVENT_BUS_NAME: bad })).toThrow(/EVENT_BUS_NAME/);
    }
  });
});
