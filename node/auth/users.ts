// Staff accounts: creation with roles, listing, and the first-start admin.
import type { Sql, Tx } from '../db';
import type { Role } from '../http/env';
import { recordAudit } from './auditTrail';
import { hashPassword, randomPassword } from './passwords';

export interface UserRecord {
  username: string;
  displayName: string | null;
  roles: Role[];
  disabled: boolean;
  createdAt: string;
}

export async function insertUser(
  tx: Tx,
  user: { username: string; password: string; roles: readonly Role[]; displayName?: string },
): Promise<void> {
  const passwordHash = await hashPassword(user.password);
  const [row] = await tx<{ id: number }[]>`
    insert into users (username, display_name, password_hash)
    values (${user.username}, ${user.displayName ?? null}, ${passwordHash})
    returning id`;
  for (const role of new Set(user.roles)) {
    await tx`insert into user_roles (user_id, role) values (${row.id}, ${role})`;
  }
}

export async function getUser(sql: Sql | Tx, username: string): Promise<UserRecord | undefined> {
  const [row] = await listUserRows(sql, { username });
  return row;
}

export async function listUsers(sql: Sql | Tx, page: { after?: string; limit: number }): Promise<UserRecord[]> {
  return listUserRows(sql, page);
}

async function listUserRows(sql: Sql | Tx, filter: { username?: string; after?: string; limit?: number }): Promise<UserRecord[]> {
  const rows = await sql<{ username: string; display_name: string | null; roles: Role[]; disabled: boolean; created_at: Date }[]>`
    select u.username, u.display_name, u.disabled, u.created_at,
           coalesce(array_agg(r.role order by r.role) filter (where r.role is not null), '{}') as roles
    from users u left join user_roles r on r.user_id = u.id
    where ${filter.username === undefined ? sql`true` : sql`u.username = ${filter.username}`}
      and ${filter.after === undefined ? sql`true` : sql`u.username > ${filter.after}`}
    group by u.id
    order by u.username
    limit ${filter.limit ?? 1}`;
  return rows.map((row) => ({
    username: row.username,
    displayName: row.display_name,
    roles: row.roles,
    disabled: row.disabled,
    createdAt: row.created_at.toISOString(),
  }));
}

export interface BootstrapResult {
  username: string;
  /** Set only when this call created the account: show it once, it is not kept in clear. */
  password?: string;
  generated: boolean;
}

/**
 * Creates the `admin` account on a node's first start, with `password` (from
 * MEDTRACE_ADMIN_PASSWORD) or a random one the caller prints once.
 */
export async function bootstrapAdmin(sql: Sql, options: { password?: string } = {}): Promise<BootstrapResult> {
  const username = 'admin';
  return sql.begin(async (tx) => {
    // Two processes starting together: the lock makes the second see the first's admin.
    await tx`lock table users in share row exclusive mode`;
    const [existing] = await tx`select 1 from users where username = ${username}`;
    if (existing) return { username, generated: false };
    const password = options.password ?? randomPassword();
    await insertUser(tx, { username, password, roles: ['admin'], displayName: 'bootstrap administrator' });
    await recordAudit(tx, {
      actor: 'system',
      action: 'user.create',
      entity: 'user',
      entityId: username,
      after: { username, roles: ['admin'] },
      reason: 'first start of the node',
    });
    return { username, password, generated: options.password === undefined };
  }) as Promise<BootstrapResult>;
}
