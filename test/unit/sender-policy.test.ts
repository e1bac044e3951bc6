/**
 * The sender policy's parts on their own: how an agent address is recognized (listed, `+tag`
 * ignored, or by domain), who is a participant of a ticket chain, and where a sender stands under
 * each policy and authentication mode.
 */
import { describe, expect, it } from 'vitest';
import { isAgentAddress, isParticipant, NO_AGENTS, senderStanding, type Agents, type SenderCheck } from '../../lib/screening/sender-policy.js';
import type { Ticket } from '../../lib/ticket.js';

const agents: Agents = { addresses: new Set(['lead@example.com']), domains: new Set(['staff.example.com']) };

function ticket(id: number, submitter: string, cc: string[] = []): Ticket {
  return { id, queue: 'support', status: 'open', title: 't', submitter, cc, createdAt: '', updatedAt: '' };
}

function check(overrides: Partial<SenderCheck>): SenderCheck {
  return {
    policy: 'strict',
    authentication: 'required',
    sender: 'alice@example.com',
    authenticated: true,
    authenticationDetail: 'dmarc=pass',
    agents: NO_AGENTS,
    canonicalParticipant: (address) => address.trim().toLowerCase(),
    ...overrides,
  };
}

describe('isAgentAddress', () => {
  it('knows a listed address, and the same address with a +tag', () => {
    expect(isAgentAddress(agents, 'lead@example.com')).toBe(true);
    expect(isAgentAddress(agents, 'lead+ooo@example.com')).toBe(true);
    expect(isAgentAddress(agents, 'lead+a+b@example.com')).toBe(true);
  });

  it('knows every address at an agent domain, and only that exact domain', () => {
    expect(isAgentAddress(agents, 'anyone@staff.example.com')).toBe(true);
    expect(isAgentAddress(agents, 'anyone@sub.staff.example.com')).toBe(false);
    expect(isAgentAddress(agents, 'anyone@example.com')).toBe(false);
  });

  it('does not take another local part or domain for the listed address', () => {
    expect(isAgentAddress(agents, 'leader@example.com')).toBe(false);
    expect(isAgentAddress(agents, 'lead@example.org')).toBe(false);
    expect(isAgentAddress(agents, 'lead+ooo@example.org')).toBe(false);
  });

  it('treats a local part that starts with + as it is, not as a tag of nothing', () => {
    const plusAgents: Agents = { addresses: new Set(['@example.com', '+x@example.com']), domains: new Set() };
    expect(isAgentAddress(plusAgents, '+x@example.com')).toBe(true);
    expect(isAgentAddress({ addresses: new Set(['@example.com']), domains: new Set() }, '+x@example.com')).toBe(false);
  });

  it('reads the domain after the last @ of a quoted local part', () => {
    expect(isAgentAddress(agents, '"a@b"@staff.example.com')).toBe(true);
    expect(isAgentAddress({ addresses: new Set(['"a@b"@example.com']), domains: new Set() }, '"a@b"+x@example.com')).toBe(true);
  });

  it('knows nobody with no agents configured', () => {
    expect(isAgentAddress(NO_AGENTS, 'lead@example.com')).toBe(false);
    expect(NO_AGENTS.addresses.size + NO_AGENTS.domains.size).toBe(0);
  });
});

describe('isParticipant', () => {
  const chain = [ticket(44, 'old@example.com', ['cc1@example.com']), ticket(42, 'alice@example.com', ['bob@example.com', 'carol@example.com'])];

  it('counts the submitter and every CC of every ticket in the chain', () => {
    for (const sender of ['alice@example.com', 'bob@example.com', 'carol@example.com', 'old@example.com', 'cc1@example.com']) {
      expect(isParticipant(check({ sender }), chain)).toBe(true);
    }
  });

  it('compares the canonical form of stored addresses with the sender', () => {
    expect(isParticipant(check({ sender: 'alice@example.com' }), [ticket(1, ' Alice@Example.COM ')])).toBe(true);
    expect(isParticipant(check({ sender: 'alice@example.com', canonicalParticipant: () => null }), [ticket(1, 'alice@example.com')])).toBe(false);
  });

  it('counts agents for any ticket, and nobody without a sender', () => {
    expect(isParticipant(check({ sender: 'x@staff.example.com', agents }), [ticket(1, 'alice@example.com')])).toBe(true);
    expect(isParticipant(check({ sender: 'mallory@example.org', agents }), chain)).toBe(false);
    expect(isParticipant(check({ sender: null, canonicalParticipant: () => null }), [ticket(1, 'alice@example.com')])).toBe(false);
  });

  it('counts nobody for an empty chain', () => {
    expect(isParticipant(check({}), [])).toBe(false);
  });
});

describe('senderStanding', () => {
  const tickets = [ticket(42, 'alice@example.com')];

  it('allows anyone under the open policy', () => {
    expect(senderStanding(check({ policy: 'open', sender: 'mallory@example.org', authenticated: false }), tickets)).toBe('allowed');
    expect(senderStanding(check({ policy: 'open', sender: null }), tickets)).toBe('allowed');
  });

  it('calls a non-participant a stranger, authenticated or not', () => {
    expect(senderStanding(check({ sender: 'mallory@example.org' }), tickets)).toBe('stranger');
    expect(senderStanding(check({ sender: 'mallory@example.org', authenticated: false }), tickets)).toBe('stranger');
    expect(senderStanding(check({ sender: 'mallory@example.org', authentication: 'off' }), tickets)).toBe('stranger');
  });

  it('allows an authenticated participant; an unauthenticated one only with authentication off', () => {
    expect(senderStanding(check({}), tickets)).toBe('allowed');
    expect(senderStanding(check({ authenticated: false }), tickets)).toBe('unverified');
    expect(senderStanding(check({ authenticated: false, authentication: 'off' }), tickets)).toBe('allowed');
  });
});
