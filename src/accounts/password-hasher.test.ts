import { performance } from 'node:perf_hooks';
import type * as Argon2 from '@node-rs/argon2';
import type { Algorithm } from '@node-rs/argon2';
import { beforeAll, describe, expect, it, vi } from 'vitest';

// Wrap (not replace) the library, to see when the dummy hash is made.
vi.mock('@node-rs/argon2', async (importOriginal) => {
  const actual = await importOriginal<typeof Argon2>();
  return { ...actual, hash: vi.fn(actual.hash) };
});

const { hash: argon2Hash } = await import('@node-rs/argon2');
const hashSpy = vi.mocked(argon2Hash);
const { createGate, createPasswordHasher } = await import('./password-hasher.js');
type PasswordHasher = ReturnType<typeof createPasswordHasher>;

/** The configuration's defaults (parse-config.ts): OWASP's minimum for argon2id. */
const parameters = { memoryKib: 19456, iterations: 2, parallelism: 1, concurrency: 4 };
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

// @node-rs/argon2's Algorithm is a const enum, which isolated modules cannot import.
const ARGON2I = 1 as Algorithm;
const ARGON2ID = 2 as Algorithm;

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

describe('password hashing (docs/reference/security-requirements.md 1.1, 1.2, 1.7, 7.3)', () => {
  let hasher: PasswordHasher;
  let stored: string;
  const password = 'Korrekt-Pferd-Batterie-42';

  beforeAll(async () => {
    hasher = createPasswordHasher(parameters);
    stored = await hasher.hash(password);
  });

  it('stores argon2id with m=19456, t=2, p=1 in the PHC string (docs/reference/security-requirements.md 1.1)', () => {
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const [, m, t, p] = PHC.exec(stored) ?? [];
    expect(Number(m)).toBeGreaterThanOrEqual(19456);
    expect(Number(t)).toBeGreaterThanOrEqual(2);
    expect(Number(p)).toBeGreaterThanOrEqual(1);
  });

  it('salts every hash anew with at least 4 bytes (16 expected): two hashes of one password differ (docs/reference/security-requirements.md 1.2)', async () => {
    const again = await hasher.hash(password);
    expect(again).not.toBe(stored);
    for (const phc of [stored, again]) {
      const salt = Buffer.from(PHC.exec(phc)?.[4] ?? '', 'base64');
      expect(salt.length).toBeGreaterThanOrEqual(4);
      expect(salt.length).toBe(16);
    }
    expect(PHC.exec(again)?.[4]).not.toBe(PHC.exec(stored)?.[4]);
    expect(await hasher.verify(again, password)).toBe(true);
  });

  it('verifies exactly: no truncation, no case folding, no trimming (docs/reference/security-requirements.md 1.7)', async () => {
    const long = 'Ab1-'.repeat(25); // 100 characters
    expect(long).toHaveLength(100);
    const longHash = await hasher.hash(long);
    expect(await hasher.verify(longHash, long)).toBe(true);
    expect(await hasher.verify(longHash, long.slice(0, 99))).toBe(false);
    expect(await hasher.verify(longHash, `${long}A`)).toBe(false);
    expect(await hasher.verify(stored, password.toLowerCase())).toBe(false);
    expect(await hasher.verify(stored, password.toUpperCase())).toBe(false);
    expect(await hasher.verify(stored, `${password} `)).toBe(false);
    expect(await hasher.verify(stored, ` ${password}`)).toBe(false);
  });

  it('treats a malformed stored hash as a mismatch, not a crash (docs/reference/security-requirements.md 7.2)', async () => {
    expect(await hasher.verify('not a hash', password)).toBe(false);
    expect(await hasher.verify('', password)).toBe(false);
    expect(await hasher.verify(stored.slice(0, -5), password)).toBe(false);
  });

  it('runs off the event loop: a timer fires while a hash is being computed (docs/reference/pitfalls.md)', async () => {
    let ticked = false;
    const timer = setTimeout(() => {
      ticked = true;
    }, 0);
    const pending = hasher.hash('another password entirely').then(() => ticked);
    expect(await pending).toBe(true);
    clearTimeout(timer);
  });
});

describe('the dummy verification for unknown accounts (docs/reference/security-requirements.md 7.3)', () => {
  it('always answers false, even for the password it was made from or an empty one (docs/reference/security-requirements.md 7.3)', async () => {
    const hasher = createPasswordHasher(parameters);
    expect(await hasher.verifyDummy('')).toBe(false);
    expect(await hasher.verifyDummy(`\u0000lifeline-dummy-${Math.PI}`)).toBe(false);
    expect(await hasher.verifyDummy('Korrekt-Pferd-Batterie-42')).toBe(false);
  });

  it('makes the dummy hash once, at start, with the configured parameters: the first unknown address pays nothing extra (docs/reference/security-requirements.md 7.3, docs/reference/pitfalls.md)', async () => {
    hashSpy.mockClear();
    const hasher = createPasswordHasher(parameters);
    expect(hashSpy).toHaveBeenCalledTimes(1);
    expect(hashSpy.mock.calls[0]?.[1]).toMatchObject({ algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    await hasher.verifyDummy('first guess');
    await hasher.verifyDummy('second guess');
    expect(hashSpy).toHaveBeenCalledTimes(1);
  });

  it('takes about as long as a real verification (docs/reference/security-requirements.md 7.3)', async () => {
    const hasher = createPasswordHasher(parameters);
    const real = await hasher.hash('Korrekt-Pferd-Batterie-42');
    // Once ready (the server waits for it before it listens), the first dummy pays nothing extra;
    // three fresh hashers, since one sample alone is at the mercy of a busy machine.
    await hasher.ready();
    const firstDummies: number[] = [await timed(() => hasher.verifyDummy('a guess'))];
    for (let i = 0; i < 2; i++) {
      const fresh = createPasswordHasher(parameters);
      await fresh.ready();
      firstDummies.push(await timed(() => fresh.verifyDummy('a guess')));
    }
    const dummies: number[] = [];
    const reals: number[] = [];
    for (let i = 0; i < 5; i++) {
      dummies.push(await timed(() => hasher.verifyDummy(`guess ${i}`)));
      reals.push(await timed(() => hasher.verify(real, `guess ${i}`)));
    }
    const realMedian = median(reals);
    // Loose bounds (a shared CI machine is noisy); making the dummy hash on the spot would be ×2–3.
    expect(median(dummies) / realMedian).toBeGreaterThan(0.5);
    expect(median(dummies) / realMedian).toBeLessThan(1.8);
    expect(median(firstDummies) / realMedian).toBeLessThan(1.8);
  });
});

describe('needsRehash: migrating to new parameters at the next sign-in (docs/reference/security-requirements.md 1.1)', () => {
  const hasher = createPasswordHasher(parameters);

  it('is false for a hash made with the current parameters (docs/reference/security-requirements.md 1.1)', async () => {
    expect(hasher.needsRehash(await hasher.hash('Korrekt-Pferd-Batterie-42'))).toBe(false);
  });

  it('is true for other costs, another algorithm, or a hash it cannot read (docs/reference/security-requirements.md 1.1)', async () => {
    const cheaper = await argon2Hash('x', { algorithm: ARGON2ID, memoryCost: 8192, timeCost: 2, parallelism: 1 });
    const moreIterations = await argon2Hash('x', { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 3, parallelism: 1 });
    const argon2i = await argon2Hash('x', { algorithm: ARGON2I, memoryCost: 19456, timeCost: 2, parallelism: 1 });
    expect(argon2i).toMatch(/^\$argon2i\$/);
    expect(hasher.needsRehash(cheaper)).toBe(true);
    expect(hasher.needsRehash(moreIterations)).toBe(true);
    expect(hasher.needsRehash(argon2i)).toBe(true);
    expect(hasher.needsRehash('$2b$12$abcdefghijklmnopqrstuv')).toBe(true);
    expect(hasher.needsRehash('')).toBe(true);
  });

  it('a hash made with other parameters still verifies (the rehash happens after a successful check) (docs/reference/security-requirements.md 1.1)', async () => {
    const old = await argon2Hash('Korrekt-Pferd-Batterie-42', { algorithm: ARGON2ID, memoryCost: 8192, timeCost: 2, parallelism: 1 });
    expect(await hasher.verify(old, 'Korrekt-Pferd-Batterie-42')).toBe(true);
  });
});

describe('hashing concurrency (ARGON2_CONCURRENCY)', () => {
  it('the gate never runs more tasks at once than allowed; the rest start in order as others end', async () => {
    const gate = createGate(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: (() => void)[] = [];
    const task = (n: number) =>
      gate(
        () =>
          new Promise<number>((resolve) => {
            running += 1;
            most = Math.max(most, running);
            started.push(n);
            releases.push(() => {
              running -= 1;
              resolve(n);
            });
          }),
      );
    const all = Promise.all([1, 2, 3, 4, 5].map(task));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2]);
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await all).toEqual([1, 2, 3, 4, 5]);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
  });

  it('a failing task frees its place', async () => {
    const gate = createGate(1);
    await expect(gate(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(gate(() => Promise.resolve('next'))).resolves.toBe('next');
  });
});
