/**
 * Real client reply formats for the reply-trimming table (issue 12, point 2). Each case is the
 * plain text a client writes when replying to a helpdesk notification, and the new part an
 * agent should see. Addresses and names are made up; the header lines follow what each client
 * writes in that language.
 */
export interface ReplyCase {
  readonly client: string;
  readonly text: string;
  readonly reply: string;
}

const QUOTED = '> Please restart the printer and tell us whether tray 2 still jams.\n>\n> Helpdesk';
const OUTLOOK_BODY = 'Please restart the printer and tell us whether tray 2 still jams.\n\nHelpdesk';

export const REPLY_CASES: readonly ReplyCase[] = [
  {
    client: 'Gmail (English)',
    text: `Thanks, that fixed it.\n\nOn Tue, Mar 3, 2026 at 9:15 AM Support <support@helpdesk.example> wrote:\n\n${QUOTED}\n`,
    reply: 'Thanks, that fixed it.',
  },
  {
    client: 'Gmail (English, header wrapped before the address)',
    text: `It still jams.\n\nOn Tue, Mar 3, 2026 at 9:15 AM Helpdesk Support Team of Example Corporation <\nsupport@helpdesk.example> wrote:\n\n${QUOTED}\n`,
    reply: 'It still jams.',
  },
  {
    client: 'Gmail (German)',
    text: `Danke, es geht wieder.\n\nAm Di., 3. März 2026 um 09:15 Uhr schrieb Support <support@helpdesk.example>:\n\n${QUOTED}\n`,
    reply: 'Danke, es geht wieder.',
  },
  {
    client: 'Gmail (French)',
    text: `Merci, c'est réparé.\n\nLe mar. 3 mars 2026 à 09:15, Support <support@helpdesk.example> a écrit :\n\n${QUOTED}\n`,
    reply: "Merci, c'est réparé.",
  },
  {
    client: 'Gmail (Spanish)',
    text: `Gracias, ya funciona.\n\nEl mar, 3 mar 2026 a las 9:15, Support (<support@helpdesk.example>) escribió:\n\n${QUOTED}\n`,
    reply: 'Gracias, ya funciona.',
  },
  {
    client: 'Gmail (Dutch)',
    text: `Bedankt, het werkt weer.\n\nOp di 3 mrt 2026 om 09:15 schreef Support <support@helpdesk.example>:\n\n${QUOTED}\n`,
    reply: 'Bedankt, het werkt weer.',
  },
  {
    client: 'Gmail (Japanese)',
    text: `ありがとうございます。直りました。\n\n2026年3月3日(火) 9:15 Support <support@helpdesk.example>:\n\n${QUOTED}\n`,
    reply: 'ありがとうございます。直りました。',
  },
  {
    client: 'Apple Mail (English)',
    text: `Restarted it, still jams.\n\n> On 3 Mar 2026, at 09:15, Support <support@helpdesk.example> wrote:\n> \n${QUOTED}\n`,
    reply: 'Restarted it, still jams.',
  },
  {
    client: 'Apple Mail (German)',
    text: `Neu gestartet, klemmt weiter.\n\n> Am 03.03.2026 um 09:15 schrieb Support <support@helpdesk.example>:\n> \n${QUOTED}\n`,
    reply: 'Neu gestartet, klemmt weiter.',
  },
  {
    client: 'Apple Mail (Japanese)',
    text: `再起動しましたが、まだ詰まります。\n\n> 2026/03/03 9:15、Support <support@helpdesk.example>のメッセージ:\n> \n${QUOTED}\n`,
    reply: '再起動しましたが、まだ詰まります。',
  },
  {
    client: 'Thunderbird (English)',
    text: `Done, it works.\n\nOn 3/3/26 9:15 AM, Support wrote:\n${QUOTED}\n`,
    reply: 'Done, it works.',
  },
  {
    client: 'Thunderbird (German)',
    text: `Erledigt.\n\nAm 03.03.26 um 09:15 schrieb Support:\n${QUOTED}\n`,
    reply: 'Erledigt.',
  },
  {
    client: 'Thunderbird (interleaved answers kept)',
    text: 'On 3/3/26 9:15 AM, Support wrote:\n> Did you restart the printer?\nYes, twice.\n> Does tray 2 still jam?\nYes, every third page.\n',
    reply: 'Yes, twice.\nYes, every third page.',
  },
  {
    client: 'Outlook desktop (English)',
    text: `The jam is gone.\n\nAlice\n\n________________________________\nFrom: Support <support@helpdesk.example>\nSent: Tuesday, March 3, 2026 9:15 AM\nTo: Alice Example <alice@example.com>\nSubject: RE: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: 'The jam is gone.\n\nAlice',
  },
  {
    client: 'Outlook desktop (English, Original Message)',
    text: `The jam is gone.\n\n-----Original Message-----\nFrom: Support [mailto:support@helpdesk.example]\nSent: Tuesday, March 3, 2026 9:15 AM\nTo: Alice Example\nSubject: RE: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: 'The jam is gone.',
  },
  {
    client: 'Outlook desktop (Exchange, no address in From)',
    text: `The jam is gone.\n\nFrom: Helpdesk Support\nSent: Tuesday, March 3, 2026 9:15 AM\nTo: Alice Example\nSubject: RE: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: 'The jam is gone.',
  },
  {
    client: 'Outlook desktop (German)',
    text: `Der Stau ist weg.\n\n-----Ursprüngliche Nachricht-----\nVon: Support <support@helpdesk.example>\nGesendet: Dienstag, 3. März 2026 09:15\nAn: Alice Example <alice@example.com>\nBetreff: AW: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: 'Der Stau ist weg.',
  },
  {
    client: 'Outlook desktop (French)',
    text: `Le bourrage a disparu.\n\nDe : Support <support@helpdesk.example>\nEnvoyé : mardi 3 mars 2026 09:15\nÀ : Alice Example <alice@example.com>\nObjet : RE: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: 'Le bourrage a disparu.',
  },
  {
    client: 'Outlook desktop (Spanish)',
    text: `El atasco se ha ido.\n\nDe: Support <support@helpdesk.example>\nEnviado: martes, 3 de marzo de 2026 9:15\nPara: Alice Example <alice@example.com>\nAsunto: RE: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: 'El atasco se ha ido.',
  },
  {
    client: 'Outlook desktop (Dutch)',
    text: `De storing is weg.\n\nVan: Support <support@helpdesk.example>\nVerzonden: dinsdag 3 maart 2026 09:15\nAan: Alice Example <alice@example.com>\nOnderwerp: RE: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: 'De storing is weg.',
  },
  {
    client: 'Outlook desktop (Japanese)',
    text: `紙詰まりは解消しました。\n\n差出人: Support <support@helpdesk.example>\n送信日時: 2026年3月3日 9:15\n宛先: Alice Example <alice@example.com>\n件名: RE: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: '紙詰まりは解消しました。',
  },
  {
    client: 'Outlook on the web (English)',
    text: `Works now, thank you!\n\n________________________________\nFrom: Support <support@helpdesk.example>\nSent: 03 March 2026 09:15\nTo: Alice Example <alice@example.com>\nSubject: Re: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: 'Works now, thank you!',
  },
  {
    client: 'Outlook for Android (signature line)',
    text: `Works now.\n\nGet Outlook for Android<https://aka.ms/AAb9ysg>\n________________________________\nFrom: Support <support@helpdesk.example>\nSent: Tuesday, March 3, 2026 9:15:00 AM\nTo: Alice Example <alice@example.com>\nSubject: Re: [support-42] Printer jams\n\n${OUTLOOK_BODY}\n`,
    reply: 'Works now.',
  },
  {
    client: 'iPhone ("Sent from my iPhone", quoted header)',
    text: `Still jams.\n\nSent from my iPhone\n\n> On 3 Mar 2026, at 09:15, Support <support@helpdesk.example> wrote:\n> \n${QUOTED}\n`,
    reply: 'Still jams.',
  },
  {
    client: 'Android Gmail ("Sent from my Galaxy")',
    text: 'Will try tomorrow.\n\nSent from my Galaxy\n',
    reply: 'Will try tomorrow.',
  },
  {
    client: 'iPhone (Japanese signature)',
    text: `明日試します。\n\niPhoneから送信\n\n> 2026/03/03 9:15、Support <support@helpdesk.example>のメッセージ:\n> \n${QUOTED}\n`,
    reply: '明日試します。',
  },
  {
    client: 'Yahoo Mail (English)',
    text: `Fixed, thanks.\n\nOn Tuesday, March 3, 2026, 09:15:00 AM GMT+1, Support <support@helpdesk.example> wrote:\n\n${OUTLOOK_BODY}\n`,
    reply: 'Fixed, thanks.',
  },
  {
    client: 'Plain signature ("-- ")',
    text: 'The printer works again.\n\n-- \nAlice Example\nExample Corp, Facilities\n',
    reply: 'The printer works again.',
  },
  {
    client: 'No quote, no signature',
    text: 'Tray 2 jammed again at 9:05.\nThe error code was 13.B2.\n',
    reply: 'Tray 2 jammed again at 9:05.\nThe error code was 13.B2.',
  },
];
