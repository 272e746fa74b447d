// One anchoring worker per participant, however many API processes share the
// database: the leader holds a session-level advisory lock on a connection of its
// own. An embedded PGlite database belongs to one process, which is the leader.
//
// The lock's session is a one-connection client beside the shared pool, not a
// connection reserved from it: with postgres 3.4.9 a reserve() request made while the
// server is unreachable can be lost for good (a reconnecting connection takes it as its
// first query and drops it once connected), which froze anchoring after a Postgres
// restart (test/faults/postgresRestart.test.ts).
import { createHash } from 'node:crypto';
import postgres from 'postgres';
import { reconnectBackoff, type Database, type Sql } from '../db';
import type { Logger } from '../http/logger';

/** The advisory lock key of a participant's anchoring: 63 bits of SHA-256("medtrace anchor " + address). */
export function anchorLockKey(participant: string): string {
  const digest = createHash('sha256').update(`medtrace anchor ${participant.toLowerCase()}`).digest();
  return (digest.readBigUInt64BE(0) & 0x7fffffffffffffffn).toString();
}

export class AnchorLeadership {
  private session: Sql | null = null;
  private leader = false;
  private readonly key: string;

  constructor(
    private readonly db: Database,
    participant: string,
    private readonly log?: Logger,
  ) {
    this.key = anchorLockKey(participant);
  }

  /** True while this process is the leader; tries to become it when it is not. */
  async acquire(): Promise<boolean> {
    if (this.db.embedded) return true;
    // One connection, never recycled on age (max_lifetime 0): the lock lives as long as it does.
    this.session ??= postgres(this.db.url, { max: 1, max_lifetime: 0, backoff: reconnectBackoff, onnotice: () => {} }) as unknown as Sql;
    let locked = false;
    try {
      // Re-taking a lock the session holds succeeds; after a reconnect (the old session
      // gone, and its lock with it) this is a fresh attempt, never a false "still leader".
      const [row] = await this.session`select pg_try_advisory_lock(${this.key}::bigint) as locked`;
      locked = row.locked === true;
    } catch (error) {
      if (this.leader) this.log?.warn('lost the anchoring lock', { error });
      this.leader = false;
      throw error;
    }
    if (locked && !this.leader) this.log?.info('elected anchoring leader');
    if (!locked && this.leader) this.log?.warn('lost the anchoring lock');
    this.leader = locked;
    return locked;
  }

  async release(): Promise<void> {
    const session = this.session;
    if (!session) return;
    this.session = null;
    this.leader = false;
    try {
      await session`select pg_advisory_unlock_all()`;
    } catch {
      // the session is gone, and the lock with it
    }
    await session.end({ timeout: 1 });
  }
}
