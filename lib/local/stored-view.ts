/**
 * What the local run shows of a mail it applied: what the follow-up or the new ticket holds, read
 * back from the embedded stack (the ledger entry, the ticket, a long body in S3). For `--json`'s
 * `stored` field; `null` for a mail that was not applied.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { MailReport } from '../pipeline/index.js';
import type { EmbeddedStack } from './embedded-stack.js';

/** One stored attachment, as `--json` shows it. */
export interface StoredAttachment {
  readonly filename: string | null;
  readonly contentType: string;
  readonly size: number;
  readonly refused: string | null;
}

/** What a follow-up or a new ticket holds. */
export interface StoredView {
  readonly text: string;
  readonly reply: string;
  readonly html: boolean;
  readonly attachments: readonly StoredAttachment[];
  readonly ccAdded: readonly string[];
  readonly ticket?: { readonly title: string; readonly submitter: string; readonly cc: readonly string[] };
}

type Item = Record<string, unknown>;

/** Reads the stored state of applied mail from the embedded stack. */
export class StoredReader {
  private readonly db: DynamoDBDocumentClient;
  /** The client under {@link db}: the one to destroy (the document client's own destroy() does nothing). */
  private readonly dynamodb: DynamoDBClient;
  private readonly s3: S3Client;

  constructor(private readonly stack: EmbeddedStack) {
    const { env } = stack;
    const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' };
    this.dynamodb = new DynamoDBClient({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_DYNAMODB, credentials });
    this.db = DynamoDBDocumentClient.from(this.dynamodb);
    this.s3 = new S3Client({ region: env.AWS_REGION, endpoint: env.AWS_ENDPOINT_URL_S3, forcePathStyle: true, credentials });
  }

  /** What the mail of `report` stored, or `null` when it was not applied. */
  async view(report: MailReport): Promise<StoredView | null> {
    const { outcome } = report;
    if (outcome.kind !== 'followup' && outcome.kind !== 'created') return null;
    const entry = await this.appliedEntry(report.location.key);
    if (!entry) return null;
    const text = typeof entry.body === 'string' ? entry.body : await this.text(String(entry.bodyKey));
    const attachments = ((entry.attachments as Item[] | undefined) ?? []).map((a) => ({
      filename: (a.filename as string | null | undefined) ?? null,
      contentType: String(a.contentType),
      size: Number(a.size ?? 0),
      refused: (a.refused as string | null | undefined) ?? null,
    }));
    const view: StoredView = { text, reply: typeof entry.reply === 'string' ? entry.reply : text, html: typeof entry.htmlKey === 'string', attachments, ccAdded: (entry.ccAdded as string[] | undefined) ?? [] };
    if (outcome.kind !== 'created') return view;
    const { Item: ticket } = await this.db.send(new GetCommand({ TableName: this.stack.names.ticketsTable, Key: { id: outcome.ticketId } }));
    return { ...view, ticket: { title: String(ticket?.title ?? ''), submitter: String(ticket?.submitter ?? ''), cc: (ticket?.cc as string[] | undefined) ?? [] } };
  }

  /** The applied ledger entry of the raw mail at `key` (a scan: the local ledger is small). */
  private async appliedEntry(key: string): Promise<Item | undefined> {
    let start: Item | undefined;
    do {
      const page = await this.db.send(new ScanCommand({ TableName: this.stack.names.messagesTable, ExclusiveStartKey: start }));
      const found = page.Items?.find((item) => item.key === key && item.state === 'applied');
      if (found) return found;
      start = page.LastEvaluatedKey;
    } while (start);
    return undefined;
  }

  private async text(bodyKey: string): Promise<string> {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: this.stack.names.bucket, Key: bodyKey }));
    return (await object.Body?.transformToString('utf8')) ?? '';
  }

  destroy(): void {
    this.dynamodb.destroy();
    this.s3.destroy();
  }
}
