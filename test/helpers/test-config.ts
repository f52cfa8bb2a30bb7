import type { Config } from '../../src/config/config.js';
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
