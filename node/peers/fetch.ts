// Calling another node: its endpoint from the registry (through the directory),
// a fresh peer token per request, a JSON body, a timeout. Anything that keeps
// the request from getting an HTTP answer is a PeerUnavailableError: the caller
// retries later. An HTTP answer (any status) is returned as is.
import type { NodeContext } from '../context';
import { peerPath, signPeerToken } from './token';

export const PEER_FETCH_TIMEOUT_MS = 10_000;

export type PeerUnavailableReason = 'unknown-participant' | 'not-active' | 'no-endpoint' | 'registry' | 'network' | 'timeout';

export class PeerUnavailableError extends Error {
  readonly target: string;
  readonly reason: PeerUnavailableReason;
  constructor(target: string, reason: PeerUnavailableReason, message: string, options?: { cause?: unknown }) {
    super(`peer ${target} unavailable (${reason}): ${message}`, options);
    this.name = 'PeerUnavailableError';
    this.target = target;
    this.reason = reason;
  }
}

export interface PeerFetchInit {
  /** Default GET, or POST when a body is given. */
  method?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Default 10 s. */
  timeoutMs?: number;
}

export async function peerFetch(
  ctx: Pick<NodeContext, 'participant' | 'signingKey' | 'directory'>,
  target: string,
  path: string,
  init: PeerFetchInit = {},
): Promise<Response> {
  const address = target.toLowerCase();
  if (!path.startsWith('/')) throw new Error(`peerFetch: path must start with '/': ${path}`);
  const method = (init.method ?? (init.body === undefined ? 'GET' : 'POST')).toUpperCase();
  const timeoutMs = init.timeoutMs ?? PEER_FETCH_TIMEOUT_MS;

  const endpointOf = async (fresh: boolean): Promise<string> => {
    let peer;
    try {
      peer = await ctx.directory.get(address, { fresh });
    } catch (error) {
      throw new PeerUnavailableError(address, 'registry', (error as Error).message, { cause: error });
    }
    if (peer.status === 'unknown') throw new PeerUnavailableError(address, 'unknown-participant', 'not in the participant registry');
    if (peer.status !== 'active') throw new PeerUnavailableError(address, 'not-active', `${peer.status} in the registry`);
    if (!peer.endpoint) throw new PeerUnavailableError(address, 'no-endpoint', 'the registry names no endpoint');
    return peer.endpoint;
  };

  const attempt = async (endpoint: string): Promise<Response> => {
    const token = await signPeerToken(ctx, { audience: address, method, path: peerPath(path) });
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.body);
    }
    try {
      return await fetch(endpoint + path, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new PeerUnavailableError(address, 'timeout', `no answer from ${endpoint} within ${timeoutMs} ms`, { cause: error });
      }
      throw new PeerUnavailableError(address, 'network', `${endpoint}: ${(error as Error).message}`, { cause: error });
    }
  };

  const endpoint = await endpointOf(false);
  try {
    return await attempt(endpoint);
  } catch (error) {
    // The cached endpoint may be stale (the peer moved): one retry when the registry names another.
    if (!(error instanceof PeerUnavailableError) || error.reason !== 'network') throw error;
    const current = await endpointOf(true);
    if (current === endpoint) throw error;
    return attempt(current);
  }
}
