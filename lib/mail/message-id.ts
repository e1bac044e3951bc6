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

/** The longest Message-ID that counts, in characters: real mailers write well under 100. */
export const MAX_MESSAGE_ID_LENGTH = 250;

/** Control, format, unassigned, private-use and surrogate code points, and every kind of white space. */
const NOT_IN_A_MESSAGE_ID = /[\p{C}\p{Z}\s<>]/u;

/**
 * Whether a Message-ID (as {@link normalizeMessageId} gives it, brackets removed) is degenerate,
 * and so counts as absent: it may not key the ledger, nor make a mail a duplicate of another.
 * Degenerate: `null`/empty, `<>` or any angle bracket left, no `@` or nothing on one side of the
 * last one (RFC 5322 §3.6.4 `id-left "@" id-right`), over {@link MAX_MESSAGE_ID_LENGTH}
 * characters, or holding white space, control or format characters.
 */
export function isDegenerateMessageId(id: string | null | undefined): boolean {
  if (id === null || id === undefined) return true; // '' has no '@': degenerate below
  if ([...id].length > MAX_MESSAGE_ID_LENGTH) return true;
  if (NOT_IN_A_MESSAGE_ID.test(id)) return true;
  const at = id.lastIndexOf('@');
  return at <= 0 || at === id.length - 1;
}

/** The Message-ID when it is usable, `null` when it is absent or degenerate ({@link isDegenerateMessageId}). */
export function usableMessageId(id: string | null | undefined): string | null {
  return isDegenerateMessageId(id) ? null : (id as string);
}
