/** The value of a raw header line is everything after its first colon, even with an empty field name. */
import { describe, expect, it } from 'vitest';
import { rawHeaderValue } from '../../lib/mail/raw-headers.js';

describe('rawHeaderValue', () => {
  it('reads the value after a colon that opens the line', () => {
    expect(rawHeaderValue(': value')).toBe('value');
    expect(rawHeaderValue('no colon at all')).toBe('');
  });
});
