import { hash, parseOptions, verify } from '@node-rs/argon2';

export interface Argon2Parameters {
  readonly memoryKib: number;
  readonly iterations: number;
  readonly parallelism: number;
  /** How many hashes may run at once (the rest wait their turn). */
  readonly concurrency: number;
}

/**
 * A first-come-first-served gate for at most `limit` concurrent tasks. Argon2 is CPU-bound: more
 * hashes at once than cores only makes each slower, and on a small machine leaves the event loop
 * (every other request) without a core. So the number at once is capped, by default one core
 * short of all of them.
 */
export function createGate(limit: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else running += 1;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running -= 1;
    }
  };
}

/** @node-rs/argon2's `Algorithm.Argon2id` (a const enum, which isolated modules cannot import). */
const ARGON2ID = 2;

/**
 * Password hashing with argon2id (docs/reference/security-requirements.md 1.1, 1.2): parameters from the configuration,
 * a fresh 16-byte salt per hash, the PHC string stores algorithm and parameters. The work runs
 * on libuv's thread pool (@node-rs/argon2 is asynchronous), never on the event loop.
 */
export function createPasswordHasher(parameters: Argon2Parameters) {
  const options = {
    algorithm: ARGON2ID,
    memoryCost: parameters.memoryKib,
    timeCost: parameters.iterations,
    parallelism: parameters.parallelism,
  };
  const gate = createGate(Math.max(1, parameters.concurrency));
  // A hash of nothing anyone can type, made once at start (docs/reference/pitfalls.md), not at the first
  // unknown address: unknown accounts are verified against it so that "no such account" takes
  // as long as "wrong password" (docs/reference/security-requirements.md 7.3), the first one included.
  const dummyHash: Promise<string> = hash(`\u0000lifeline-dummy-${Math.PI}`, options);
  // A failure surfaces at the first verifyDummy (fail closed), not as an unhandled rejection.
  void dummyHash.catch(() => undefined);

  return {
    /** Resolves once the dummy hash is made: the server waits for it before it listens, so no request ever waits for it. */
    async ready(): Promise<void> {
      await dummyHash;
    },

    hash(password: string): Promise<string> {
      return gate(() => hash(password, options));
    },

    /** Whether `password` matches; a malformed stored hash is a mismatch, not a crash. */
    async verify(storedHash: string, password: string): Promise<boolean> {
      try {
        return await gate(() => verify(storedHash, password));
      } catch {
        return false;
      }
    },

    /** Spends the same time as a real verification, and always fails. */
    async verifyDummy(password: string): Promise<false> {
      const dummy = await dummyHash;
      await gate(() => verify(dummy, password)).catch(() => false);
      return false;
    },

    /** True when a hash was made with other parameters than today's (rehash at next sign-in). */
    needsRehash(storedHash: string): boolean {
      try {
        const current = parseOptions(storedHash);
        return (
          current.memoryCost !== options.memoryCost ||
          current.timeCost !== options.timeCost ||
          current.parallelism !== options.parallelism ||
          Number(current.algorithm) !== ARGON2ID
        );
      } catch {
        return true;
      }
    },
  };
}

export type PasswordHasher = ReturnType<typeof createPasswordHasher>;
