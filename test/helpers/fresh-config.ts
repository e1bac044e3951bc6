/**
 * lib/config.ts imported anew, for tests that judge its checks as the code is during the test.
 * Most of its checks are valibot schemas built when the module is imported; a test that imports it
 * at the top of its file judges the schemas as they were built then (and mutation testing cannot
 * switch such a mutant on in time: reports/mutation/EQUIVALENT.md, "Static code").
 */
import { vi } from 'vitest';
import type * as ConfigModule from '../../lib/config.js';
import { ConfigError } from '../../lib/errors.js';

/** The smallest valid environment: the three stores and one mailbox. */
export const BASE_ENV = { TICKETS_TABLE: 'tickets', MESSAGES_TABLE: 'messages', MAIL_BUCKET: 'mail', MAILBOXES: 'support@helpdesk.example=support' } as const;

/** A fresh copy of lib/config.ts (vi.resetModules, then a dynamic import): call it in beforeEach. */
export async function importConfigAnew(): Promise<typeof ConfigModule> {
  vi.resetModules();
  return import('../../lib/config.js');
}

/**
 * The variable and expectation of the ConfigError `run` throws.
 * @throws Error when `run` returns, or throws anything but a ConfigError.
 */
export function configRefusal(run: () => unknown): { variable: string; expected: string } {
  try {
    run();
  } catch (error) {
    // A fresh import also loads a fresh errors module: compare by name, not by class identity.
    if (error instanceof Error && error.name === ConfigError.name) {
      const { variable, expected } = error as ConfigError;
      return { variable, expected };
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
}
