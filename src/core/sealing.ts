import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { hmacSha256 } from './hashing.js';
import type { KeyRing } from './keyring.js';

/**
 * Encryption at rest for the few secrets Lifeline must read back (an OIDC client's secret, which
 * the provider compares; the provider's private signing keys): AES-256-GCM under a key derived
 * from SECRET_KEY, so a leaked database alone gives none of them away. The sealed text names the
 * SECRET_KEY it was made with, so rotating SECRET_KEY (PREVIOUS_SECRET_KEYS) keeps it readable.
 * Format: `v1.<key id>.<iv>.<tag>.<ciphertext>`, base64url parts.
 */
const VERSION = 'v1';

// Derived once per server key (a client's secret is opened on every token request).
const derived = new WeakMap<Buffer, Buffer>();
function sealingKey(secretKey: Buffer): Buffer {
  let key = derived.get(secretKey);
  if (!key) {
    key = Buffer.from(hmacSha256(secretKey, 'lifeline-sealing', VERSION), 'base64url');
    derived.set(secretKey, key);
  }
  return key;
}

export function seal(keys: KeyRing, plaintext: string, context: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(keys.current.key), iv, { authTagLength: 16 });
  // The context (e.g. "oidc-client:<id>") is bound as associated data: a sealed value copied
  // to another row does not open there.
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, keys.current.id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

/** The plaintext, or undefined when the key is retired or the text was altered. */
export function unseal(keys: KeyRing, sealed: string, context: string): string | undefined {
  const [version, keyId, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !keyId || !iv || !tag || body === undefined) return undefined;
  const key = keys.byId(keyId);
  if (!key) return undefined;
  try {
    const authTag = Buffer.from(tag, 'base64url');
    // A full 16-byte tag only: GCM would accept a truncated one, which is easier to forge.
    if (authTag.length !== 16) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', sealingKey(key), Buffer.from(iv, 'base64url'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(authTag);
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
