// Staff access tokens: HS256 JWTs (jose) signed with a secret the node draws
// once and keeps in its database, so every API process of a node shares it.
import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { Sql } from '../db';
import type { StaffUser } from '../http/env';
import { problems } from '../http/problem';
import { isRole } from './roles';

const SECRET_NAME = 'staff_jwt_hs256';
const AUDIENCE = 'medtrace:staff';
export const TOKEN_TTL_SECONDS = 8 * 3600;
/** How many verified tokens a node remembers (a few hundred staff, each a token or two). */
const VERIFIED_TOKENS_MAX = 10_000;

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export interface StaffAuth {
  issueToken(user: StaffUser): Promise<IssuedToken>;
  /** The user behind an `Authorization: Bearer …` header, or a 401 problem. Roles come from the database. */
  authenticate(authorization: string | undefined): Promise<StaffUser>;
}

/** The node's signing secret, created on first use (concurrent first uses agree on one). */
export async function loadJwtSecret(sql: Sql): Promise<Uint8Array> {
  await sql`
    insert into node_secrets (name, value) values (${SECRET_NAME}, ${randomBytes(32).toString('base64url')})
    on conflict (name) do nothing`;
  const [row] = await sql<{ value: string }[]>`select value from node_secrets where name = ${SECRET_NAME}`;
  return new Uint8Array(Buffer.from(row.value, 'base64url'));
}

/** Looks a user up with its roles; undefined when absent or disabled. */
export async function findActiveUser(sql: Sql, username: string): Promise<(StaffUser & { passwordHash: string }) | undefined> {
  const [row] = await sql<{ username: string; password_hash: string; roles: string[] }[]>`
    select u.username, u.password_hash,
           coalesce(array_agg(r.role order by r.role) filter (where r.role is not null), '{}') as roles
    from users u left join user_roles r on r.user_id = u.id
    where u.username = ${username} and not u.disabled
    group by u.id`;
  if (!row) return undefined;
  return { username: row.username, roles: row.roles.filter(isRole), passwordHash: row.password_hash };
}

export function createStaffAuth(sql: Sql, options: { issuer: string; ttlSeconds?: number }): StaffAuth {
  const ttl = options.ttlSeconds ?? TOKEN_TTL_SECONDS;
  let secret: Promise<Uint8Array> | undefined;
  const getSecret = () => {
    secret ??= loadJwtSecret(sql).catch((error) => {
      secret = undefined;
      throw error;
    });
    return secret;
  };

  // A token verified once is remembered (its subject and expiry) until it expires: the
  // signature, issuer and audience of a given token string never change, and the secret
  // is the node's for good. The user and roles are still read from the database on
  // every request, so disabling a user or changing roles takes effect at once.
  const verified = new Map<string, { subject: string; expiresAtMs: number }>();
  const verifiedSubject = async (token: string): Promise<string> => {
    const now = Date.now();
    const known = verified.get(token);
    if (known !== undefined) {
      // jose refuses a token whose exp is not after now (no clock tolerance): the same here.
      if (known.expiresAtMs > now) return known.subject;
      verified.delete(token);
    }
    let subject: string;
    let expiresAtMs: number;
    try {
      const { payload } = await jwtVerify(token, await getSecret(), {
        algorithms: ['HS256'],
        issuer: options.issuer,
        audience: AUDIENCE,
      });
      if (typeof payload.sub !== 'string') throw new Error('no subject');
      subject = payload.sub;
      expiresAtMs = typeof payload.exp === 'number' ? payload.exp * 1000 : Number.POSITIVE_INFINITY;
    } catch {
      throw problems.unauthorized('the bearer token is invalid or expired');
    }
    if (expiresAtMs !== Number.POSITIVE_INFINITY) {
      // Bounded: at VERIFIED_TOKENS_MAX the older half goes (verified again if seen).
      if (verified.size >= VERIFIED_TOKENS_MAX) {
        for (const old of verified.keys()) {
          verified.delete(old);
          if (verified.size < VERIFIED_TOKENS_MAX / 2) break;
        }
      }
      verified.set(token, { subject, expiresAtMs });
    }
    return subject;
  };

  return {
    async issueToken(user) {
      const accessToken = await new SignJWT({ roles: user.roles })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuer(options.issuer)
        .setAudience(AUDIENCE)
        .setSubject(user.username)
        .setIssuedAt()
        .setExpirationTime(`${ttl}s`)
        .sign(await getSecret());
      return { accessToken, tokenType: 'Bearer', expiresIn: ttl };
    },

    async authenticate(authorization) {
      const match = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(authorization ?? '');
      if (!match) throw problems.unauthorized('send Authorization: Bearer <token> (POST /api/v1/auth/token)');
      const username = await verifiedSubject(match[1]);
      const user = await findActiveUser(sql, username);
      if (!user) throw problems.unauthorized('the token’s user no longer exists or is disabled');
      return { username: user.username, roles: user.roles };
    },
  };
}
