/**
 * The S3 API's checksum rules for a multipart upload, checked on the requests the SDK sent
 * (recorded with {@link observeAwsRequests}): s3rver accepts any sequence, real S3 does not.
 *
 * - CreateMultipartUpload may declare an algorithm (`x-amz-checksum-algorithm`).
 * - UploadPart: "This checksum algorithm must be the same for all parts and it match the checksum
 *   value supplied in the CreateMultipartUpload request" (S3 API Reference, UploadPart,
 *   ChecksumAlgorithm): a part's checksum (header `x-amz-checksum-<algorithm>`, or trailer named by
 *   `x-amz-trailer`) is of the declared algorithm; a part of an upload that declared none carries none.
 * - CompleteMultipartUpload lists, per part, the checksum of the declared algorithm
 *   ("present if the multipart upload request was created with the CRC32 checksum algorithm",
 *   CompletedPart), equal to the one sent with the part; part numbers ascend.
 * - Every part but the last has at least 5 MiB (S3 multipart upload limits).
 */
import type { SentRequest } from '../../lib/adapters/aws-clients.js';
import { crc32Base64, PART_SIZE } from '../../lib/adapters/s3-streaming-upload.js';

const ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;

interface Upload {
  key: string;
  declared: string | null;
  parts: { number: number; algorithm: string | null; value: string | null; size: number }[];
  completed: { number: number; checksums: Record<string, string> }[] | null;
}

/** The part's checksum: a header of a known algorithm, or the trailer the request announces. */
function partChecksum(headers: Readonly<Record<string, string>>): { algorithm: string | null; value: string | null } {
  for (const algorithm of ALGORITHMS) {
    const value = headers[`x-amz-checksum-${algorithm}`];
    if (value) return { algorithm, value };
  }
  const trailer = headers['x-amz-trailer']?.match(/^x-amz-checksum-(\w+)$/);
  return trailer ? { algorithm: trailer[1] ?? null, value: null } : { algorithm: null, value: null };
}

function completedParts(xml: string): { number: number; checksums: Record<string, string> }[] {
  return [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, part = '']) => ({
    number: Number(part.match(/<PartNumber>(\d+)<\/PartNumber>/)?.[1]),
    checksums: Object.fromEntries(
      [...part.matchAll(/<Checksum(CRC32C|CRC32|CRC64NVME|SHA1|SHA256)>([^<]*)<\/Checksum\1>/g)].map(([, name = '', value = '']) => [name.toLowerCase(), value]),
    ),
  }));
}

/** The multipart uploads among `requests`, by object key, in the order they were sent. */
export function multipartUploads(requests: readonly SentRequest[]): Upload[] {
  const uploads = new Map<string, Upload>();
  for (const request of requests) {
    if (request.client !== 'S3Client') continue;
    const key = decodeURIComponent(request.path);
    if (request.command === 'CreateMultipartUploadCommand') {
      uploads.set(key, { key, declared: request.headers['x-amz-checksum-algorithm']?.toLowerCase() ?? null, parts: [], completed: null });
    }
    const upload = uploads.get(key);
    if (!upload) continue;
    if (request.command === 'UploadPartCommand') {
      const size = Number(request.headers['x-amz-decoded-content-length'] ?? request.headers['content-length'] ?? NaN);
      upload.parts.push({ number: Number(request.query.partNumber), ...partChecksum(request.headers), size });
    }
    if (request.command === 'CompleteMultipartUploadCommand') upload.completed = completedParts(request.body ?? '');
  }
  return [...uploads.values()];
}

/**
 * What breaks the rules above, one sentence each (empty: none). With `partBytes`, each part's
 * header checksum must also be the CRC32 of those bytes.
 */
export function multipartRuleViolations(upload: Upload, partBytes?: readonly Uint8Array[]): string[] {
  const problems: string[] = [];
  const { declared, parts, completed } = upload;
  for (const part of parts) {
    if (part.algorithm !== declared) {
      problems.push(
        `UploadPart ${part.number} sends a ${part.algorithm ?? 'no'} checksum, but CreateMultipartUpload declared ${declared ?? 'no algorithm'}`,
      );
    }
    const bytes = partBytes?.[part.number - 1];
    if (bytes && part.algorithm === 'crc32' && part.value !== crc32Base64(bytes)) problems.push(`UploadPart ${part.number}'s CRC32 is not that of its bytes`);
  }
  parts.slice(0, -1).forEach((part) => {
    if (!(part.size >= PART_SIZE)) problems.push(`UploadPart ${part.number} has ${part.size} bytes, under S3's 5 MiB minimum for all parts but the last`);
  });
  if (!completed) return [...problems, 'the upload was never completed'];
  completed.forEach((part, i) => {
    if (part.number !== i + 1) problems.push(`CompleteMultipartUpload lists part ${part.number} at position ${i + 1}`);
    const sent = parts.find((p) => p.number === part.number);
    if (declared && !part.checksums[declared]) problems.push(`CompleteMultipartUpload lists part ${part.number} without its ${declared} checksum`);
    if (declared && sent?.value && part.checksums[declared] && part.checksums[declared] !== sent.value) {
      problems.push(`CompleteMultipartUpload lists part ${part.number} with another ${declared} checksum than UploadPart sent`);
    }
  });
  if (completed.length !== parts.length) problems.push(`CompleteMultipartUpload lists ${completed.length} parts of ${parts.length} uploaded`);
  return problems;
}
