/** A bad configuration value fails the cold start with a message naming the variable. */
import { describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../lib/local/local-gateway.js';

describe('configuration at cold start', () => {
  it('refuses to start the handler on a bad value, naming the variable and what was expected', async () => {
    await expect(startLocalGateway({ mode: 'update-only', tickets: [], env: { UPDATE_ONLY: 'maybe' } })).rejects.toThrow(
      'UPDATE_ONLY="maybe" is invalid: expected "true" or "false"',
    );
  });
});
