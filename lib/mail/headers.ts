/** Turns mailparser's header map into the plain {@link MailHeaders} record. Pure. */
import type { AddressObject, EmailAddress, HeaderValue, Headers } from 'mailparser';
import { MAX_THREAD_IDS, extractMessageIds, normalizeMessageId } from './message-id.js';
import type { MailAddress, MailHeaders } from './record.js';

/** Longest subject kept; django-helpdesk's ticket title is 200 characters, replies quote more. */
const MAX_SUBJECT_LENGTH = 1000;
/** Most addresses kept per header: enough for any real mail, bounded for hostile ones. */
const MAX_ADDRESSES = 100;

function isAddressObject(value: unknown): value is AddressObject {
  return typeof value === 'object' && value !== null && Array.isArray((value as AddressObject).value);
}

function flatten(entries: readonly EmailAddress[], into: MailAddress[]): void {
  for (const entry of entries) {
    if (into.length >= MAX_ADDRESSES) return;
    if (entry.group) flatten(entry.group, into);
    else if (entry.address && entry.address.includes('@')) {
      into.push({ address: entry.address.trim().toLowerCase(), name: (entry.name ?? '').trim() });
    }
  }
}

function addresses(value: HeaderValue | undefined): MailAddress[] {
  const out: MailAddress[] = [];
  const objects = Array.isArray(value) ? value : [value];
  for (const object of objects) if (isAddressObject(object)) flatten(object.value, out);
  return out;
}

function strings(value: HeaderValue | undefined): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return [];
}

/** `Received: … for <support@example.com>; date` names the envelope recipient of that hop. */
const RECEIVED_FOR = /\bfor\s+<?([^\s<>;@]+@[^\s<>;]+?)>?\s*;/i;

function envelopeRecipients(headers: Headers): string[] {
  const found = [
    ...addresses(headers.get('delivered-to')).map((a) => a.address),
    ...strings(headers.get('x-original-to')).flatMap((v) => v.split(',')),
    ...strings(headers.get('received'))
      .slice(0, 10)
      .map((line) => RECEIVED_FOR.exec(line.slice(0, 2000))?.[1]),
  ];
  const cleaned = found.flatMap((a) => (a ? [a.trim().toLowerCase()] : [])).filter((a) => a.includes('@'));
  return [...new Set(cleaned)];
}

/** Reads the fields the gateway uses out of mailparser's `headers` event. */
export function readMailHeaders(headers: Headers): MailHeaders {
  const subjectValue = headers.get('subject');
  const dateValue = headers.get('date');
  const from = addresses(headers.get('from'))[0] ?? null;
  return {
    messageId: normalizeMessageId(strings(headers.get('message-id'))[0]),
    from,
    to: addresses(headers.get('to')),
    cc: addresses(headers.get('cc')),
    deliveredTo: envelopeRecipients(headers),
    subject: typeof subjectValue === 'string' ? subjectValue.slice(0, MAX_SUBJECT_LENGTH) : '',
    date: dateValue instanceof Date && !Number.isNaN(dateValue.getTime()) ? dateValue.toISOString() : null,
    inReplyTo: extractMessageIds(strings(headers.get('in-reply-to'))).slice(0, MAX_THREAD_IDS),
    references: extractMessageIds(strings(headers.get('references'))).slice(-MAX_THREAD_IDS),
    headerCount: headers.size,
  };
}
