import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createKeyRing } from './keyring.js';
import { seal, unseal } from './sealing.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('sealing', () => {
  it('opens what it sealed, with the same context only', () => {
    const keys = createKeyRing(key('a'));
    const sealed = seal(keys, 'geheim', 'oidc-client:1');
    expect(sealed).not.toContain('geheim');
    expect(unseal(keys, sealed, 'oidc-client:1')).toBe('geheim');
    expect(unseal(keys, sealed, 'oidc-client:2')).toBeUndefined();
  });

  it('still opens under a previous key, and not once that key is retired', () => {
    const old = key('old');
    const sealed = seal(createKeyRing(old), 'x', 'c');
    expect(unseal(createKeyRing(key('new'), [old]), sealed, 'c')).toBe('x');
    expect(unseal(createKeyRing(key('new')), sealed, 'c')).toBeUndefined();
  });

  it('refuses altered or malformed text', () => {
    const keys = createKeyRing(key('a'));
    const sealed = seal(keys, 'x', 'c');
    const parts = sealed.split('.');
    parts[4] = Buffer.from('y').toString('base64url');
    expect(unseal(keys, parts.join('.'), 'c')).toBeUndefined();
    expect(unseal(keys, 'nonsense', 'c')).toBeUndefined();
    const truncated = sealed.split('.');
    truncated[3] = Buffer.from(truncated[3] ?? '', 'base64url')
      .subarray(0, 12)
      .toString('base64url');
    expect(unseal(keys, truncated.join('.'), 'c')).toBeUndefined();
  });
});
