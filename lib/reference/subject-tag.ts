/** The `[queue-42]` ticket tag django-helpdesk writes into the subjects of its mail. */

/** Ticket ids above this are not ids we ever issued (and would lose precision as numbers). */
const MAX_TICKET_DIGITS = 15;

/** A subject tag: the queue slug as configured, and the ticket id. */
export interface SubjectTag {
  readonly queue: string;
  readonly ticketId: number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}

/**
 * Builds a finder for subject tags of the given queues. The slug matches case-insensitively,
 * leading zeros are allowed, and the last tag in the subject wins (a reply that quotes an older
 * subject keeps the newest tag last). Prefixes such as `Re:`, `AW:`, `Fwd:` or `Automatic reply:`
 * do not matter: the tag is searched anywhere. Runs in time linear in the subject's length.
 */
export function subjectTagFinder(queueSlugs: readonly string[]): (subject: string) => SubjectTag | null {
  const canonical = new Map(queueSlugs.map((slug) => [slug.toLowerCase(), slug]));
  // In any order: a tag ends in "-<digits>]", so of two slugs where one starts the other
  // ("support", "support-eu"), at most one can match at a place, and the alternation backtracks to
  // it. With no slugs the pattern matches only "[-<digits>]", whose empty slug names no queue.
  const alternatives = [...canonical.keys()].map(escapeRegExp);
  const pattern = new RegExp(`\\[(${alternatives.join('|')})-(\\d+)\\]`, 'gi');
  return (subject) => {
    let found: SubjectTag | null = null;
    for (const match of subject.matchAll(pattern)) {
      const digits = (match[2] as string).replace(/^0+/, '');
      if (digits === '' || digits.length > MAX_TICKET_DIGITS) continue;
      const queue = canonical.get((match[1] as string).toLowerCase());
      if (queue !== undefined) found = { queue, ticketId: Number(digits) };
    }
    return found;
  };
}
