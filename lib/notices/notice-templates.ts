/**
 * The text of sender notices: one template per notice reason, `templates/notices/<reason>.txt` in
 * the repository (shipped in the function's package), each replaceable per deployment by a file of
 * the same name in the SENDER_NOTICE_TEMPLATES directory.
 *
 * A template is a `Subject:` line, a blank line, and the body. `{{name}}` placeholders are filled
 * from {@link NoticeValues}; a body line whose placeholder has no value in this deployment (no
 * create-mode mailbox for `{{createAddress}}`) is left out. Nothing of the refused mail is
 * repeated but its subject, on one line and cut (see {@link noticeSubjectOf}).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import { oneLine } from '../mail/unicode-text.js';
import type { NoticeReason } from './notice-reasons.js';

/** The most of the refused mail's subject a notice repeats, in code points. */
export const MAX_REPEATED_SUBJECT = 120;
/** The most a notice's own subject may be, in code points. */
const MAX_NOTICE_SUBJECT = 200;
/** The largest template file read. */
const MAX_TEMPLATE_BYTES = 8 * 1024;

/** What a template may name. */
export interface NoticeValues {
  /** The refused mail's subject, one line, cut (`(no subject)` when it had none). */
  readonly subject: string;
  /** The mailbox address the mail was sent to, and the notice comes from. */
  readonly mailbox: string;
  /** The sender's address, the notice's recipient. */
  readonly sender: string;
  /** The address of a create-mode mailbox of this deployment; `null` when there is none. */
  readonly createAddress: string | null;
  /** MAX_MAIL_BYTES in words (`40 MB`). */
  readonly limit: string;
}

const PLACEHOLDERS: readonly (keyof NoticeValues)[] = ['subject', 'mailbox', 'sender', 'createAddress', 'limit'];
const PLACEHOLDER = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** One parsed template. */
export interface NoticeTemplate {
  readonly subject: string;
  readonly body: string;
}

/** The notice's text, ready to send. */
export interface RenderedNotice {
  readonly subject: string;
  readonly text: string;
}

/**
 * Parses a template: `Subject: …`, a blank line, the body. Throws an `Error` saying what is wrong
 * (a missing subject line or body, an unknown placeholder).
 */
export function parseNoticeTemplate(text: string): NoticeTemplate {
  const normalized = text.replace(/\r\n?/g, '\n');
  const match = /^Subject:[ \t]*(.+)\n\n([\s\S]+)$/.exec(normalized);
  if (!match?.[1] || !match[2]?.trim()) throw new Error('a template is a "Subject: …" line, a blank line, then the body');
  for (const [, name] of normalized.matchAll(PLACEHOLDER)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name ?? '')) throw new Error(`unknown placeholder {{${name}}}; known: ${PLACEHOLDERS.join(', ')}`);
  }
  return { subject: match[1].trim(), body: match[2].trimEnd() };
}

function fill(text: string, values: NoticeValues): string | null {
  let missing = false;
  const filled = text.replace(PLACEHOLDER, (_, name: keyof NoticeValues) => {
    const value = values[name];
    if (value === null || value === '') missing = true;
    return value ?? '';
  });
  return missing ? null : filled;
}

/** Fills a template. Body lines with a placeholder that has no value are left out. Pure. */
export function renderNotice(template: NoticeTemplate, values: NoticeValues): RenderedNotice {
  const lines = template.body.split('\n').flatMap((line) => {
    const filled = fill(line, values);
    return filled === null ? [] : [filled];
  });
  return { subject: oneLine(fill(template.subject, values) ?? template.subject.replace(PLACEHOLDER, ''), MAX_NOTICE_SUBJECT), text: `${lines.join('\n')}\n` };
}

/**
 * The refused mail's subject as a notice repeats it: on one line (controls and line breaks become
 * spaces, so nothing can add a header or a line of its own), cut to {@link MAX_REPEATED_SUBJECT}.
 */
export function noticeSubjectOf(subject: string): string {
  return oneLine(subject, MAX_REPEATED_SUBJECT) || '(no subject)';
}

/** MAX_MAIL_BYTES in words. */
export function sizeInWords(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Number(mib.toFixed(1))} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * The shipped templates' directory: `templates/notices` under the function's root on Lambda
 * (`LAMBDA_TASK_ROOT`; serverless.yml packages the folder), else under the repository.
 */
export function shippedTemplatesDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const root = env.LAMBDA_TASK_ROOT ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
  return join(root, 'templates/notices');
}

function readTemplate(path: string): string | null {
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_TEMPLATE_BYTES) throw new Error(`${path} is larger than ${MAX_TEMPLATE_BYTES} bytes`);
    return bytes.toString('utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Reads the templates of `reasons` at cold start: from `overrideDir` where it has the file, else
 * the shipped one. Throws a `ConfigError` naming SENDER_NOTICE_TEMPLATES for a template that is
 * missing or malformed.
 */
export function loadNoticeTemplates(reasons: Iterable<NoticeReason>, overrideDir: string | null, env: Readonly<Record<string, string | undefined>> = process.env): ReadonlyMap<NoticeReason, NoticeTemplate> {
  const shipped = shippedTemplatesDir(env);
  const override = overrideDir === null ? null : isAbsolute(overrideDir) ? overrideDir : join(env.LAMBDA_TASK_ROOT ?? process.cwd(), overrideDir);
  const templates = new Map<NoticeReason, NoticeTemplate>();
  for (const reason of reasons) {
    const candidates = [...(override ? [join(override, `${reason}.txt`)] : []), join(shipped, `${reason}.txt`)];
    let text: string | null = null;
    let source = '';
    for (const path of candidates) {
      text = readTemplate(path);
      source = path;
      if (text !== null) break;
    }
    if (text === null) throw new ConfigError('SENDER_NOTICE_TEMPLATES', `a template ${reason}.txt (looked in ${candidates.join(', ')})`, overrideDir ?? undefined);
    try {
      templates.set(reason, parseNoticeTemplate(text));
    } catch (error) {
      throw new ConfigError('SENDER_NOTICE_TEMPLATES', `a valid template in ${source}: ${(error as Error).message}`, overrideDir ?? undefined);
    }
  }
  return templates;
}
