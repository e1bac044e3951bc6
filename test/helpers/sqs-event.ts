/** SQS events as Lambda receives them, for tests that drive the handler with S3 notifications through a queue. */
import type { S3Event, SQSEvent } from 'aws-lambda';

/** One SQS batch whose records carry the given S3 event notifications, each with its own message id. */
export function sqsBatch(events: readonly { id: string; event: S3Event }[]): SQSEvent {
  return {
    Records: events.map(({ id, event }) => ({
      messageId: id, receiptHandle: id, body: JSON.stringify(event), md5OfBody: '', eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:inbound', awsRegion: 'us-east-1', messageAttributes: {},
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 's3', ApproximateFirstReceiveTimestamp: '0' },
    })),
  };
}
