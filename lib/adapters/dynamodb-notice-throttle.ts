/**
 * {@link NoticeThrottle} on a DynamoDB table of its own (NOTICES_TABLE, key `key`, string): one
 * item per sender address and reason (`sender#<reason>#<address>`: when it was last noticed, and
 * for which mail), and one per clock hour (`hour#<YYYY-MM-DDTHH>`: how many notices went out).
 * Every write is one conditional write on a stored value, so the limits hold however many
 * functions run at once. `expiresAt` (epoch seconds) is for the table's TTL, which only cleans
 * up: the conditions compare the stored timestamps, never rely on an item having expired (TTL
 * deletes within days, and dynalite has none).
 */
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { NoticeThrottle, SenderClaim } from '../notices/notice-ports.js';
import { asAwsFailure, awsErrorName } from './aws-errors.js';

/** One notice per sender and reason within this many milliseconds. */
export const SENDER_NOTICE_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** Items are kept this long after they last mattered, then TTL may remove them. */
const KEEP_SECONDS = 2 * 24 * 60 * 60;
const CONDITION_FAILED = 'ConditionalCheckFailedException';

const senderKey = (claim: Pick<SenderClaim, 'reason' | 'to'>) => `sender#${claim.reason}#${claim.to}`;
const hourKey = (at: Date) => `hour#${at.toISOString().slice(0, 13)}`;
const epochSeconds = (at: Date) => Math.floor(at.getTime() / 1000);

export class DynamoNoticeThrottle implements NoticeThrottle {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  /** Conditional on the stored `noticedAt` being older than 24 hours, or the claim being this mail's own. */
  async claimSender(claim: SenderClaim): Promise<boolean> {
    const dayAgo = new Date(claim.at.getTime() - SENDER_NOTICE_INTERVAL_MS).toISOString();
    return this.conditional('claiming a sender notice', () =>
      this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { key: senderKey(claim), noticedAt: claim.at.toISOString(), messageKey: claim.messageKey, expiresAt: epochSeconds(claim.at) + KEEP_SECONDS },
          ConditionExpression: 'attribute_not_exists(#key) OR noticedAt < :dayAgo OR messageKey = :self',
          ExpressionAttributeNames: { '#key': 'key' },
          ExpressionAttributeValues: { ':dayAgo': dayAgo, ':self': claim.messageKey },
        }),
      ),
    );
  }

  async releaseSender(claim: SenderClaim): Promise<void> {
    await this.conditional('releasing a sender notice', () =>
      this.db.send(
        new DeleteCommand({
          TableName: this.table,
          Key: { key: senderKey(claim) },
          ConditionExpression: 'messageKey = :self AND noticedAt = :at',
          ExpressionAttributeValues: { ':self': claim.messageKey, ':at': claim.at.toISOString() },
        }),
      ),
    );
  }

  /** An atomic counter per clock hour, conditional on staying below `limit`. */
  async takeHourlySlot(at: Date, limit: number): Promise<boolean> {
    return this.conditional('counting a sender notice', () =>
      this.db.send(
        new UpdateCommand({
          TableName: this.table,
          Key: { key: hourKey(at) },
          UpdateExpression: 'ADD #count :one SET expiresAt = :expires',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': epochSeconds(at) + KEEP_SECONDS },
        }),
      ),
    );
  }

  /** Runs a conditional write: true when written, false when its condition failed. */
  private async conditional(operation: string, write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (awsErrorName(error) === CONDITION_FAILED) return false;
      throw asAwsFailure(operation, error);
    }
  }
}
