/** Participants (issue 12, point 4): the CCs an applied mail adds to its ticket. */
import { describe, expect, it } from 'vitest';
import type { CanonicalAddress } from '../../lib/mail/canonical-address.js';
import { MAX_CC_ADDED_PER_MAIL, participantsToAdd, type ParticipantsInput } from '../../lib/mail/participants.js';

const OWN = new Set(['support@helpdesk.example', 'new@helpdesk.example']);
const isOwnAddress = (address: CanonicalAddress) => OWN.has(address.replace(/\+[^@]*@/, '@'));

function input(raw: ParticipantsInput['raw'], rest: Partial<ParticipantsInput> = {}): ParticipantsInput {
  return { raw, submitter: 'alice@example.com', existingCc: [], isOwnAddress, senderAuthenticated: true, ...rest };
}

describe('participantsToAdd', () => {
  it('adds Cc, then To addresses other than our mailboxes, canonical', () => {
    const result = participantsToAdd(
      input({ to: ['Support <support@helpdesk.example>, Bob <Bob@Example.COM>'], cc: ['"Carol" <carol@example.org>, support+42.abc@helpdesk.example'] }),
    );
    expect(result).toEqual({ added: ['carol@example.org', 'bob@example.com'], overCap: 0, withheld: null });
  });

  it('leaves out the submitter and existing CCs, compared in canonical form', () => {
    const result = participantsToAdd(
      input({ to: ['ALICE@example.com'], cc: ['"bob"@EXAMPLE.com, dave@example.com, dave@example.com'] }, { existingCc: ['Bob <bob@example.com>'] }),
    );
    expect(result.added).toEqual(['dave@example.com']);
  });

  it('never adds an address it cannot compare (an encoded word, a domain literal)', () => {
    const result = participantsToAdd(input({ cc: ['=?utf-8?q?eve?=@example.com, eve@[192.0.2.1], ok@example.com'] }));
    expect(result.added).toEqual(['ok@example.com']);
  });

  it('caps the addresses one mail adds, and counts the rest', () => {
    const many = Array.from({ length: 25 }, (_, i) => `user${i}@example.com`).join(', ');
    const result = participantsToAdd(input({ cc: [many] }));
    expect(result.added).toHaveLength(MAX_CC_ADDED_PER_MAIL);
    expect(result.added[0]).toBe('user0@example.com');
    expect(result.overCap).toBe(25 - MAX_CC_ADDED_PER_MAIL);
  });

  it('caps the CC list of the ticket, counting every stored CC', () => {
    const existingCc = ['a@example.com', 'not an address', 'c@example.com'];
    const result = participantsToAdd(input({ cc: ['x@example.com, y@example.com'] }, { existingCc, maxTicketCc: 4 }));
    expect(result).toEqual({ added: ['x@example.com'], overCap: 1, withheld: null });
    expect(participantsToAdd(input({ cc: ['x@example.com'] }, { existingCc, maxTicketCc: 2 }))).toEqual({ added: [], overCap: 1, withheld: null });
  });

  it('adds nothing for a sender SES did not authenticate, and says so', () => {
    expect(participantsToAdd(input({ cc: ['mallory@attacker.example'] }, { senderAuthenticated: false }))).toEqual({ added: [], overCap: 0, withheld: 'sender-unauthenticated' });
    expect(participantsToAdd(input({ cc: ['alice@example.com'] }, { senderAuthenticated: false }))).toEqual({ added: [], overCap: 0, withheld: null });
  });

  it('works for a new ticket: no CCs yet, the submitter left out', () => {
    const result = participantsToAdd(input({ to: ['support@helpdesk.example'], cc: ['alice@example.com, bob@example.com'] }, { submitter: null }));
    expect(result.added).toEqual(['alice@example.com', 'bob@example.com']);
  });

  it('adds nothing when To and Cc are absent or do not parse', () => {
    expect(participantsToAdd(input({})).added).toEqual([]);
    expect(participantsToAdd(input({ cc: ['<<<'] })).added).toEqual([]);
  });
});
