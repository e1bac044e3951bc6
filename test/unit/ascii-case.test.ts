/** ASCII-only case folding (lib/mail/ascii-case.ts): offsets stay where they were. */
import { describe, expect, it } from 'vitest';
import { asciiLowerCase } from '../../lib/mail/ascii-case.js';

describe('asciiLowerCase', () => {
  it('lower-cases A-Z only, keeping every other character and the length', () => {
    const text = 'AZaz09@-İÉΣ_[`';
    expect(asciiLowerCase(text)).toBe('azaz09@-İÉΣ_[`');
    expect(asciiLowerCase(text)).toHaveLength(text.length);
    // The full Unicode fold would lengthen it (İ becomes i + U+0307).
    expect(text.toLowerCase()).toHaveLength(text.length + 1);
  });
});
