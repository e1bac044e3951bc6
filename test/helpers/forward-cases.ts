/**
 * Forwarded-mail bodies as clients write them (issue 12, point 6): what an agent sends to the
 * new-ticket address, and the original sender, subject and body the ticket should be opened
 * with. Names and addresses are made up; the separators and header labels are each client's.
 */
export interface ForwardCase {
  readonly client: string;
  readonly subject: string;
  readonly text: string;
  readonly original: { readonly from: string; readonly name: string | null; readonly subject: string; readonly body: string };
  /** The forwarder's own note above the forwarded block. */
  readonly note: string;
}

const BODY = 'The replacement toner cartridge leaks onto the paper path.\nOrder 5531.';

export const FORWARD_CASES: readonly ForwardCase[] = [
  {
    client: 'Gmail (English)',
    subject: 'Fwd: Toner leaks',
    text: `Please open a ticket for Dan.\n\n---------- Forwarded message ---------\nFrom: Dan Customer <dan@customer.example>\nDate: Mon, Mar 2, 2026 at 10:00 AM\nSubject: Toner leaks\nTo: <agent@helpdesk.example>\n\n\n${BODY}\n`,
    original: { from: 'dan@customer.example', name: 'Dan Customer', subject: 'Toner leaks', body: BODY },
    note: 'Please open a ticket for Dan.',
  },
  {
    client: 'Gmail (German)',
    subject: 'Fwd: Toner leaks',
    text: `Bitte Ticket anlegen.\n\n---------- Forwarded message ---------\nVon: Dan Customer <dan@customer.example>\nDate: Mo., 2. März 2026 um 10:00 Uhr\nSubject: Toner leaks\nTo: <agent@helpdesk.example>\n\n\n${BODY}\n`,
    original: { from: 'dan@customer.example', name: 'Dan Customer', subject: 'Toner leaks', body: BODY },
    note: 'Bitte Ticket anlegen.',
  },
  {
    client: 'Outlook desktop (English)',
    subject: 'FW: Toner leaks',
    text: `Please open a ticket for Dan.\n\n________________________________\nFrom: Dan Customer <dan@customer.example>\nSent: Monday, March 2, 2026 10:00 AM\nTo: Agent <agent@helpdesk.example>\nSubject: Toner leaks\n\n${BODY}\n`,
    original: { from: 'dan@customer.example', name: 'Dan Customer', subject: 'Toner leaks', body: BODY },
    note: 'Please open a ticket for Dan.',
  },
  {
    client: 'Outlook desktop (German)',
    subject: 'WG: Toner leaks',
    text: `Bitte Ticket anlegen.\n\n________________________________\nVon: Dan Customer <dan@customer.example>\nGesendet: Montag, 2. März 2026 10:00\nAn: Agent <agent@helpdesk.example>\nBetreff: Toner leaks\n\n${BODY}\n`,
    original: { from: 'dan@customer.example', name: 'Dan Customer', subject: 'Toner leaks', body: BODY },
    note: 'Bitte Ticket anlegen.',
  },
  {
    client: 'Apple Mail (English)',
    subject: 'Fwd: Toner leaks',
    text: `Please open a ticket for Dan.\n\nBegin forwarded message:\n\nFrom: Dan Customer <dan@customer.example>\nSubject: Toner leaks\nDate: 2 March 2026 at 10:00:00 CET\nTo: agent@helpdesk.example\n\n${BODY}\n`,
    original: { from: 'dan@customer.example', name: 'Dan Customer', subject: 'Toner leaks', body: BODY },
    note: 'Please open a ticket for Dan.',
  },
  {
    client: 'Apple Mail (French)',
    subject: 'Fwd: Toner leaks',
    text: `Merci d'ouvrir un ticket.\n\nDébut du message réexpédié :\n\nDe: Dan Customer <dan@customer.example>\nObjet: Toner leaks\nDate: 2 mars 2026 à 10:00:00 UTC+1\nÀ: agent@helpdesk.example\n\n${BODY}\n`,
    original: { from: 'dan@customer.example', name: 'Dan Customer', subject: 'Toner leaks', body: BODY },
    note: "Merci d'ouvrir un ticket.",
  },
];
