// Route guard for /peer/v1: accepts only a peer token (./token.ts) from an
// active participant whose registry key thumbprint matches the token's key, for
// this node, this method and path, within its lifetime, never seen before.
// Sets c.get('peer') to the caller's registry entry.
import type { MiddlewareHandler } from 'hono';
import type { NodeContext } from '../context';
import type { AppEnv } from '../http/env';
import { ProblemError } from '../http/problem';
import type { PeerInfo } from './directory';
import { claimJti } from './replay';
import { checkPeerToken, peerTokenInvalid } from './token';

/** The OpenAPI security requirement of a /peer/v1 route (scheme `peerAuth`). */
export const peerAuth = [{ peerAuth: [] }];

export function participantNotActive(peer: PeerInfo): ProblemError {
  return new ProblemError(403, 'participant-not-active', 'Participant not active', `participant ${peer.address} is ${peer.status} in the registry`, {
    field: 'authorization',
    participant: peer.address,
    participantStatus: peer.status,
  });
}

export function requirePeer(ctx: Pick<NodeContext, 'participant' | 'directory' | 'sql'>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Already checked for this request (a router-wide guard and a route's own): the jti is claimed once.
    if (c.get('peer')) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    if (!match) throw peerTokenInvalid('authorization', 'send a peer token as Authorization: Bearer <jwt>');
    const { claims, thumbprint } = await checkPeerToken(match[1], {
      audience: ctx.participant,
      method: c.req.method,
      path: c.req.path,
    });

    let peer: PeerInfo;
    try {
      peer = await ctx.directory.get(claims.iss);
      // A rotated key: the cached entry may hold the previous thumbprint.
      if (peer.keyThumbprint !== thumbprint) peer = await ctx.directory.get(claims.iss, { fresh: true });
    } catch (error) {
      throw new ProblemError(503, 'registry-unavailable', 'Registry unavailable', `the participant registry could not be read: ${(error as Error).message}`);
    }
    if (peer.status === 'unknown') throw peerTokenInvalid('registry', `${claims.iss} is not a registered participant`);
    if (peer.keyThumbprint !== thumbprint) {
      throw peerTokenInvalid('key-thumbprint', `the token's key (thumbprint ${thumbprint}) is not the key the registry holds for ${claims.iss}`);
    }
    if (peer.status !== 'active') throw participantNotActive(peer);
    if (!(await claimJti(ctx.sql, claims))) {
      throw new ProblemError(401, 'peer-token-replayed', 'Peer token replayed', `token ${claims.jti} of ${claims.iss} was already used`, {
        field: 'authorization',
        rule: 'jti',
      });
    }
    c.set('peer', peer);
    await next();
  };
}
