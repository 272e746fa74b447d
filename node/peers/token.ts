// Peer tokens (DESIGN 6): a short-lived JWT a node signs with its Ed25519 key
// for one request to one other node. The header carries the public key (jwk);
// the callee trusts it only when its RFC 7638 thumbprint is what the on-chain
// registry holds for the issuer. Claims bind the token to the callee (aud), the
// method and path (htm, htu) and a one-time id (jti).
import { randomBytes } from 'node:crypto';
import { base64url, calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, SignJWT } from 'jose';
import type { JWK } from 'jose';
import type { NodeContext } from '../context';
import { ProblemError } from '../http/problem';

/** Token lifetime the signer uses. */
export const PEER_TOKEN_TTL_S = 60;
/** The longest lifetime (exp - iat) a callee accepts. */
export const PEER_TOKEN_MAX_LIFETIME_S = 300;
/** Clock skew allowed between nodes on iat and exp. */
export const PEER_CLOCK_SKEW_S = 30;

export interface PeerTokenClaims {
  /** The caller's address, lowercase 0x. */
  iss: string;
  /** The callee's address, lowercase 0x. */
  aud: string;
  iat: number;
  exp: number;
  /** 128 random bits, 32 lowercase hex digits. */
  jti: string;
  /** The HTTP method, upper case. */
  htm: string;
  /** The request path (no query string), e.g. `/peer/v1/whoami`. */
  htu: string;
}

/** The rule a refused peer token broke (the `rule` of the 401 problem). */
export type PeerTokenRule =
  | 'authorization'
  | 'header'
  | 'signature'
  | 'claims'
  | 'iss'
  | 'aud'
  | 'iat'
  | 'exp'
  | 'lifetime'
  | 'jti'
  | 'htm'
  | 'htu'
  | 'registry'
  | 'key-thumbprint';

/** 401 `peer-token-invalid` naming the rule. */
export function peerTokenInvalid(rule: PeerTokenRule, detail: string): ProblemError {
  return new ProblemError(401, 'peer-token-invalid', 'Invalid peer token', `peer token refused (${rule}): ${detail}`, {
    field: 'authorization',
    rule,
  });
}

const ADDRESS_RE = /^0x[0-9a-f]{40}$/;
const JTI_RE = /^[0-9a-f]{32}$/;

/** The path part of `path` (a query string or fragment dropped): what `htu` binds. */
export function peerPath(path: string): string {
  const cut = path.search(/[?#]/);
  return cut === -1 ? path : path.slice(0, cut);
}

/**
 * A fresh peer token from this node to `audience` (a participant address) for one
 * request `method path`, signed with the node's current signing key, valid 60 s.
 */
export async function signPeerToken(
  ctx: Pick<NodeContext, 'participant' | 'signingKey'>,
  request: { audience: string; method: string; path: string },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = ctx.signingKey;
  return new SignJWT({
    htm: request.method.toUpperCase(),
    htu: peerPath(request.path),
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', jwk: key.publicJwk })
    .setIssuer(ctx.participant.toLowerCase())
    .setAudience(request.audience.toLowerCase())
    .setIssuedAt(now)
    .setExpirationTime(now + PEER_TOKEN_TTL_S)
    .setJti(randomBytes(16).toString('hex'))
    .sign(key.privateKey);
}

/** RFC 7638 SHA-256 thumbprint of an Ed25519 public JWK as the registry holds it (0x hex). */
export async function jwkThumbprintHex(jwk: JWK): Promise<string> {
  const thumbprint = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'sha256');
  return `0x${Buffer.from(base64url.decode(thumbprint)).toString('hex')}`;
}

export interface CheckedToken {
  claims: PeerTokenClaims;
  /** The thumbprint of the key that signed it (0x hex). */
  thumbprint: string;
}

/**
 * The checks that need no registry and no database: header, signature with the
 * header's key, and the claims against the callee, the request and the clock.
 * Throws a 401 `peer-token-invalid` problem naming the rule.
 */
export async function checkPeerToken(
  token: string,
  expect: { audience: string; method: string; path: string; now?: number },
): Promise<CheckedToken> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw peerTokenInvalid('header', 'the token is not a JWS in compact form');
  }
  if (header.alg !== 'EdDSA') throw peerTokenInvalid('header', `alg must be EdDSA, not ${String(header.alg)}`);
  if (header.typ !== undefined && header.typ !== 'JWT') throw peerTokenInvalid('header', `typ must be JWT, not ${String(header.typ)}`);
  const jwk = header.jwk;
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || 'd' in jwk) {
    throw peerTokenInvalid('header', 'the header must carry the caller\'s Ed25519 public key as jwk');
  }
  const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: jwk.x };

  let payloadBytes: Uint8Array;
  try {
    const key = await importJWK(publicJwk, 'EdDSA');
    ({ payload: payloadBytes } = await compactVerify(token, key, { algorithms: ['EdDSA'] }));
  } catch {
    throw peerTokenInvalid('signature', 'the signature does not verify with the header\'s key');
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(new TextDecoder().decode(payloadBytes)) as Record<string, unknown>;
  } catch {
    throw peerTokenInvalid('claims', 'the payload is not a JSON object');
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) throw peerTokenInvalid('claims', 'the payload is not a JSON object');

  const { iss, aud, iat, exp, jti, htm, htu } = payload;
  if (typeof iss !== 'string' || !ADDRESS_RE.test(iss)) throw peerTokenInvalid('iss', 'iss must be the caller\'s address, lowercase 0x hex');
  if (typeof aud !== 'string' || aud !== expect.audience.toLowerCase()) {
    throw peerTokenInvalid('aud', `aud must be this node's address ${expect.audience.toLowerCase()}, not ${JSON.stringify(aud)}`);
  }
  if (typeof iat !== 'number' || !Number.isInteger(iat)) throw peerTokenInvalid('iat', 'iat must be an integer (seconds)');
  if (typeof exp !== 'number' || !Number.isInteger(exp)) throw peerTokenInvalid('exp', 'exp must be an integer (seconds)');
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  if (iat > now + PEER_CLOCK_SKEW_S) throw peerTokenInvalid('iat', `issued ${iat - now} s in the future (skew allowed: ${PEER_CLOCK_SKEW_S} s)`);
  if (exp <= iat) throw peerTokenInvalid('lifetime', 'exp must be after iat');
  if (exp - iat > PEER_TOKEN_MAX_LIFETIME_S) {
    throw peerTokenInvalid('lifetime', `lifetime ${exp - iat} s exceeds ${PEER_TOKEN_MAX_LIFETIME_S} s`);
  }
  if (exp < now - PEER_CLOCK_SKEW_S) throw peerTokenInvalid('exp', `expired ${now - exp} s ago (skew allowed: ${PEER_CLOCK_SKEW_S} s)`);
  if (typeof jti !== 'string' || !JTI_RE.test(jti)) throw peerTokenInvalid('jti', 'jti must be 128 random bits as 32 lowercase hex digits');
  if (typeof htm !== 'string' || htm !== expect.method.toUpperCase()) {
    throw peerTokenInvalid('htm', `htm ${JSON.stringify(htm)} does not match the request method ${expect.method.toUpperCase()}`);
  }
  if (typeof htu !== 'string' || htu !== peerPath(expect.path)) {
    throw peerTokenInvalid('htu', `htu ${JSON.stringify(htu)} does not match the request path ${peerPath(expect.path)}`);
  }
  return {
    claims: { iss, aud, iat, exp, jti, htm, htu },
    thumbprint: await jwkThumbprintHex(publicJwk),
  };
}
