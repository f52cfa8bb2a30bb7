import { normaliseCrockford, randomCrockford } from '../../core/random.js';

/** A set has ten codes (docs/reference/contracts.md "Recovery codes"). */
export const RECOVERY_CODES_PER_SET = 10;

/** 12 Crockford base32 characters: 60 bits from the CSPRNG, far beyond any guessing the reset's locks allow. */
const CODE_LENGTH = 12;
const CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{12}$/;

/** A set of fresh codes, distinct, in their canonical form (what is hashed). */
export function newRecoveryCodes(count = RECOVERY_CODES_PER_SET): string[] {
  const codes = new Set<string>();
  while (codes.size < count) codes.add(randomCrockford(CODE_LENGTH));
  return [...codes];
}

/** How a code is shown, once: in three groups of four, e.g. 7K3M-Q9WD-2HXA (groups of four read and type more easily). */
export function formatRecoveryCode(code: string): string {
  return code.match(/.{1,4}/g)?.join('-') ?? code;
}

/**
 * What a person typed, in the canonical form: case, spaces and dashes do not matter, and the
 * look-alikes O, I and L read as 0 and 1 (Crockford). Undefined for what can never be a code
 * (a typing slip, answered as a validation error).
 */
export function normaliseRecoveryCode(typed: string): string | undefined {
  const code = normaliseCrockford(typed);
  return CODE_PATTERN.test(code) ? code : undefined;
}
