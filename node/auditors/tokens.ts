// Auditor tokens (DESIGN 6): a participant gives an auditor a scoped, expiring
// JWT signed with its Ed25519 signing key. /audit/v1 accepts it, or a staff
// token with readAudit. Own tokens are checked against auditor_tokens (so they
// can be revoked); a token issued by another participant is accepted only where
// a route allows it (the forward trace), after the registry vouches for its key.
import { randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { base64url, calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, errors as joseErrors, importJWK, jwtVerify, SignJWT } from 'jose';
import type { JWK } from 'jose';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import type { Sql, Tx } from '../db';
import type { AppEnv } from '../http/env';
import { ProblemError, problems } from '../http/problem';
import { auditCors } from './cors';

export const AUDITOR_SCOPES = ['ledger', 'report', 'export', 'trace'] as const;
export type AuditorScope = (typeof AUDITOR_SCOPES)[number];
export const AUDITOR_AUDIENCE = 'urn:medtrace:audit';
/** Clock skew tolerated on iat/nbf only; expiry is exact (an auditor's access ends when it says). */
const SKEW_SECONDS = 30;

/** Who is reading /audit/v1. */
export interface AuditPrincipal {
  /** `staff`: a staff token with readAudit; `auditor`: this node's auditor token; `foreign`: another participant's. */
  kind: 'staff' | 'auditor' | 'foreign';
  /** The staff username or the auditor named in the token. */
  subject: string;
  /** The participant that issued the token (this node for staff). */
  issuer: string;
  scopes: AuditorScope[];
  /** Only these GTINs (14 digits); undefined: all. */
  gtins?: string[];
  /** The auditor_tokens row (own tokens). */
  tokenId?: number;
  /** The bearer token as received, to ask downstream nodes with it (forward trace). */
  token: string;
}

export interface AuditorAuth {
  /** This node's participant address. */
  participant: string;
  /**
   * The principal behind an Authorization header for a route needing `scope`: a staff token
   * with readAudit, an own auditor token holding the scope, or (with allowForeign) another
   * participant's auditor token whose key the registry holds. Undefined when the header holds
   * no auditor token (then it may be a staff token). Throws a 401/403 problem.
   */
  authenticate(authorization: string | undefined, scope: AuditorScope, options?: { allowForeign?: boolean }): Promise<AuditPrincipal | undefined>;
}

export interface IssueAuditorToken {
  auditor: string;
  scopes: AuditorScope[];
  /** Lifetime; the route takes hours (1-720). */
  ttlSeconds: number;
  gtins?: string[];
  issuedBy: string;
  /** Issue time (tests issue tokens that have already expired). */
  now?: Date;
}

export interface IssuedAuditorToken {
  id: number;
  token: string;
  jti: string;
  expiresAt: string;
}

type SigningContext = Pick<NodeContext, 'participant' | 'signingKey'>;

/** Signs an auditor token and records it (revocable) in the same transaction. */
export async function issueAuditorToken(tx: Tx | Sql, ctx: SigningContext, input: IssueAuditorToken): Promise<IssuedAuditorToken> {
  const now = input.now ?? new Date();
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + input.ttlSeconds;
  const jti = randomBytes(16).toString('hex');
  const scopes = AUDITOR_SCOPES.filter((scope) => input.scopes.includes(scope));
  const claims: Record<string, unknown> = { scope: scopes.join(' ') };
  if (input.gtins && input.gtins.length > 0) claims.gtins = [...new Set(input.gtins)];
  const token = await new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', jwk: ctx.signingKey.publicJwk })
    .setIssuer(ctx.participant)
    .setSubject(input.auditor)
    .setAudience(AUDITOR_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(ctx.signingKey.privateKey);
  const expiresAt = new Date(exp * 1000);
  const [row] = await tx<{ id: string }[]>`
    insert into auditor_tokens (jti, auditor, scopes, gtins, key_thumbprint, issued_by, issued_at, expires_at)
    values (${jti}, ${input.auditor}, ${scopes}, ${(claims.gtins as string[] | undefined) ?? null}, ${ctx.signingKey.thumbprint},
            ${input.issuedBy}, ${new Date(iat * 1000)}, ${expiresAt})
    returning id`;
  return { id: Number(row.id), token, jti, expiresAt: expiresAt.toISOString() };
}

const invalid = (rule: string) =>
  new ProblemError(401, 'auditor-token-invalid', 'Invalid auditor token', `the auditor token is not valid: ${rule}`, { field: 'authorization' });

const BEARER = /^Bearer\s+([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i;

export function createAuditorAuth(ctx: Pick<NodeContext, 'sql' | 'participant' | 'directory'>): AuditorAuth {
  return {
    participant: ctx.participant,
    async authenticate(authorization, scope, options = {}) {
      const match = BEARER.exec(authorization ?? '');
      let alg: string | undefined;
      try {
        alg = match ? decodeProtectedHeader(match[1]).alg : undefined;
      } catch {
        alg = undefined;
      }
      // Staff tokens are HS256 (node/auth/tokens.ts); auditor tokens EdDSA.
      if (!match || alg !== 'EdDSA') return undefined;
      const principal = await verifyAuditorToken(ctx, match[1], options.allowForeign ?? false);
      if (!principal.scopes.includes(scope)) {
        throw new ProblemError(403, 'auditor-scope', 'Scope missing', `this needs the auditor scope "${scope}"; the token grants ${principal.scopes.join(', ')}`, {
          field: 'authorization',
          requiredScope: scope,
        });
      }
      return principal;
    },
  };
}

async function verifyAuditorToken(ctx: Pick<NodeContext, 'sql' | 'participant' | 'directory'>, token: string, allowForeign: boolean): Promise<AuditPrincipal> {
  const header = decodeProtectedHeader(token);
  const jwk = header.jwk as JWK | undefined;
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || jwk.d !== undefined) {
    throw invalid('the header must carry the issuer’s public Ed25519 key as jwk');
  }
  let unverified;
  try {
    unverified = decodeJwt(token);
  } catch {
    throw invalid('the payload is not a JWT claims set');
  }
  const issuer = typeof unverified.iss === 'string' ? unverified.iss.toLowerCase() : '';
  if (!/^0x[0-9a-f]{40}$/.test(issuer)) throw invalid('iss must be the issuing participant’s address');
  const own = issuer === ctx.participant;
  if (!own && !allowForeign) {
    throw new ProblemError(
      403,
      'auditor-foreign-token',
      'Token of another participant',
      `this token was issued by ${issuer}; a token of another participant is accepted only on GET /audit/v1/trace/forward`,
      { field: 'authorization' },
    );
  }

  let payload;
  try {
    const key = await importJWK({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, 'EdDSA');
    ({ payload } = await jwtVerify(token, key, { algorithms: ['EdDSA'], audience: AUDITOR_AUDIENCE, clockTolerance: 0, requiredClaims: ['exp', 'jti', 'sub'] }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) {
      throw new ProblemError(401, 'auditor-token-expired', 'Auditor token expired', `the auditor token expired at ${new Date(Number(unverified.exp) * 1000).toISOString()}`, {
        field: 'authorization',
        expiredAt: new Date(Number(unverified.exp) * 1000).toISOString(),
      });
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) throw invalid(`claim ${error.claim}: ${error.reason}`);
    throw invalid('the signature does not verify with the header key');
  }
  if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + SKEW_SECONDS) throw invalid('iat lies in the future');
  const thumbprint = `0x${Buffer.from(base64url.decode(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }, 'sha256'))).toString('hex')}`;
  const claimed = String(payload.scope ?? '')
    .split(' ')
    .filter((scope): scope is AuditorScope => (AUDITOR_SCOPES as readonly string[]).includes(scope));
  const gtins = Array.isArray(payload.gtins) ? payload.gtins.filter((g): g is string => typeof g === 'string' && /^\d{14}$/.test(g)) : undefined;

  if (own) {
    const [row] = await ctx.sql<
      { id: string; scopes: string[]; gtins: string[] | null; key_thumbprint: string; expires_at: Date; revoked_at: Date | null; auditor: string }[]
    >`select id, auditor, scopes, gtins, key_thumbprint, expires_at, revoked_at from auditor_tokens where jti = ${String(payload.jti)}`;
    if (!row) throw invalid('this node issued no token with this jti');
    if (row.key_thumbprint !== thumbprint) throw invalid('it was not signed by the key this node issued it with');
    if (row.revoked_at) {
      throw new ProblemError(401, 'auditor-token-revoked', 'Auditor token revoked', `the auditor token was revoked at ${new Date(row.revoked_at).toISOString()}`, {
        field: 'authorization',
      });
    }
    if (new Date(row.expires_at).getTime() <= Date.now()) {
      throw new ProblemError(401, 'auditor-token-expired', 'Auditor token expired', `the auditor token expired at ${new Date(row.expires_at).toISOString()}`, {
        field: 'authorization',
      });
    }
    await ctx.sql`update auditor_tokens set last_used_at = now() where id = ${row.id}`;
    return {
      kind: 'auditor',
      subject: row.auditor,
      issuer,
      scopes: row.scopes as AuditorScope[],
      ...(row.gtins ? { gtins: row.gtins } : {}),
      tokenId: Number(row.id),
      token,
    };
  }

  // Another participant's token: its key must be the one the registry holds for it, and it must be active.
  let peer = await ctx.directory.get(issuer);
  if (peer.keyThumbprint !== thumbprint) peer = await ctx.directory.get(issuer, { fresh: true });
  if (peer.status === 'unknown') throw invalid(`the issuer ${issuer} is not a registered participant`);
  if (peer.keyThumbprint !== thumbprint) throw invalid(`the header key is not the signing key the registry holds for ${issuer}`);
  if (peer.status !== 'active') {
    throw new ProblemError(403, 'participant-not-active', 'Participant not active', `the token's issuer ${issuer} is ${peer.status} in the registry`, {
      field: 'authorization',
    });
  }
  return { kind: 'foreign', subject: String(payload.sub), issuer, scopes: claimed, ...(gtins ? { gtins } : {}), token };
}

/**
 * Route guard for /audit/v1: an auditor token with `scope` (own; another participant's
 * only with allowForeign) or a staff token with readAudit. Sets c.get('auditor').
 * Every answer behind it, a refusal too, carries the CORS headers of ./cors.ts.
 */
export function requireAudit(scope: AuditorScope, options: { allowForeign?: boolean } = {}): MiddlewareHandler<AppEnv> {
  const guard = authenticateAudit(scope, options);
  return (c, next) => auditCors(c, async () => {
    await guard(c, next);
  });
}

function authenticateAudit(scope: AuditorScope, options: { allowForeign?: boolean }): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const authorization = c.req.header('authorization');
    const principal = await c.get('auditors').authenticate(authorization, scope, options);
    if (principal) {
      c.set('auditor', principal);
      await next();
      return;
    }
    const user = await c.get('auth').authenticate(authorization);
    const roles: readonly string[] = ACCESS.readAudit;
    if (!user.roles.some((role) => roles.includes(role))) {
      throw problems.forbidden(`this needs an auditor token with scope "${scope}" or one of the roles ${roles.join(', ')}; ${user.username} has ${user.roles.join(', ') || 'none'}`, {
        requiredRoles: roles,
      });
    }
    c.set('user', user);
    c.set('auditor', { kind: 'staff', subject: user.username, issuer: c.get('auditors').participant, scopes: [...AUDITOR_SCOPES], token: '' });
    await next();
  };
}

/** Refuses a principal whose token is limited to other GTINs (403 `auditor-gtin`). */
export function assertGtinAllowed(principal: AuditPrincipal, gtin: string): void {
  if (principal.gtins && !principal.gtins.includes(gtin)) {
    throw new ProblemError(403, 'auditor-gtin', 'GTIN not covered', `the auditor token covers only the GTINs ${principal.gtins.join(', ')}`, {
      field: 'gtin',
    });
  }
}
