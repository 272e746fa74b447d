// Connecting to a node under audit: its URL (this page's node by default) and
// an auditor token. The token's claims are read here but trusted nowhere: the
// node is asked once with it (the first scope it claims that can be asked
// cheaply), so a refused token is refused at once with the node's own words.
import { createApi } from '../lib/api';
import { loadNetwork } from '../lib/network';
import type { Connection, Trusted } from './context';
import { identityChecks } from './identity';
import { readToken, TokenFormatError } from './token';

/** A mistake in what was typed, before any node was asked: the field and an i18n key. */
export class ConnectInputError extends Error {
  constructor(
    readonly field: 'node' | 'token',
    readonly key: string,
  ) {
    super(key);
  }
}

export function nodeOrigin(input: string): string {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    throw new ConnectInputError('node', 'connect.badUrl');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConnectInputError('node', 'connect.badUrl');
  return url.origin;
}

/** The cheapest call each scope allows: it proves the node accepts the token. */
const PROBES: Record<string, { path: string; query?: Record<string, string | number> }> = {
  ledger: { path: '/audit/v1/anchors', query: { limit: 1 } },
  export: { path: '/audit/v1/export/epcis', query: { fromSeq: 1, toSeq: 1 } },
  report: { path: '/audit/v1/report' },
};

export async function connect(nodeInput: string, tokenInput: string, trusted: Trusted): Promise<Connection> {
  const nodeUrl = nodeOrigin(nodeInput);
  const token = tokenInput.trim().replace(/^Bearer\s+/i, '');
  if (!token) throw new ConnectInputError('token', 'connect.tokenMissing');
  let claims;
  try {
    claims = readToken(token);
  } catch (err) {
    if (err instanceof TokenFormatError) throw new ConnectInputError('token', 'connect.tokenFormat');
    throw err;
  }
  if (!/^0x[0-9a-f]{40}$/.test(claims.issuer)) throw new ConnectInputError('token', 'connect.tokenIssuer');

  const api = createApi({ baseUrl: nodeUrl, token: () => token });
  const probe = ['ledger', 'export', 'report'].find((scope) => claims.scopes.includes(scope));
  // The node's word on the token comes first: a refused token stops here.
  if (probe) await api.get(PROBES[probe].path, PROBES[probe].query);
  const announced = await loadNetwork(nodeUrl).catch(() => null);
  const onChain = await trusted.chain.participant(claims.issuer);
  const connection: Connection = { nodeUrl, token, claims, api, announced, participant: claims.issuer, onChain, checks: [] };
  connection.checks = await identityChecks(connection, trusted);
  return connection;
}
