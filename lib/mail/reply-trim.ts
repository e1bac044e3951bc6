/**
 * Reply trimming (issue 12, point 2): each follow-up keeps the full text of a mail and its new
 * part, without the quoted history and the signature. Pure.
 *
 * The work is done by `email-reply-parser` (Crisp's maintained port of GitHub's
 * EmailReplyParser, what this field uses in JavaScript): `>` quotes, `On … wrote:` headers in
 * the major languages, Outlook's `-----Original Message-----` and `From: <address>` blocks,
 * signature separators and "Sent from my …" lines. Three gaps of its version 2.3.9 are filled
 * here, around it rather than by changing its global regex lists:
 * - Outlook header blocks whose From line has no address (Exchange writes only the name) or
 *   whose field names it does not know (Japanese `差出人:` / `送信日時:`): the text is cut at a
 *   From-like line directly followed by a Sent/Date-like line ({@link OUTLOOK_FROM},
 *   {@link OUTLOOK_SENT});
 * - attribution lines it does not know (Gmail's Japanese `2026年3月3日(火) 9:15 Name <a@b>:`): the
 *   last line of the new part, when it ends in a colon, names an address or a year, and the
 *   parser found a quote right after it, is dropped;
 * - mobile signatures it does not know (`iPhoneから送信`, `Inviato da …`), at the end of the reply.
 *
 * Never empty: when nothing of the mail is left, the reply is the full text.
 */
import EmailReplyParser from 'email-reply-parser';

/** What a follow-up stores: the mail's whole text and its new part. */
export interface TrimmedReply {
  /** The text as it came (line ends normalized to `\n`). */
  readonly full: string;
  /** The new part: no quoted history, no signature; `full` when trimming would leave no words. */
  readonly reply: string;
  /** Whether anything was trimmed off. */
  readonly trimmed: boolean;
}

/**
 * Most characters of the text the reply parser reads. Its patterns are matched against the
 * whole text and some are quadratic (`Op … schreef` on 100 KB of `Op` lines: 0.4 s), so only the
 * head is read: the new part of a reply comes first. When the head holds no history, the whole
 * text is the reply.
 */
export const MAX_TRIM_INPUT_CHARS = 32 * 1024;

/** The From line of an Outlook header block, in the languages Outlook is localized to most. */
export const OUTLOOK_FROM = /^\s*\*?(?:From|Von|De|Van|Da|Från|Fra|Od|Lähettäjä|От|差出人|发件人|寄件者|보낸 사람)\s*\*?\s*[:：]/u;
/** The line after it: Sent (or Date, which Outlook for Mac and OWA write). */
export const OUTLOOK_SENT = /^\s*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Date d'envoi|Enviado|Fecha|Verzonden|Inviato|Data|Skickat|Sendt|Lähetetty|Wysłano|Отправлено|送信日時|日付|发送时间|發送時間|寄件日期|보낸 날짜)\s*\*?\s*[:：]/u;
/** A separator line Outlook writes above the header block. */
const OUTLOOK_SEPARATOR = /^\s*_{10,}\s*$/;
/** An attribution line: ends in a colon, and names an address or a four-digit year. */
const ATTRIBUTION = /^(?=.*(?:@|\b(?:19|20)\d\d))(?!\s*>).{6,300}[:：]\s*$/u;
/** Mobile and webmail signature lines email-reply-parser 2.3.9 does not know. */
const MORE_SIGNATURES = [
  /^.{1,40}から送信$/u, // ja: iPhoneから送信
  /^Inviato da .{1,60}$/u, // it: Inviato da iPhone
  /^Verzonden met .{1,60}$/u, // nl: Verzonden met BlueMail
  /^Enviado (?:do|desde) (?:meu|mi) .{1,60}$/u, // pt, es variants
  /^Skickat från .{1,60}$/u, // sv
];

/** Line `at` of `lines`, or `''` before the first and after the last. */
function lineAt(lines: readonly string[], at: number): string {
  // Stryker disable next-line StringLiteral: equivalent, a missing line only has to be no Sent line and no separator, which the mutant's text is not either
  return lines[at] ?? '';
}

/** Index of the first line of the first Outlook header block (its separator included), or -1. */
function outlookBlockStart(lines: readonly string[]): number {
  const from = lines.findIndex((line, at) => OUTLOOK_FROM.test(line) && OUTLOOK_SENT.test(lineAt(lines, at + 1)));
  return OUTLOOK_SEPARATOR.test(lineAt(lines, from - 1)) ? from - 1 : from;
}

type Fragment = ReturnType<ReturnType<EmailReplyParser['read']>['getFragments']>[number];

/** The content of a fragment without its last line when that is an attribution ({@link ATTRIBUTION}). */
function withoutAttribution(content: string): string {
  const lines = content.trimEnd().split('\n');
  return ATTRIBUTION.test(lines.at(-1) as string) ? lines.slice(0, -1).join('\n') : content;
}

/**
 * The visible fragments joined as email-reply-parser joins them, except that a visible fragment
 * right before a quoted one loses a last line that is an attribution the parser did not know
 * (history the parser found: the quoted fragment).
 */
function visibleText(fragments: readonly Fragment[]): string {
  const parts: string[] = [];
  fragments.forEach((fragment, index) => {
    if (fragment.isHidden()) return;
    const next = fragments.slice(index + 1).find((f) => !f.isEmpty());
    parts.push(next?.isQuoted() ? withoutAttribution(fragment.getContent()) : fragment.getContent());
  });
  return parts.join('\n');
}

/** Drops trailing signature lines {@link MORE_SIGNATURES} names (and the blank lines around them). */
function dropTrailingSignature(text: string): string {
  const lines = text.trimEnd().split('\n');
  while (lines.length > 0 && MORE_SIGNATURES.some((pattern) => pattern.test((lines.at(-1) as string).trim()))) {
    lines.pop();
    // Stryker disable next-line MethodExpression: equivalent, email-reply-parser strips the trailing white space of every line it keeps, so a blank line is ''
    while (lines.length > 0 && (lines.at(-1) as string).trim() === '') lines.pop();
  }
  return lines.join('\n');
}

/** Whether a string holds anything but white space. */
const hasWords = (text: string) => /[^\s\u200B\u200C\u200D\u2060\uFEFF]/u.test(text);

/** The head of a long text the parser reads, cut at a line end; `null` when the text is short. */
function headOf(text: string): string | null {
  if (text.length <= MAX_TRIM_INPUT_CHARS) return null;
  // The last line end before the limit; the limit itself when there is none (or it is the first character).
  const end = Math.max(text.lastIndexOf('\n', MAX_TRIM_INPUT_CHARS), 0) || MAX_TRIM_INPUT_CHARS;
  return text.slice(0, end);
}

/**
 * The full text and the new part of a mail's text (see the module comment). Line ends become
 * `\n`; the reply has no leading or trailing white space. Never throws.
 */
export function trimReply(text: string): TrimmedReply {
  const full = text.replace(/\r\n?/g, '\n');
  const head = headOf(full);
  const lines = (head ?? full).split('\n');
  const blockStart = outlookBlockStart(lines);
  const kept = blockStart >= 0 ? lines.slice(0, blockStart) : lines;
  const fragments = new EmailReplyParser().read(kept.join('\n')).getFragments();
  const visible = visibleText(fragments);
  // A dropped attribution stood above a quoted fragment: quoted history either way.
  const historyFound = blockStart !== -1 || fragments.some((f) => f.isQuoted() || f.isSignature());
  if (head !== null && !historyFound) return { full, reply: full.trim(), trimmed: false };
  const reply = dropTrailingSignature(visible.replace(/~*$/, '')).trim();
  if (!hasWords(reply)) return { full, reply: full.trim(), trimmed: false };
  return { full, reply, trimmed: reply !== full.trim() };
}
