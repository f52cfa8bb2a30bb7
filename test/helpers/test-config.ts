import type { Config } from '../../src/config/config.js';
import { ConfigError } from '../../src/config/config-error.js';
import { parseConfig, type Environment } from '../../src/config/parse-config.js';

/** A fixed 32-byte test key (base64), so tests can also compute expected hashes. */
export const TEST_SECRET_KEY = Buffer.alloc(32, 7).toString('base64');

/** The environment of a test instance: quiet, fixed key, loopback only. */
export function testEnvironment(overrides: Environment = {}): Environment {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '3000',
    PUBLIC_URL: 'http://127.0.0.1:3000',
    SECRET_KEY: TEST_SECRET_KEY,
    OUTBOX_POLL_INTERVAL_MS: '50',
    OUTBOX_RETRY_BASE_SECONDS: '1',
    OUTBOX_RETRY_MAX_SECONDS: '2',
    ...overrides,
  };
}

export function testConfig(overrides: Environment = {}): Config {
  return parseConfig(testEnvironment(overrides));
}

/** The problems the ConfigError of parseConfig(env) names; throws if parseConfig passes (or fails otherwise). */
export function configProblems(env: Environment): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

/** A host's branding settings (docs/operations.md "Branding"): a logo, an accent colour and the four links, all valid. */
export const BRAND_SETTINGS = {
  BRAND_LOGO_URL: 'https://cdn.example.com/brand/logo.svg',
  BRAND_ACCENT_COLOR: '#0B6E4F',
  BRAND_SUPPORT_URL: 'mailto:hilfe@example.com',
  BRAND_PRIVACY_URL: 'https://www.example.com/datenschutz',
  BRAND_TERMS_URL: 'https://www.example.com/agb',
  BRAND_IMPRINT_URL: 'https://www.example.com/impressum',
} as const;
