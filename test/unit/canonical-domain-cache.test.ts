/**
 * canonicalDomain runs UTS #46 once per domain in a bounded cache (at most 1,000 domains, then it
 * starts over; domains over 255 characters are never kept). Seen through the calls to tr46's
 * toASCII: each test imports a fresh copy of the module, so it starts with an empty cache.
 */
import type { ToASCIIOptions } from 'tr46';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const uts46 = vi.hoisted(() => ({ domains: [] as string[] }));

vi.mock('tr46', async (importOriginal) => {
  const actual = await importOriginal<typeof import('tr46')>();
  return {
    ...actual,
    toASCII: (domain: string, options?: ToASCIIOptions) => {
      uts46.domains.push(domain);
      return actual.toASCII(domain, options);
    },
  };
});

/** How many times UTS #46 ToASCII ran on `domain` since the test began. */
const runsOn = (domain: string) => uts46.domains.filter((asked) => asked === domain).length;

async function freshCanonicalDomain() {
  vi.resetModules();
  const module = await import('../../lib/mail/canonical-address.js');
  return module.canonicalDomain;
}

beforeEach(() => {
  uts46.domains.length = 0;
});

describe('canonicalDomain’s cache', () => {
  it('runs UTS #46 once for a domain asked for again', async () => {
    const canonicalDomain = await freshCanonicalDomain();
    expect(canonicalDomain('Example.COM')).toBe('example.com');
    const runs = uts46.domains.length;
    expect(runs).toBeGreaterThan(0);
    expect(canonicalDomain('Example.COM')).toBe('example.com');
    expect(uts46.domains.length).toBe(runs);
  });

  it('remembers an invalid domain too', async () => {
    const canonicalDomain = await freshCanonicalDomain();
    expect(canonicalDomain('xn--example-.com')).toBeNull();
    expect(canonicalDomain('xn--example-.com')).toBeNull();
    expect(runsOn('xn--example-.com')).toBe(1);
  });

  it('remembers a domain while 999 others come after it, and starts over at the 1,001st', async () => {
    const canonicalDomain = await freshCanonicalDomain();
    expect(canonicalDomain('first.example')).toBe('first.example');
    expect(canonicalDomain('second.example')).toBe('second.example');
    for (let i = 0; i < 998; i++) expect(canonicalDomain(`host${i}.example`)).toBe(`host${i}.example`);
    // 1,000 domains known: first.example is still among them.
    expect(canonicalDomain('first.example')).toBe('first.example');
    expect(runsOn('first.example')).toBe(2); // ToASCII, then the round-trip check, once only
    // The 1,001st domain empties the cache: first.example must be worked out again.
    expect(canonicalDomain('one-more.example')).toBe('one-more.example');
    expect(canonicalDomain('first.example')).toBe('first.example');
    expect(runsOn('first.example')).toBe(4);
  });

  it('keeps a domain of 255 characters, and works out a longer one every time', async () => {
    const canonicalDomain = await freshCanonicalDomain();
    const longest = `${'a'.repeat(63)}.`.repeat(4).slice(0, 255);
    const tooLong = `${longest}a`;
    expect(longest).toHaveLength(255);
    for (let i = 0; i < 2; i++) {
      // Both break the DNS length rules (253 characters at most): not comparable.
      expect(canonicalDomain(longest)).toBeNull();
      expect(canonicalDomain(tooLong)).toBeNull();
    }
    expect(runsOn(longest)).toBe(1);
    expect(runsOn(tooLong)).toBe(2);
  });
});
