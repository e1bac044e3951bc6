/** Message-IDs as the ledger stores them. */
import { createHash } from 'node:crypto';

/** DynamoDB allows 2048 bytes of partition key; longer ids are stored by their hash. */
const MAX_KEY_BYTES = 1000;

/** The most thread ids one mail may make us look up (the newest are kept). */
export const MAX_THREAD_IDS = 50;

/** SHA-256 of a string or bytes, as lower-case hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Every Message-ID in a header value (`In-Reply-To`, `References`), in order, without angle
 * brackets and without repeats. Bracketed ids are taken; a value with no brackets at all is split
 * on white space and its tokens that contain `@` are taken (some clients omit the brackets).
 */
export function extractMessageIds(value: string | readonly string[] | undefined): string[] {
  if (value === undefined) return [];
  const text = typeof value === 'string' ? value : value.join(' ');
  const ids: string[] = [];
  for (const match of text.matchAll(/<([^<>\s]{1,2000})>/g)) ids.push(match[1] as string);
  if (ids.length === 0) {
    for (const token of text.split(/\s+/)) if (token.includes('@')) ids.push(token);
  }
  return [...new Set(ids)];
}

/** A Message-ID as written in a header, reduced to what sits between the angle brackets. */
export function normalizeMessageId(value: string | undefined | null): string | null {
  if (value === undefined || value === null) return null;
  const [first] = extractMessageIds(value);
  const id = first ?? value.trim();
  return id === '' ? null : id;
}

/** The ledger key of a Message-ID: the id itself, or its hash when too long for a key. */
export function ledgerKeyOfMessageId(messageId: string): string {
  return Buffer.byteLength(messageId) <= MAX_KEY_BYTES ? messageId : `sha256-id:${sha256Hex(messageId)}`;
}
