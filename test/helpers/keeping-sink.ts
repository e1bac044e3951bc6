/** An attachment sink for the parser's unit tests that keeps what it is handed, in memory. */
import type { AttachmentSink } from '../../lib/mail/parse.js';

/** What the sink was handed for one attachment. */
export interface KeptAttachment {
  readonly filename: string | null;
  readonly contentType: string;
  /** Whether the stream was in object mode (a sink is owed a byte stream). */
  readonly objectMode: boolean;
  readonly bytes: Buffer;
}

/**
 * A sink that reads each attachment whole (the test attachments are small) and keeps it by index;
 * it stores nothing and refuses nothing, and answers the key `${keyPrefix}${index}`.
 */
export function keepingSink(keyPrefix = 'k/'): AttachmentSink & { files: Map<number, KeptAttachment> } {
  const files = new Map<number, KeptAttachment>();
  return {
    files,
    async accept(attachment) {
      const objectMode = attachment.content.readableObjectMode;
      const chunks: Buffer[] = [];
      for await (const chunk of attachment.content) chunks.push(chunk as Buffer);
      files.set(attachment.index, { filename: attachment.filename, contentType: attachment.contentType, objectMode, bytes: Buffer.concat(chunks) });
      return { key: `${keyPrefix}${attachment.index}`, filename: attachment.filename, refused: null };
    },
  };
}
