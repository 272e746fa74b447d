// What every part of a running node shares: configuration, the database, the
// chain connection, the participant's identity and the logger. Built by
// main.ts (or a test) and handed to createApp and the anchoring worker.
import type { ChainClient } from './chain/client';
import type { SigningKey } from './chain/keys';
import type { Config } from './config';
import type { Database, Sql } from './db';
import type { Logger } from './http/logger';
import type { ParticipantDirectory } from './peers/directory';

export type { Logger } from './http/logger';

export interface NodeContext {
  config: Config;
  db: Database;
  /** The same as `db.sql`: the one connection pool of the process. */
  sql: Sql;
  chain: ChainClient;
  /** Lowercase 0x address of the participant's chain key (the ledger's `participant`). */
  participant: string;
  chainId: number;
  /** The participant's Ed25519 signing key (peer JWTs, auditor tokens, signed documents). */
  signingKey: SigningKey;
  /** The on-chain participant registry, cached for peer checks. */
  directory: ParticipantDirectory;
  log: Logger;
}
