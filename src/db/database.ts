import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import type { Tables } from './tables.js';

export type DialectName = 'sqlite' | 'postgres';

/** A Kysely instance over Lifeline's tables: the whole database or one open transaction. */
export type Executor = Kysely<Tables>;

/**
 * An open database with what the rest of Lifeline needs to know about it. Created by
 * `createDatabase(config)` in a composition root and passed down explicitly.
 */
export interface Database {
  readonly db: Kysely<Tables>;
  readonly dialect: DialectName;
  /** The pg pool under `db` (PostgreSQL only), shared with the rate-limit store. */
  readonly pgPool: Pool | undefined;
  /** Closes every connection. */
  destroy(): Promise<void>;
}
