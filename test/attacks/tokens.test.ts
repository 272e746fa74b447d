// Forged and misused tokens are refused on every kind of protected route:
// staff routes (/api/v1, HS256 staff JWTs), peer routes (/peer/v1, Ed25519
// peer JWTs bound to callee, method, path and a one-time jti) and auditor
// routes (/audit/v1, Ed25519 auditor JWTs the node issued and can revoke).
// For each kind, five attacks: `alg: none`, a wrong key, expired, a wrong
// audience, replayed. Every token here is built by hand (jose's SignJWT or
// base64url pieces), never by the node's own signing helpers; a real key is
// used only where the attack needs one (an expired token signed by the
// rightful key, say). Two nodes on one chain over real HTTP: the maker is
// attacked, the distributor is the other participant (a peer caller, another
// node to replay at). One test per (kind × attack), each on several routes of
// the kind, each asserting the status and the problem type.
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readProblem, startTestApp, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';

const P = 'https://medtrace.dev/problems/';

let chain: TestChain;
let maker: TestApp;
let dist: TestApp;

beforeAll(async () => {
  chain = await startTestChain();
  maker = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9506000', env: { PARTICIPANT_NAME: 'Maker', PARTICIPANT_ROLE: 'manufacturer' } });
  dist = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9507000', env: { PARTICIPANT_NAME: 'Distributor', PARTICIPANT_ROLE: 'distributor' } });
}, 240_000);

afterAll(async () => {
  await dist?.close();
  await maker?.close();
  await chain?.stop();
});

// ---------------------------------------------------------------------------
// Building tokens by hand

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const jti = () => randomBytes(16).toString('hex');

/** An unsigned token: `alg: none`, the claims as given, an empty (or junk) signature. */
function algNone(claims: JWTPayload, header: Record<string, unknown> = {}, signature = ''): string {
  return `${b64({ alg: 'none', typ: 'JWT', ...header })}.${b64(claims)}.${signature}`;
}

async function hs256(claims: JWTPayload, secret: Uint8Array): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret);
}

interface Ed25519Key {
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** An EdDSA token carrying `jwk` in its header (default: the signer's own public key). */
async function eddsa(claims: JWTPayload, key: Ed25519Key, jwk: JWK = key.publicJwk): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', jwk }).sign(key.privateKey);
}

async function freshKey(): Promise<Ed25519Key> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const jwk = await exportJWK(privateKey);
  return { privateKey, publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } };
}

/** The node's staff signing secret, read from its database (what an insider with the key would hold). */
async function staffSecret(app: TestApp): Promise<Uint8Array> {
  const [row] = await app.db.sql<{ value: string }[]>`select value from node_secrets where name = 'staff_jwt_hs256'`;
  return new Uint8Array(Buffer.from(row.value, 'base64url'));
}

const staffClaims = (app: TestApp, extra: JWTPayload = {}): JWTPayload => ({
  iss: `urn:medtrace:node:${app.ctx.participant}`,
  aud: 'medtrace:staff',
  sub: 'admin',
  roles: ['admin'],
  iat: now(),
  exp: now() + 3600,
  ...extra,
});

const peerClaims = (route: Route, extra: JWTPayload = {}): JWTPayload => ({
  iss: dist.ctx.participant,
  aud: maker.ctx.participant,
  iat: now(),
  exp: now() + 60,
  jti: jti(),
  htm: route.method,
  htu: route.path.split('?')[0],
  ...extra,
});

/** Claims of an auditor token of the maker for the auditor_tokens row `row` (its jti). */
const auditorClaims = (row: { jti: string }, extra: JWTPayload = {}): JWTPayload => ({
  iss: maker.ctx.participant,
  sub: 'Notified Body 0123',
  aud: 'urn:medtrace:audit',
  scope: 'ledger report export',
  iat: now(),
  exp: now() + 3600,
  jti: row.jti,
  ...extra,
});

/** An auditor token issued through the maker's API; its row's jti. */
async function issuedAuditorToken(): Promise<{ id: number; token: string; jti: string }> {
  const res = await maker.call('POST', '/api/v1/auditor-tokens', { body: { auditor: 'Notified Body 0123', scopes: ['ledger', 'report', 'export'], expiresInHours: 2 } });
  expect(res.status).toBe(201);
  const { id, token } = (await res.json()) as { id: number; token: string };
  const [row] = await maker.db.sql<{ jti: string }[]>`select jti from auditor_tokens where id = ${id}`;
  return { id, token, jti: row.jti };
}

// ---------------------------------------------------------------------------
// The routes and the table

interface Route {
  method: string;
  path: string;
  body?: unknown;
}

const ROUTES: Record<'staff' | 'peer' | 'auditor', Route[]> = {
  staff: [
    { method: 'GET', path: '/api/v1/lots' },
    { method: 'GET', path: '/api/v1/auth/me' },
    { method: 'POST', path: '/api/v1/products', body: { gtin: '09506000134352', name: 'n', model: 'm', deviceClass: 'I' } },
  ],
  peer: [
    { method: 'GET', path: '/peer/v1/whoami' },
    { method: 'GET', path: '/peer/v1/evidence?gtin=09506000134352&lot=L1' },
    { method: 'POST', path: '/peer/v1/notices', body: {} },
    { method: 'POST', path: '/peer/v1/recall-acks', body: {} },
  ],
  auditor: [
    { method: 'GET', path: '/audit/v1/events' },
    { method: 'GET', path: '/audit/v1/report' },
    { method: 'GET', path: '/audit/v1/export/epcis' },
  ],
};

function call(app: TestApp, route: Route, token: string): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (route.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(app.url! + route.path, { method: route.method, headers, body: route.body === undefined ? undefined : JSON.stringify(route.body) });
}

interface Refusal {
  status: 401 | 403;
  type: string;
  /** The rule a refused peer token broke. */
  rule?: string;
}

interface Attack {
  kind: keyof typeof ROUTES;
  attack: 'alg none' | 'wrong key' | 'expired' | 'wrong audience' | 'replayed';
  /** What is tried, for the test name. */
  how: string;
  /** The node attacked (default the maker). */
  at?: () => TestApp;
  /** The tokens to send to `route` (each must be refused); may use a token legitimately first. */
  tokens(route: Route): Promise<string[]>;
  refused: Refusal;
}

const ATTACKS: Attack[] = [
  // --- staff tokens (HS256)
  {
    kind: 'staff',
    attack: 'alg none',
    how: 'valid admin claims, alg none, no signature (and a junk one)',
    tokens: async () => [algNone(staffClaims(maker)), algNone(staffClaims(maker), {}, 'AAAA')],
    refused: { status: 401, type: 'unauthorized' },
  },
  {
    kind: 'staff',
    attack: 'wrong key',
    how: 'valid admin claims signed with another HS256 secret, and with the node’s Ed25519 key',
    tokens: async () => [await hs256(staffClaims(maker), randomBytes(32)), await eddsa(staffClaims(maker), maker.ctx.signingKey)],
    refused: { status: 401, type: 'unauthorized' },
  },
  {
    kind: 'staff',
    attack: 'expired',
    how: 'signed with the node’s own secret, expired a second and an hour ago',
    tokens: async () => {
      const secret = await staffSecret(maker);
      return [await hs256(staffClaims(maker, { iat: now() - 7200, exp: now() - 1 }), secret), await hs256(staffClaims(maker, { iat: now() - 7200, exp: now() - 3600 }), secret)];
    },
    refused: { status: 401, type: 'unauthorized' },
  },
  {
    kind: 'staff',
    attack: 'wrong audience',
    how: 'signed with the node’s own secret for the auditor audience, another audience, or none',
    tokens: async () => {
      const secret = await staffSecret(maker);
      const { aud: _aud, ...noAudience } = staffClaims(maker);
      return [
        await hs256(staffClaims(maker, { aud: 'urn:medtrace:audit' }), secret),
        await hs256(staffClaims(maker, { aud: 'medtrace:staff:other' }), secret),
        await hs256(noAudience, secret),
      ];
    },
    refused: { status: 401, type: 'unauthorized' },
  },
  {
    kind: 'staff',
    attack: 'replayed',
    how: 'the distributor’s real admin token replayed at the maker; a token replayed after its user was disabled',
    tokens: async () => {
      expect((await call(dist, ROUTES.staff[0], dist.tokens.admin)).status).toBe(200);
      const leaver = await maker.as('viewer', `leaver-${randomBytes(4).toString('hex')}`);
      expect((await call(maker, ROUTES.staff[0], leaver)).status).toBe(200);
      await maker.db.sql`update users set disabled = true where username like 'leaver-%'`;
      return [dist.tokens.admin, leaver];
    },
    refused: { status: 401, type: 'unauthorized' },
  },
  // --- peer tokens (Ed25519, registry key, htm/htu/jti)
  {
    kind: 'peer',
    attack: 'alg none',
    how: 'the distributor’s claims and public key, alg none, no signature',
    tokens: async (route) => [algNone(peerClaims(route), { jwk: dist.ctx.signingKey.publicJwk }), algNone(peerClaims(route), { jwk: dist.ctx.signingKey.publicJwk }, 'AAAA')],
    refused: { status: 401, type: 'peer-token-invalid', rule: 'header' },
  },
  {
    kind: 'peer',
    attack: 'wrong key',
    how: 'the distributor’s claims signed with a key the registry does not hold for it',
    tokens: async (route) => [await eddsa(peerClaims(route), await freshKey())],
    refused: { status: 401, type: 'peer-token-invalid', rule: 'key-thumbprint' },
  },
  {
    kind: 'peer',
    attack: 'wrong key',
    how: 'the distributor’s public key in the header, the signature made by another key',
    tokens: async (route) => [await eddsa(peerClaims(route), await freshKey(), dist.ctx.signingKey.publicJwk)],
    refused: { status: 401, type: 'peer-token-invalid', rule: 'signature' },
  },
  {
    kind: 'peer',
    attack: 'expired',
    how: 'signed with the distributor’s own key, expired beyond the 30 s skew',
    tokens: async (route) => [await eddsa(peerClaims(route, { iat: now() - 200, exp: now() - 140 }), dist.ctx.signingKey)],
    refused: { status: 401, type: 'peer-token-invalid', rule: 'exp' },
  },
  {
    kind: 'peer',
    attack: 'wrong audience',
    how: 'signed with the distributor’s own key for another callee',
    tokens: async (route) => [await eddsa(peerClaims(route, { aud: dist.ctx.participant }), dist.ctx.signingKey)],
    refused: { status: 401, type: 'peer-token-invalid', rule: 'aud' },
  },
  {
    kind: 'peer',
    attack: 'replayed',
    how: 'a token the maker accepted once, sent again',
    tokens: async (route) => {
      const token = await eddsa(peerClaims(route), dist.ctx.signingKey);
      const first = await call(maker, route, token);
      await first.arrayBuffer();
      // Accepted: past the guard, whatever the route then says about the request itself (422, 403 not-a-recipient…).
      expect(first.status, 'first use of the token').not.toBe(401);
      return [token];
    },
    refused: { status: 401, type: 'peer-token-replayed', rule: 'jti' },
  },
  {
    kind: 'peer',
    attack: 'replayed',
    how: 'a token for another route (another path, or another method) of the same node',
    tokens: async (route) => [
      await eddsa(peerClaims(route, { htu: route.path.startsWith('/peer/v1/whoami') ? '/peer/v1/evidence' : '/peer/v1/whoami' }), dist.ctx.signingKey),
    ],
    refused: { status: 401, type: 'peer-token-invalid', rule: 'htu' },
  },
  // --- auditor tokens (Ed25519, issued and recorded by the node)
  {
    kind: 'auditor',
    attack: 'alg none',
    how: 'the claims of an issued token and the maker’s key in the header, alg none',
    tokens: async () => {
      const row = await issuedAuditorToken();
      return [algNone(auditorClaims(row), { jwk: maker.ctx.signingKey.publicJwk }), algNone(auditorClaims(row), { jwk: maker.ctx.signingKey.publicJwk }, 'AAAA')];
    },
    refused: { status: 401, type: 'unauthorized' },
  },
  {
    kind: 'auditor',
    attack: 'wrong key',
    how: 'the claims of an issued token signed by another key (its own in the header)',
    tokens: async () => [await eddsa(auditorClaims(await issuedAuditorToken()), await freshKey())],
    refused: { status: 401, type: 'auditor-token-invalid' },
  },
  {
    kind: 'auditor',
    attack: 'wrong key',
    how: 'the maker’s key in the header, the signature made by another key',
    tokens: async () => [await eddsa(auditorClaims(await issuedAuditorToken()), await freshKey(), maker.ctx.signingKey.publicJwk)],
    refused: { status: 401, type: 'auditor-token-invalid' },
  },
  {
    kind: 'auditor',
    attack: 'expired',
    how: 'an issued token’s claims re-signed with the maker’s own key, expired a second ago',
    tokens: async () => [await eddsa(auditorClaims(await issuedAuditorToken(), { iat: now() - 7200, exp: now() - 1 }), maker.ctx.signingKey)],
    refused: { status: 401, type: 'auditor-token-expired' },
  },
  {
    kind: 'auditor',
    attack: 'wrong audience',
    how: 'an issued token’s claims re-signed with the maker’s own key for the staff audience, or none',
    tokens: async () => {
      const row = await issuedAuditorToken();
      const { aud: _aud, ...noAudience } = auditorClaims(row);
      return [await eddsa(auditorClaims(row, { aud: 'medtrace:staff' }), maker.ctx.signingKey), await eddsa(noAudience, maker.ctx.signingKey)];
    },
    refused: { status: 401, type: 'auditor-token-invalid' },
  },
  {
    kind: 'auditor',
    attack: 'replayed',
    how: 'a token the maker issued (and accepts), replayed at the distributor’s node',
    at: () => dist,
    tokens: async (route) => {
      const { token } = await issuedAuditorToken();
      expect((await call(maker, route, token)).status).toBe(200);
      return [token];
    },
    refused: { status: 403, type: 'auditor-foreign-token' },
  },
  {
    kind: 'auditor',
    attack: 'replayed',
    how: 'a token accepted once, replayed after the maker revoked it',
    tokens: async (route) => {
      const { id, token } = await issuedAuditorToken();
      expect((await call(maker, route, token)).status).toBe(200);
      expect((await maker.call('POST', `/api/v1/auditor-tokens/${id}/revoke`, { body: { reason: 'engagement ended' } })).status).toBe(200);
      return [token];
    },
    refused: { status: 401, type: 'auditor-token-revoked' },
  },
];

describe.each(['staff', 'peer', 'auditor'] as const)('%s routes', (kind) => {
  test.each(ATTACKS.filter((a) => a.kind === kind).map((a) => [a.attack, a.how, a] as const))('%s (%s): refused', async (_attack, _how, attack) => {
    for (const route of ROUTES[kind]) {
      const target = attack.at?.() ?? maker;
      for (const token of await attack.tokens(route)) {
        const res = await call(target, route, token);
        const problem = await readProblem(res);
        const seen = { route: `${route.method} ${route.path}`, status: res.status, type: problem.type, ...(attack.refused.rule ? { rule: problem.rule } : {}) };
        const wanted = { route: seen.route, status: attack.refused.status, type: P + attack.refused.type, ...(attack.refused.rule ? { rule: attack.refused.rule } : {}) };
        expect(seen, problem.detail).toEqual(wanted);
      }
    }
  });
});

test('the table covers every (kind × attack)', () => {
  const kinds = Object.keys(ROUTES);
  const attacks = ['alg none', 'wrong key', 'expired', 'wrong audience', 'replayed'];
  const covered = new Set(ATTACKS.map((a) => `${a.kind} × ${a.attack}`));
  expect(kinds.flatMap((k) => attacks.map((a) => `${k} × ${a}`)).filter((pair) => !covered.has(pair))).toEqual([]);
});
