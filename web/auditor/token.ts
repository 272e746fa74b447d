// What an auditor token says about itself, read in the browser. The claims are
// only what the token states; the node decides whether it accepts the token.
// What the browser can check on its own is whether the token was signed by the
// signing key the chain registry holds for the issuing participant.
import { sha256, toHex, utf8 } from '../../sdk';

export interface TokenClaims {
  /** The participant that issued it (lowercase address). */
  issuer: string;
  /** The auditor it was issued to. */
  subject: string;
  scopes: string[];
  gtins: string[] | null;
  /** ISO time; null when the token has no exp. */
  expiresAt: string | null;
  /** The issuer's public key as the header carries it (base64url x of an Ed25519 JWK), if any. */
  keyX: string | null;
}

export class TokenFormatError extends Error {}

const JWT_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

function base64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  const b64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=');
  const binary = atob(b64);
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(base64urlBytes(part)));
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new TokenFormatError(what);
  }
}

/** Reads the token's header and claims without trusting them. Throws TokenFormatError naming the part at fault. */
export function readToken(token: string): TokenClaims {
  if (!JWT_RE.test(token)) throw new TokenFormatError('format');
  const [headerPart, payloadPart] = token.split('.');
  const header = decodePart(headerPart, 'header');
  const payload = decodePart(payloadPart, 'payload');
  const jwk = header.jwk as Record<string, unknown> | undefined;
  return {
    issuer: typeof payload.iss === 'string' ? payload.iss.toLowerCase() : '',
    subject: typeof payload.sub === 'string' ? payload.sub : '',
    scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
    gtins: Array.isArray(payload.gtins) ? payload.gtins.filter((g): g is string => typeof g === 'string') : null,
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000).toISOString() : null,
    keyX: jwk && jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && typeof jwk.x === 'string' ? jwk.x : null,
  };
}

/** RFC 7638 thumbprint (SHA-256, 0x hex) of the token's Ed25519 key: what the registry stores as keyThumbprint. */
export function keyThumbprint(keyX: string): string {
  // The members of RFC 7638 in lexicographic order, no whitespace.
  return toHex(sha256(utf8(JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x: keyX }))));
}

/**
 * Whether the token's signature verifies with its header key (Ed25519 through WebCrypto).
 * null when this browser cannot verify Ed25519 (no WebCrypto outside a secure context, or no Ed25519).
 */
export async function signatureVerifies(token: string, keyX: string): Promise<boolean | null> {
  const [headerPart, payloadPart, signaturePart] = token.split('.');
  if (!globalThis.crypto?.subtle) return null;
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: keyX }, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
  try {
    return await crypto.subtle.verify({ name: 'Ed25519' }, key, base64urlBytes(signaturePart), new TextEncoder().encode(`${headerPart}.${payloadPart}`));
  } catch {
    return false;
  }
}
