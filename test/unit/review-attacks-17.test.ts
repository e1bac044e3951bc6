/**
 * An outside review of issue 17 (the body waits at the header block for the plan's answer), as
 * pure tests of the parse: what happens to the body while it waits.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TransientError } from '../../lib/errors.js';
import { DRAIN_ATTACHMENTS, parseMail } from '../../lib/mail/parse.js';
import { composeMime } from '../helpers/compose.js';
import { pulledSource } from '../helpers/pulled-source.js';

/** Some turns of the event loop: the parser works through what it was given. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('a connection reset while the body waits for the plan', () => {
  it('ends the parse with a TransientError (a retry) when the plan then answers to read the mail, instead of waiting for ever', async () => {
    const raw = await composeMime({
      from: 'alice@example.com', to: 'support@helpdesk.example', subject: 'Re: [support-42] the log', messageId: '<reset-1@example.com>',
      text: 'Here it is.\n', attachments: [{ filename: 'export.log.gz', content: randomBytes(2 * 1024 * 1024) }],
    });
    const mail = pulledSource(raw).stream;
    const parsed = parseMail(mail, {
      async onHeaders() {
        // The plan's DynamoDB round trip: meanwhile the parser hands over the first attachment
        // (it waits for this answer), the rest of the body is held back, and S3 resets the connection.
        await turns(50);
        mail.destroy(new Error('read ECONNRESET'));
        await turns(50);
        return DRAIN_ATTACHMENTS; // a redelivery, a duplicate of an applied mail: the body is read and discarded
      },
    }, undefined, raw.length);
    await expect(parsed).rejects.toBeInstanceOf(TransientError);
  });
});
