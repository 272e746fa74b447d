// One anchoring worker per participant, however many API processes share the
// database: the leader holds a session-level advisory lock on a reserved
// connection. An embedded PGlite database belongs to one process, which is the leader.
import { createHash } from 'node:crypto';
import type { Database } from '../db';
import type { Logger } from '../http/logger';

type Reserved = Awaited<ReturnType<Database['sql']['reserve']>>;

/** The advisory lock key of a participant's anchoring: 63 bits of SHA-256("medtrace anchor " + address). */
export function anchorLockKey(participant: string): string {
  const digest = createHash('sha256').update(`medtrace anchor ${participant.toLowerCase()}`).digest();
  return (digest.readBigUInt64BE(0) & 0x7fffffffffffffffn).toString();
}

export class AnchorLeadership {
  private reserved: Reserved | null = null;
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
    if (this.reserved) {
      try {
        // Re-taking a lock the session holds succeeds; if the driver silently
        // reconnected, this is a fresh attempt, never a false "still leader".
        const [row] = await this.reserved`select pg_try_advisory_lock(${this.key}::bigint) as locked`;
        if (row.locked === true) return true;
        this.log?.warn('lost the anchoring lock');
      } catch (error) {
        // The session (and with it the lock) is gone.
        this.log?.warn('lost the anchoring lock', { error });
      }
      this.drop();
    }
    const reserved = await this.db.sql.reserve();
    try {
      const [row] = await reserved`select pg_try_advisory_lock(${this.key}::bigint) as locked`;
      if (row.locked === true) {
        this.reserved = reserved;
        this.log?.info('elected anchoring leader');
        return true;
      }
    } catch (error) {
      reserved.release();
      throw error;
    }
    reserved.release();
    return false;
  }

  async release(): Promise<void> {
    const reserved = this.reserved;
    if (!reserved) return;
    this.reserved = null;
    try {
      await reserved`select pg_advisory_unlock_all()`;
    } catch {
      // the session is gone, and the lock with it
    }
    reserved.release();
  }

  private drop(): void {
    this.reserved?.release();
    this.reserved = null;
  }
}
