// Peer authentication between two nodes over real HTTP on one shared chain:
// a distributor calls the maker's /peer/v1 routes with peer tokens. Accepted
// when the token is signed by the key the registry holds for its issuer, for
// this callee, method and path, fresh and used once; refused with the rule
// otherwise. A suspended or revoked caller is 403; a key rotation and an
// endpoint change are picked up by the other node.
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Contract, Wallet } from 'ethers';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { CryptoKey, JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadArtifact } from '../../node/chain/artifacts';
import { sendAndWait } from '../../node/chain/transactions';
import { loadSigningKey } from '../../node/chain/keys';
import { finishPendingKeyRotation, jwkThumbprintHex, peerFetch, PeerUnavailableError, pruneJtis, signPeerToken } from '../../node/peers';
import { readProblem, startTestApp, type TestApp } from '../support/app';
import { startTestChain, type TestChain } from '../support/chain';
import { freePort } from '../support/ports';

let chain: TestChain;
let maker: TestApp;
let dist: TestApp;

beforeAll(async () => {
  chain = await startTestChain();
  maker = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9506000', env: { PARTICIPANT_NAME: 'Maker', PARTICIPANT_ROLE: 'manufacturer' } });
  dist = await startTestApp({ chain, listen: true, gs1CompanyPrefix: '9507000', env: { PARTICIPANT_NAME: 'Distributor', PARTICIPANT_ROLE: 'distributor' } });
}, 180_000);
afterAll(async () => {
  await dist?.close();
  await maker?.close();
  await chain?.stop();
});

const WHOAMI = '/peer/v1/whoami';

/** A GET of `path` on the maker with `token` (no token: no Authorization header). */
function callMaker(token: string | null, pathname = WHOAMI, method = 'GET'): Promise<Response> {
  return fetch(maker.url! + pathname, { method, headers: token === null ? {} : { authorization: `Bearer ${token}` } });
}

/** A token built by hand with the distributor's key (or `key`), claims overridden. */
async function craftToken(
  claims: Record<string, unknown>,
  options: { key?: { privateKey: CryptoKey; publicJwk: JWK }; header?: Record<string, unknown> } = {},
): Promise<string> {
  const key = options.key ?? dist.ctx.signingKey;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: dist.ctx.participant,
    aud: maker.ctx.participant,
    iat: now,
    exp: now + 60,
    jti: randomJti(),
    htm: 'GET',
    htu: WHOAMI,
    ...claims,
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', jwk: key.publicJwk, ...options.header })
    .sign(key.privateKey);
}

function randomJti(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('hex');
}

async function expectRefused(res: Response, status: number, type: string, rule?: string): Promise<void> {
  const problem = await readProblem(res);
  expect({ status: res.status, type: problem.type }, problem.detail).toEqual({ status, type: `https://medtrace.dev/problems/${type}` });
  if (rule !== undefined) expect(problem.rule, problem.detail).toBe(rule);
}

async function asGovernor(method: 'suspend' | 'reinstate' | 'revoke', ...args: unknown[]): Promise<void> {
  const governor = new Wallet(chain.deployment.governor.privateKey!, chain.provider);
  const registry = new Contract(chain.deployment.registry, loadArtifact('ParticipantRegistry').abi, governor);
  await sendAndWait(governor, { to: chain.deployment.registry, data: registry.interface.encodeFunctionData(method, args) });
}

describe('peer tokens', () => {
  test('a signed call from a registered, active participant is accepted: whoami echoes caller and callee', async () => {
    const res = await peerFetch(dist.ctx, maker.ctx.participant, WHOAMI);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { caller: { address: string; name: string; role: string; status: string }; callee: { address: string; name: string } };
    expect(body.caller).toMatchObject({ address: dist.ctx.participant, name: 'Distributor', role: 'distributor', status: 'active' });
    expect(body.callee).toMatchObject({ address: maker.ctx.participant, name: 'Maker' });
    expect(body.caller.address).toBe(dist.ctx.participant);
  });

  test('the token carries the caller key in its header and the claims of the request', async () => {
    const token = await signPeerToken(dist.ctx, { audience: maker.ctx.participant.toUpperCase().replace('0X', '0x'), method: 'get', path: `${WHOAMI}?x=1` });
    const [header, payload] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', jwk: dist.ctx.signingKey.publicJwk });
    expect(payload).toMatchObject({ iss: dist.ctx.participant, aud: maker.ctx.participant, htm: 'GET', htu: WHOAMI });
    expect(payload.exp - payload.iat).toBe(60);
    expect(payload.jti).toMatch(/^[0-9a-f]{32}$/);
  });

  test('a token is accepted once: the same token again is 401 peer-token-replayed', async () => {
    const token = await signPeerToken(dist.ctx, { audience: maker.ctx.participant, method: 'GET', path: WHOAMI });
    expect((await callMaker(token)).status).toBe(200);
    await expectRefused(await callMaker(token), 401, 'peer-token-replayed', 'jti');
  });

  test('the same token sent twice at once gets through once', async () => {
    const token = await signPeerToken(dist.ctx, { audience: maker.ctx.participant, method: 'GET', path: WHOAMI });
    const statuses = await Promise.all([callMaker(token), callMaker(token), callMaker(token)].map(async (res) => (await res).status));
    expect(statuses.sort()).toEqual([200, 401, 401]);
  });

  test('a token for another callee is refused (aud)', async () => {
    const token = await signPeerToken(dist.ctx, { audience: dist.ctx.participant, method: 'GET', path: WHOAMI });
    await expectRefused(await callMaker(token), 401, 'peer-token-invalid', 'aud');
  });

  test('a token for another method or path is refused (htm, htu)', async () => {
    const post = await signPeerToken(dist.ctx, { audience: maker.ctx.participant, method: 'POST', path: WHOAMI });
    await expectRefused(await callMaker(post), 401, 'peer-token-invalid', 'htm');
    const other = await signPeerToken(dist.ctx, { audience: maker.ctx.participant, method: 'GET', path: '/peer/v1/notices' });
    await expectRefused(await callMaker(other), 401, 'peer-token-invalid', 'htu');
  });

  test('an expired token is refused; so is one issued in the future or living longer than 300 s', async () => {
    const now = Math.floor(Date.now() / 1000);
    await expectRefused(await callMaker(await craftToken({ iat: now - 200, exp: now - 140 })), 401, 'peer-token-invalid', 'exp');
    await expectRefused(await callMaker(await craftToken({ iat: now + 120, exp: now + 180 })), 401, 'peer-token-invalid', 'iat');
    await expectRefused(await callMaker(await craftToken({ iat: now, exp: now + 301 })), 401, 'peer-token-invalid', 'lifetime');
    // Within the 30 s skew: still accepted.
    expect((await callMaker(await craftToken({ iat: now - 80, exp: now - 20 }))).status).toBe(200);
  });

  test('a bad signature is refused', async () => {
    const token = await signPeerToken(dist.ctx, { audience: maker.ctx.participant, method: 'GET', path: WHOAMI });
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const altered = Buffer.from(JSON.stringify({ ...claims, iss: maker.ctx.participant })).toString('base64url');
    await expectRefused(await callMaker(`${header}.${altered}.${signature}`), 401, 'peer-token-invalid', 'signature');
  });

  test('a key that is not the one the registry holds for the issuer is refused', async () => {
    const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
    const jwk = await exportJWK(privateKey);
    const key = { privateKey, publicJwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x } };
    await expectRefused(await callMaker(await craftToken({}, { key })), 401, 'peer-token-invalid', 'key-thumbprint');
    // An issuer the registry does not know.
    await expectRefused(await callMaker(await craftToken({ iss: Wallet.createRandom().address.toLowerCase() }, { key })), 401, 'peer-token-invalid', 'registry');
  });

  test('no token, a malformed one, a header without the key or a staff token is 401 peer-token-invalid', async () => {
    await expectRefused(await callMaker(null), 401, 'peer-token-invalid', 'authorization');
    await expectRefused(await callMaker('not-a-jwt'), 401, 'peer-token-invalid', 'header');
    await expectRefused(await callMaker(maker.tokens.admin), 401, 'peer-token-invalid', 'header');
    await expectRefused(await callMaker(await craftToken({}, { header: { jwk: undefined } })), 401, 'peer-token-invalid', 'header');
    // alg none, and an HS256 token naming the caller.
    const claims = Buffer.from(JSON.stringify({ iss: dist.ctx.participant, aud: maker.ctx.participant })).toString('base64url');
    await expectRefused(await callMaker(`${Buffer.from('{"alg":"none"}').toString('base64url')}.${claims}.`), 401, 'peer-token-invalid', 'header');
    const hs = await new SignJWT({ iss: dist.ctx.participant }).setProtectedHeader({ alg: 'HS256', jwk: dist.ctx.signingKey.publicJwk }).sign(new Uint8Array(32));
    await expectRefused(await callMaker(hs), 401, 'peer-token-invalid', 'header');
  });

  test('expired token ids are pruned', async () => {
    const before = await maker.count('peer_token_jtis');
    expect(before).toBeGreaterThan(0);
    expect(await pruneJtis(maker.db.sql, new Date(Date.now() + 10 * 60_000))).toBe(before);
    expect(await maker.count('peer_token_jtis')).toBe(0);
  });
});

describe('peerFetch', () => {
  test('an unknown participant or one without an endpoint is PeerUnavailableError', async () => {
    const nobody = Wallet.createRandom().address;
    await expect(peerFetch(dist.ctx, nobody, WHOAMI)).rejects.toMatchObject({ name: 'PeerUnavailableError', reason: 'unknown-participant' });
    const error = await peerFetch(dist.ctx, nobody, WHOAMI).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PeerUnavailableError);
  });

  test('a node that does not answer in time is PeerUnavailableError (timeout); a closed port is (network)', async () => {
    const port = await freePort();
    const server = serve({ fetch: () => new Promise<Response>(() => undefined), port, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const directory = {
      ...dist.ctx.directory,
      get: async (address: string) => ({ ...(await dist.ctx.directory.get(address)), endpoint: `http://127.0.0.1:${port}` }),
    };
    try {
      await expect(peerFetch({ ...dist.ctx, directory }, maker.ctx.participant, WHOAMI, { timeoutMs: 300 })).rejects.toMatchObject({ reason: 'timeout' });
    } finally {
      (server as Server).closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await expect(peerFetch({ ...dist.ctx, directory }, maker.ctx.participant, WHOAMI)).rejects.toMatchObject({ reason: 'network' });
  });
});

describe('participant entry, key rotation, endpoint change', () => {
  test("GET /api/v1/participant: the node's registry entry, its key matching the registry, its prefixes and chain", async () => {
    const res = await dist.call('GET', '/api/v1/participant', { as: 'viewer' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & { signingKey: { thumbprint: string; matchesRegistry: boolean }; chain: Record<string, unknown> };
    expect(body).toMatchObject({
      address: dist.ctx.participant,
      name: 'Distributor',
      role: 'distributor',
      status: 'active',
      endpoint: dist.url,
      keyThumbprint: dist.ctx.signingKey.thumbprint,
      gs1CompanyPrefixes: ['9507000'],
      chain: { chainId: dist.ctx.chainId, registry: chain.deployment.registry, anchorLog: chain.deployment.anchorLog },
    });
    expect(body.signingKey).toMatchObject({ thumbprint: dist.ctx.signingKey.thumbprint, matchesRegistry: true });
  });

  test('a rotated key is picked up by the peer; a token signed with the old key is refused', async () => {
    // The maker has the distributor's entry (old thumbprint) in its cache.
    expect((await peerFetch(dist.ctx, maker.ctx.participant, WHOAMI)).status).toBe(200);
    const oldKey = { ...dist.ctx.signingKey };
    const refused = await dist.call('POST', '/api/v1/participant/rotate-key', { as: 'qa', body: {} });
    expect(refused.status).toBe(403);

    const res = await dist.call('POST', '/api/v1/participant/rotate-key', { body: { reason: 'yearly key rotation' } });
    expect(res.status, await res.clone().text()).toBe(200);
    const rotation = (await res.json()) as { previousThumbprint: string; thumbprint: string; txHash: string };
    expect(rotation.previousThumbprint).toBe(oldKey.thumbprint);
    expect(rotation.thumbprint).not.toBe(oldKey.thumbprint);
    expect(dist.ctx.signingKey.thumbprint).toBe(rotation.thumbprint);
    expect((await dist.ctx.directory.get(dist.ctx.participant, { fresh: true })).keyThumbprint).toBe(rotation.thumbprint);

    // Key files: the new one in place, the old one kept.
    const dataDir = dist.ctx.config.dataDir;
    const current = JSON.parse(fs.readFileSync(path.join(dataDir, 'signing-key.json'), 'utf8')) as JWK;
    const previous = JSON.parse(fs.readFileSync(path.join(dataDir, 'signing-key.previous.json'), 'utf8')) as JWK;
    expect(current.x).toBe(dist.ctx.signingKey.publicJwk.x);
    expect(previous.x).toBe(oldKey.publicJwk.x);
    expect(fs.existsSync(path.join(dataDir, 'signing-key.next.json'))).toBe(false);

    // The maker still caches the old thumbprint: it re-reads the registry once and accepts the new key.
    const after = await peerFetch(dist.ctx, maker.ctx.participant, WHOAMI);
    expect(after.status).toBe(200);
    expect(((await after.json()) as { caller: { keyThumbprint: string } }).caller.keyThumbprint).toBe(rotation.thumbprint);
    await expectRefused(await callMaker(await craftToken({}, { key: oldKey })), 401, 'peer-token-invalid', 'key-thumbprint');

    // In the audit trail, with the reason.
    const [entry] = await dist.db.sql<{ action: string; reason: string; after: { keyThumbprint: string } }[]>`
      select action, reason, after from audit_trail where action = 'participant.rotate_key'`;
    expect(entry).toMatchObject({ action: 'participant.rotate_key', reason: 'yearly key rotation', after: { keyThumbprint: rotation.thumbprint } });
  });

  test('a rotation interrupted after the registry transaction is finished at the next start; one that never reached the registry is dropped', async () => {
    const dataDir = dist.ctx.config.dataDir;
    const nextFile = path.join(dataDir, 'signing-key.next.json');
    const writeNext = async () => {
      const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
      const jwk = await exportJWK(privateKey);
      fs.writeFileSync(nextFile, JSON.stringify({ ...jwk, alg: 'EdDSA' }));
      return jwkThumbprintHex(jwk);
    };
    // Never sent: dropped, the current key stays.
    const current = fs.readFileSync(path.join(dataDir, 'signing-key.json'), 'utf8');
    await writeNext();
    expect(await finishPendingKeyRotation(dist.ctx.chain, dataDir)).toBe('discarded');
    expect(fs.existsSync(nextFile)).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, 'signing-key.json'), 'utf8')).toBe(current);

    // Sent, then the process died before swapping the files.
    const thumbprint = await writeNext();
    const registry = dist.ctx.chain.contracts.registry;
    await sendAndWait(dist.ctx.chain.wallet, { to: chain.deployment.registry, data: registry.interface.encodeFunctionData('rotateKey', [thumbprint]) });
    expect(await finishPendingKeyRotation(dist.ctx.chain, dataDir)).toBe('completed');
    expect(fs.existsSync(nextFile)).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, 'signing-key.previous.json'), 'utf8')).toBe(current);
    const loaded = await loadSigningKey(dataDir);
    expect(loaded.thumbprint).toBe(thumbprint);
    // The restarted node signs with it and is accepted.
    Object.assign(dist.ctx.signingKey, loaded);
    expect((await peerFetch(dist.ctx, maker.ctx.participant, WHOAMI)).status).toBe(200);
    expect(await finishPendingKeyRotation(dist.ctx.chain, dataDir)).toBe('none');
  });

  test('an endpoint change is picked up by the peer (a stale cached endpoint is re-read once)', async () => {
    const hits = { one: 0, two: 0 };
    const serveDist = async (name: keyof typeof hits) => {
      const port = await freePort();
      const server = serve({ fetch: (req) => (hits[name]++, dist.app.fetch(req)), port, hostname: '127.0.0.1' });
      await new Promise((resolve) => server.once('listening', resolve));
      return { server, url: `http://127.0.0.1:${port}` };
    };
    const close = (server: ReturnType<typeof serve>) => {
      (server as Server).closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    };
    const one = await serveDist('one');
    const two = await serveDist('two');
    try {
      expect((await dist.call('POST', '/api/v1/participant/endpoint', { body: { endpoint: 'ftp://x' } })).status).toBe(422);
      const res = await dist.call('POST', '/api/v1/participant/endpoint', { body: { endpoint: `${one.url}/` } });
      expect(res.status, await res.clone().text()).toBe(200);
      expect(await res.json()).toMatchObject({ previousEndpoint: dist.url, endpoint: one.url });
      maker.ctx.directory.forget(dist.ctx.participant);
      expect((await peerFetch(maker.ctx, dist.ctx.participant, WHOAMI)).status).toBe(200);
      expect(hits).toEqual({ one: 1, two: 0 });

      // Moved again; the old address stops answering while the maker still caches it.
      expect((await dist.call('POST', '/api/v1/participant/endpoint', { body: { endpoint: two.url } })).status).toBe(200);
      await close(one.server);
      const moved = await peerFetch(maker.ctx, dist.ctx.participant, WHOAMI);
      expect(moved.status).toBe(200);
      expect(hits).toEqual({ one: 1, two: 1 });
      expect((await maker.ctx.directory.get(dist.ctx.participant)).endpoint).toBe(two.url);
    } finally {
      await close(one.server).catch(() => undefined);
      await close(two.server);
      // Back where the test app serves.
      expect((await dist.call('POST', '/api/v1/participant/endpoint', { body: { endpoint: dist.url } })).status).toBe(200);
      maker.ctx.directory.forget();
    }
  });
});

describe('participant status', () => {
  test('a suspended caller is 403 participant-not-active; reinstated, it is accepted again', async () => {
    await asGovernor('suspend', dist.ctx.participant);
    maker.ctx.directory.forget(dist.ctx.participant); // past the directory's 5 s cache
    await expectRefused(await peerFetch(dist.ctx, maker.ctx.participant, WHOAMI), 403, 'participant-not-active');
    // Calling a suspended participant: unavailable, retry later.
    await expect(peerFetch(maker.ctx, dist.ctx.participant, WHOAMI)).rejects.toMatchObject({ name: 'PeerUnavailableError', reason: 'not-active' });
    // A suspended node cannot change its entry.
    await expectRefused(await dist.call('POST', '/api/v1/participant/rotate-key', { body: {} }), 409, 'participant-not-active');

    await asGovernor('reinstate', dist.ctx.participant);
    maker.ctx.directory.forget(dist.ctx.participant);
    expect((await peerFetch(dist.ctx, maker.ctx.participant, WHOAMI)).status).toBe(200);
  });

  test('a revoked caller is 403 participant-not-active', async () => {
    await asGovernor('revoke', dist.ctx.participant, 1);
    maker.ctx.directory.forget(dist.ctx.participant);
    const res = await peerFetch(dist.ctx, maker.ctx.participant, WHOAMI);
    const problem = await readProblem(res);
    expect(res.status).toBe(403);
    expect(problem).toMatchObject({ type: 'https://medtrace.dev/problems/participant-not-active', participantStatus: 'revoked' });
  });
});
