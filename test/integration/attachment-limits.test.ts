/**
 * The attachment size limits at their edges, through the real handler against dynalite and s3rver:
 * an attachment of exactly MAX_ATTACHMENT_BYTES, and attachments that fill MAX_ATTACHMENTS_TOTAL_BYTES
 * exactly, are stored byte for byte; one byte more is refused, and an upload refused after its first
 * 5 MiB part went up is aborted (AbortMultipartUpload), so that no orphaned parts are billed.
 *
 * s3rver implements neither AbortMultipartUpload nor ListMultipartUploads, so the abort is checked
 * on the requests the gateway's S3 client sent (observeAwsRequests: the requests as they go on the
 * wire, not a mock).
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { observeAwsRequests, type SentRequest } from '../../lib/adapters/aws-clients.js';
import { PART_SIZE } from '../../lib/adapters/s3-streaming-upload.js';
import { composeMime } from '../helpers/compose.js';
import { useGateway } from '../helpers/gateway.js';
import { newMessageId } from '../helpers/mail.js';

const MIB = 1024 * 1024;
/** Above one 5 MiB part, so that an attachment over it is refused after a part went up. */
const MAX_ATTACHMENT_BYTES = 6 * MIB;
const MAX_ATTACHMENTS_TOTAL_BYTES = 7 * MIB;

const fixture = useGateway({
  mode: 'update-only',
  env: { MAX_ATTACHMENT_BYTES: String(MAX_ATTACHMENT_BYTES), MAX_ATTACHMENTS_TOTAL_BYTES: String(MAX_ATTACHMENTS_TOTAL_BYTES) },
});

interface StoredAttachment {
  index: number;
  key: string | null;
  size: number;
  refused: string | null;
}

/** Delivers a follow-up to ticket 42 with `files` attached: its report, stored attachments and the S3 requests sent. */
async function deliverWith(name: string, files: readonly Buffer[]) {
  const raw = await composeMime({
    from: 'alice@example.com',
    to: 'support@helpdesk.example',
    subject: `Re: [support-42] ${name}`,
    messageId: newMessageId(name),
    text: 'Files attached.\n',
    attachments: files.map((content, i) => ({ filename: `${name}-${i}.bin`, content })),
  });
  const requests: SentRequest[] = [];
  const stop = observeAwsRequests((request) => requests.push(request));
  try {
    const report = await fixture.gateway.deliver(`${name}.eml`, raw);
    expect(report.outcome).toMatchObject({ kind: 'followup', ticketId: 42 });
    const entry = await fixture.aws.ledgerEntry(String(report.messageId));
    return { report, attachments: entry?.attachments as StoredAttachment[], requests };
  } finally {
    stop();
  }
}

describe('attachment size limits', () => {
  it('stores an attachment of exactly MAX_ATTACHMENT_BYTES, and attachments filling MAX_ATTACHMENTS_TOTAL_BYTES exactly, byte for byte', async () => {
    const atFileLimit = randomBytes(MAX_ATTACHMENT_BYTES);
    const toTotalLimit = randomBytes(MAX_ATTACHMENTS_TOTAL_BYTES - MAX_ATTACHMENT_BYTES);
    const oneMore = randomBytes(1);
    const { attachments } = await deliverWith('at-the-limits', [atFileLimit, toTotalLimit, oneMore]);

    expect(attachments.map(({ size, refused }) => ({ size, refused }))).toEqual([
      { size: MAX_ATTACHMENT_BYTES, refused: null },
      { size: toTotalLimit.length, refused: null },
      { size: 1, refused: 'total-too-large' },
    ]);
    expect((await fixture.aws.objectBytes(attachments[0]?.key ?? '')).equals(atFileLimit)).toBe(true);
    expect((await fixture.aws.objectBytes(attachments[1]?.key ?? '')).equals(toTotalLimit)).toBe(true);
    expect(attachments[2]?.key).toBeNull();
  });

  it('refuses an attachment one byte over MAX_ATTACHMENT_BYTES, aborting its upload after the first 5 MiB part', async () => {
    const { attachments, requests } = await deliverWith('over-the-limit', [randomBytes(MAX_ATTACHMENT_BYTES + 1)]);
    expect(attachments.map(({ key, refused }) => ({ key, refused }))).toEqual([{ key: null, refused: 'too-large' }]);

    const upload = requests.filter((r) => r.path.includes('/attachments/42/'));
    const commands = upload.map((r) => r.command);
    expect(commands).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'AbortMultipartUploadCommand']);
    const [, part, abort] = upload;
    expect(Number(part?.headers['content-length'])).toBe(PART_SIZE);
    // The abort names the upload the part went to.
    expect(abort?.path).toBe(part?.path);
    expect(abort?.query.uploadId).toBe(part?.query.uploadId);
    expect(await fixture.aws.keys('attachments/42/')).not.toContain(abort?.path.replace(/^\/[^/]+\//, ''));
  });
});
