// Three companies end to end, each a node PROCESS on its own embedded database, on
// one real chain, talking over real HTTP: a manufacturer, a distributor and a
// hospital, partners of each other by participant address. The whole flow —
// commission, inspect, release (e-signature), order, FEFO allocation, scan-verified
// picking, shipping with the notice and its pedigree pushed node to node, receiving
// against verified evidence, incoming inspection and release, a second hand-over,
// dispensing — then the backward trace, re-verified by `medtrace trace` against the
// chain. Then the attacks, each refused at the HTTP layer: a node serving an altered
// event, a notice naming a unit its sender never received, a replayed peer token, an
// auditor token past its expiry or outside its scope, a partner's auditor token asking
// about goods it does not own, and a revoked participant.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Contract } from 'ethers';
import { SignJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gtinCheckDigit, toDigitalLink } from '../../sdk';
import { loadArtifact } from '../../node/chain/artifacts';
import { connectChain } from '../../node/chain/client';
import { loadSigningKey } from '../../node/chain/keys';
import { ensureRegistered } from '../../node/chain/register';
import { sendAndWait } from '../../node/chain/transactions';
import { loadConfig } from '../../node/config';
import { signPeerToken } from '../../node/peers/token';
import { freePort, seedEmbeddedDatabase, startTestChain, startTestNode, waitFor, TEST_ADMIN_PASSWORD, type TestChain, type TestNode } from '../support';
import { medtrace } from '../cli/run';

const P = 'https://medtrace.dev/problems/';
const MAKER_PREFIX = '9516000';
const gtinOf = (item: string) => {
  const first13 = `0${MAKER_PREFIX}${item}`;
  return `${first13}${gtinCheckDigit(first13)}`;
};
const GTIN = gtinOf('00001');
const COPY_GTIN = gtinOf('00002');
const LOT = 'E2E-LOT-1';
const COPY_LOT = 'E2E-COPY-1';
const glnOf = (body12: string) => `${body12}${gtinCheckDigit(body12)}`;
const inYears = (n: number) => `${new Date().getUTCFullYear() + n}-06-30`;

type Key = 'maker' | 'distributor' | 'hospital';
const SPECS: Array<{ key: Key; name: string; role: string; gln: string; prefix?: string }> = [
  { key: 'maker', name: 'E2E Maker', role: 'manufacturer', gln: glnOf('951600000001'), prefix: MAKER_PREFIX },
  { key: 'distributor', name: 'E2E Distributor', role: 'distributor', gln: glnOf('951700000001') },
  { key: 'hospital', name: 'E2E Hospital', role: 'hospital', gln: glnOf('951800000001') },
];

interface Company {
  key: Key;
  name: string;
  gln: string;
  node: TestNode;
  dir: string;
  participant: string;
}

let chain: TestChain;
let root: string;
const companies = {} as Record<Key, Company>;

async function ok<T = any>(res: Response, status: number | number[], what: string): Promise<T> {
  const statuses = Array.isArray(status) ? status : [status];
  if (!statuses.includes(res.status)) throw new Error(`${what}: expected ${statuses.join('|')}, got ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function problemOf(res: Response): Promise<{ status: number; type: string; detail: string }> {
  const body = (await res.json()) as { type: string; detail: string };
  return { status: res.status, type: body.type, detail: body.detail };
}

const call = (c: Company, pathname: string, body?: unknown, method?: string) => c.node.request(pathname, { body, method });

async function partner(c: Company, other: Company, as: 'customer' | 'supplier', code: string): Promise<number> {
  const created = await ok<{ id: number }>(
    await call(c, '/api/v1/partners', {
      code,
      name: other.name,
      ...(as === 'customer' ? { isCustomer: true, creditLimit: '1000000.00' } : { isSupplier: true }),
      gln: other.gln,
      participant: other.participant,
      certificates: [{ kind: as === 'customer' ? 'distribution_licence' : 'iso13485', number: `${code}-1`, validUntil: inYears(5) }],
      reason: 'network partner',
    }),
    201,
    `${c.key}: partner ${code}`,
  );
  return created.id;
}

const product = (gtin: string) => ({
  gtin,
  name: `E2E device ${gtin.slice(-4)}`,
  model: 'E2E',
  deviceClass: 'IIb',
  tracking: 'serial',
  registrationNumber: `REG-${gtin.slice(-5)}`,
  registrationExpiry: inYears(6),
  shelfLifeDays: 1095,
  reason: 'catalogue',
});

async function inspectAndRelease(c: Company, gtin: string, lot: string, kind: 'final' | 'incoming'): Promise<number> {
  const lotPath = `/api/v1/lots/${gtin}/${lot}`;
  await ok(await call(c, `${lotPath}/inspections`, { kind, result: 'pass', method: 'visual' }), 201, `${c.key}: inspect ${lot}`);
  const released = await ok<{ ledgerSeq: number }>(
    await call(c, `${lotPath}/release`, { signature: { username: 'admin', password: TEST_ADMIN_PASSWORD, meaning: 'released' } }),
    200,
    `${c.key}: release ${lot}`,
  );
  return released.ledgerSeq;
}

interface Shipped {
  shipmentId: number;
  ledgerSeq: number;
  units: Array<{ lot: string; serial: string }>;
}

async function sell(seller: Company, customerId: number, gtin: string, quantity: number): Promise<Shipped> {
  const order = await ok<{ id: number }>(await call(seller, '/api/v1/orders', { customerId, lines: [{ gtin, quantity, unitPrice: '10.00' }] }), 201, `${seller.key}: order`);
  const allocation = await ok<{ lines: Array<{ allocated: Array<{ lot: string; serial: string }> }> }>(
    await call(seller, `/api/v1/orders/${order.id}/allocations`, undefined, 'POST'),
    200,
    `${seller.key}: allocate`,
  );
  const units = allocation.lines.flatMap((l) => l.allocated);
  expect(units).toHaveLength(quantity);
  for (const u of units) {
    await ok(await call(seller, `/api/v1/orders/${order.id}/picks`, { scan: toDigitalLink({ gtin, lot: u.lot, serial: u.serial }) }), 201, `${seller.key}: pick ${u.serial}`);
  }
  const { shipment } = await ok<{ shipment: { id: number; ledgerSeq: number } }>(
    await call(seller, `/api/v1/orders/${order.id}/shipments`, undefined, 'POST'),
    201,
    `${seller.key}: ship`,
  );
  return { shipmentId: shipment.id, ledgerSeq: shipment.ledgerSeq, units };
}

interface NoticeSummary {
  id: number;
  sender: string;
  senderShipmentId: number;
  status: 'verified' | 'failed';
  lineCount: number;
  blockedLines: number;
}

async function noticeAt(receiver: Company, sender: Company, shipmentId: number): Promise<NoticeSummary> {
  return waitFor(
    async () => {
      const page = await ok<{ items: NoticeSummary[] }>(await call(receiver, `/api/v1/notices?sender=${sender.participant}`), 200, 'notices');
      return page.items.find((n) => n.senderShipmentId === shipmentId);
    },
    90_000,
    `${sender.key}'s notice of shipment ${shipmentId} at the ${receiver.key}`,
  );
}

async function receiveAll(receiver: Company, notice: NoticeSummary, gtin: string, units: Shipped['units']) {
  return ok<{ ledgerSeq: number | null; lines: Array<{ serial: string | null; outcome: string; reason: string | null }> }>(
    await call(receiver, `/api/v1/notices/${notice.id}/receipts`, { scans: units.map((u) => toDigitalLink({ gtin, lot: u.lot, serial: u.serial })), close: true }),
    [200, 201],
    `${receiver.key}: receipt`,
  );
}

/** A peer token signed with `from`'s own signing key (read from its data folder), as its node would send it. */
async function peerToken(from: Company, to: Company, method: string, pathname: string): Promise<string> {
  const signingKey = await loadSigningKey(from.dir);
  return signPeerToken({ participant: from.participant, signingKey }, { audience: to.participant, method, path: pathname });
}

beforeAll(async () => {
  chain = await startTestChain();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-e2e-'));
  // Registered one after the other from here (one governor key), then the three processes start side by side.
  const prepared = [];
  for (const spec of SPECS) {
    const dir = path.join(root, spec.key);
    const port = await freePort();
    const env = {
      DATA_DIR: dir,
      CHAIN_RPC_URL: chain.rpcUrl,
      CHAIN_DEPLOYMENT: chain.deploymentPath,
      PARTICIPANT_NAME: spec.name,
      PARTICIPANT_ROLE: spec.role,
      PARTICIPANT_GLN: spec.gln,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...(spec.prefix ? { GS1_COMPANY_PREFIX: spec.prefix } : {}),
    };
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    const client = await connectChain(config);
    try {
      expect((await ensureRegistered(client, config)).status).toBe('active');
      prepared.push({ spec, dir, port, env, participant: client.address });
    } finally {
      client.close();
    }
    await seedEmbeddedDatabase(dir);
  }
  const nodes = await Promise.all(
    prepared.map(({ dir, port, env }) =>
      startTestNode({ chain, dataDir: dir, port, timeoutMs: 180_000, env: { ...env, ANCHOR_MAX_AGE_MS: '200', LOG_LEVEL: 'warn' } }),
    ),
  );
  prepared.forEach(({ spec, dir, participant }, i) => {
    companies[spec.key] = { key: spec.key, name: spec.name, gln: spec.gln, node: nodes[i], dir, participant };
  });
}, 300_000);

afterAll(async () => {
  await Promise.all(Object.values(companies).map((c) => c.node.kill()));
  await chain?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

describe('three companies, three node processes, one chain', () => {
  const ids = {} as { makerDistributor: number; distributorHospital: number };
  let toDistributor: Shipped;
  let toHospital: Shipped;
  let dispensed: { lot: string; serial: string };

  it('the maker commissions, inspects and releases a lot; the companies know each other by participant address', async () => {
    const { maker, distributor, hospital } = companies;
    for (const c of [maker, distributor, hospital]) await ok(await call(c, '/api/v1/products', product(GTIN)), 201, `${c.key}: product`);
    await ok(
      await call(maker, '/api/v1/lots', { gtin: GTIN, lot: LOT, productionDate: '2026-01-10', expiry: inYears(3), serialCount: 12, serialPrefix: 'E' }),
      201,
      'commission',
    );
    await inspectAndRelease(maker, GTIN, LOT, 'final');
    ids.makerDistributor = await partner(maker, distributor, 'customer', 'DIST');
    await partner(distributor, maker, 'supplier', 'MAKER');
    ids.distributorHospital = await partner(distributor, hospital, 'customer', 'HOSP');
    await partner(hospital, distributor, 'supplier', 'DIST');
  });

  it('maker → distributor: shipped by scan, the notice with its pedigree verified on arrival, received against it, inspected, released', async () => {
    const { maker, distributor } = companies;
    toDistributor = await sell(maker, ids.makerDistributor, GTIN, 4);
    const notice = await noticeAt(distributor, maker, toDistributor.shipmentId);
    expect(notice).toMatchObject({ status: 'verified', lineCount: 4, blockedLines: 0 });
    const receipt = await receiveAll(distributor, notice, GTIN, toDistributor.units);
    expect(receipt.lines.map((l) => l.outcome)).toEqual(['booked', 'booked', 'booked', 'booked']);
    expect(receipt.ledgerSeq).toEqual(expect.any(Number));
    await inspectAndRelease(distributor, GTIN, LOT, 'incoming');
  });

  it('distributor → hospital: the second hand-over, verified back to the maker; one unit dispensed', async () => {
    const { distributor, hospital } = companies;
    toHospital = await sell(distributor, ids.distributorHospital, GTIN, 2);
    const notice = await noticeAt(hospital, distributor, toHospital.shipmentId);
    expect(notice).toMatchObject({ status: 'verified', lineCount: 2, blockedLines: 0 });
    const receipt = await receiveAll(hospital, notice, GTIN, toHospital.units);
    expect(receipt.lines.every((l) => l.outcome === 'booked')).toBe(true);
    await inspectAndRelease(hospital, GTIN, LOT, 'incoming');
    dispensed = toHospital.units[0];
    await ok(await call(hospital, '/api/v1/dispensations', { scan: toDigitalLink({ gtin: GTIN, lot: dispensed.lot, serial: dispensed.serial }) }), [200, 201], 'dispense');
  });

  it("`medtrace trace` re-verifies the unit's history through the three companies against the chain", async () => {
    const { hospital } = companies;
    const udi = toDigitalLink({ gtin: GTIN, lot: dispensed.lot, serial: dispensed.serial });
    const trace = await waitFor(
      async () => {
        const t = await ok<{ verified: boolean; hops: Array<{ participant: string; bizStep: string }> }>(
          await call(hospital, `/api/v1/trace/unit?udi=${encodeURIComponent(udi)}`),
          200,
          'trace',
        );
        return t.verified && t.hops.some((h) => h.bizStep === 'dispensing') ? t : undefined;
      },
      60_000,
      'a verified trace ending in dispensing',
    );
    const participants = [...new Set(trace.hops.map((h) => h.participant))];
    expect(participants).toEqual([companies.maker.participant, companies.distributor.participant, hospital.participant]);

    const cli = await medtrace(['trace', udi, '--node', hospital.node.url, '--user', 'admin', '--password', TEST_ADMIN_PASSWORD, '--deployment', chain.deploymentPath, '--json'], {
      timeoutMs: 60_000,
    });
    expect(cli.code, cli.stderr).toBe(0);
    const checked = JSON.parse(cli.stdout) as { verified: boolean; hops: Array<{ participant: string; bizStep: string; check: { verified: boolean } }> };
    expect(checked.verified).toBe(true);
    expect(checked.hops.length).toBe(trace.hops.length);
    expect(checked.hops.every((h) => h.check.verified)).toBe(true);
    expect(checked.hops.map((h) => h.bizStep)).toEqual(expect.arrayContaining(['commissioning', 'shipping', 'receiving', 'dispensing']));
  });

  it('attack: a node serving an altered event — `medtrace trace` refuses the history (exit 1, the hop named)', async () => {
    const { hospital } = companies;
    // A man in the middle (or a dishonest node) changes the distributor's shipping event in the answer.
    const server = http.createServer((req, res) => {
      void (async () => {
        const upstream = await fetch(`${hospital.node.url}${req.url}`, { method: req.method, headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' }, body: req.method === 'POST' ? await readBody(req) : undefined });
        let text = await upstream.text();
        if (req.url?.startsWith('/api/v1/trace/unit')) {
          const answer = JSON.parse(text) as { bundles: Array<{ envelope: { participant: string; event: Record<string, unknown> } }> };
          const victim = answer.bundles.find((b) => b.envelope.participant === companies.distributor.participant && b.envelope.event.bizStep === 'shipping');
          victim!.envelope.event.eventTime = '2020-01-01T00:00:00.000Z';
          text = JSON.stringify(answer);
        }
        res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        res.end(text);
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const udi = toDigitalLink({ gtin: GTIN, lot: dispensed.lot, serial: dispensed.serial });
      const cli = await medtrace(['trace', udi, '--node', url, '--user', 'admin', '--password', TEST_ADMIN_PASSWORD, '--deployment', chain.deploymentPath], { timeoutMs: 60_000 });
      expect(cli.code).toBe(1);
      expect(cli.stderr).toMatch(/E2E Distributor .*shipping .*REFUSED: [A-Z_]+/);
      expect(cli.stderr).toMatch(/NOT verified: 1 of \d+ events refused/);
    } finally {
      server.close();
    }
  });

  it('attack: a notice naming a unit its sender never received is blocked at the receiver, and nothing of it can be booked', async () => {
    const { maker, distributor, hospital } = companies;
    // The maker's genuine lot of a second product: released, never shipped to anyone.
    for (const c of [maker, distributor]) await ok(await call(c, '/api/v1/products', product(COPY_GTIN)), 201, `${c.key}: product 2`);
    await ok(
      await call(maker, '/api/v1/lots', { gtin: COPY_GTIN, lot: COPY_LOT, productionDate: '2026-02-01', expiry: inYears(3), serials: ['C1', 'C2', 'C3'] }),
      201,
      'commission lot 2',
    );
    await inspectAndRelease(maker, COPY_GTIN, COPY_LOT, 'final');
    // The distributor books a copy of serial C2 as opening stock (it never received it from the maker),
    // releases it and sells it to the hospital: its node ships it with a notice, as for any shipment.
    const csv = `gtin,lot,productionDate,expiry,serial\n${COPY_GTIN},${COPY_LOT},2026-02-01,${inYears(3)},C2\n`;
    await ok(await distributor.node.request('/api/v1/imports/opening-stock', { method: 'POST', body: csv, headers: { 'content-type': 'text/csv' } }), [200, 201], 'opening stock');
    await inspectAndRelease(distributor, COPY_GTIN, COPY_LOT, 'incoming');
    const copied = await sell(distributor, ids.distributorHospital, COPY_GTIN, 1);
    await ok(await call(hospital, '/api/v1/products', product(COPY_GTIN)), 201, 'hospital: product 2');

    const notice = await noticeAt(hospital, distributor, copied.shipmentId);
    expect(notice).toMatchObject({ status: 'failed', lineCount: 1, blockedLines: 1 });
    const detail = await ok<{ lines: Array<{ serial: string | null; verdict: string; reason: string | null }> }>(await call(hospital, `/api/v1/notices/${notice.id}`), 200, 'notice');
    expect(detail.lines[0]).toMatchObject({ serial: 'C2', verdict: 'blocked' });
    expect(['unit-not-received-by-sender', 'no-commissioning-evidence']).toContain(detail.lines[0].reason);

    const receipt = await receiveAll(hospital, notice, COPY_GTIN, copied.units);
    expect(receipt.lines.map((l) => l.outcome)).toEqual(['blocked']);
    expect(receipt.ledgerSeq).toBeNull();
    const stock = await hospital.node.request(`/api/v1/stock/units/${COPY_GTIN}/C2`);
    expect(stock.status === 404 || ((await stock.json()) as { state?: string }).state !== 'on_hand').toBe(true);
  });

  it('attack: a replayed peer token is refused (401 peer-token-replayed)', async () => {
    const { maker, distributor } = companies;
    const token = await peerToken(maker, distributor, 'GET', '/peer/v1/whoami');
    const first = await fetch(`${distributor.node.url}/peer/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(first.status).toBe(200);
    const again = await problemOf(await fetch(`${distributor.node.url}/peer/v1/whoami`, { headers: { authorization: `Bearer ${token}` } }));
    expect(again).toMatchObject({ status: 401, type: `${P}peer-token-replayed` });
  });

  it('attack: an auditor token past its expiry or outside its scope is refused', async () => {
    const { maker } = companies;
    const issued = await ok<{ token: string }>(await call(maker, '/api/v1/auditor-tokens', { auditor: 'Notified Body 0123', scopes: ['ledger'], expiresInHours: 1 }), 201, 'auditor token');
    const ledger = await fetch(`${maker.node.url}/audit/v1/events/1`, { headers: { authorization: `Bearer ${issued.token}` } });
    expect(ledger.status).toBe(200);
    const report = await problemOf(await fetch(`${maker.node.url}/audit/v1/report`, { headers: { authorization: `Bearer ${issued.token}` } }));
    expect(report).toMatchObject({ status: 403, type: `${P}auditor-scope` });

    // The same token (same jti, the maker's key) with its expiry already passed.
    const claims = decodeJwt(issued.token);
    const signingKey = await loadSigningKey(maker.dir);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ scope: claims.scope, ...(claims.gtins ? { gtins: claims.gtins } : {}) })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', jwk: signingKey.publicJwk })
      .setIssuer(String(claims.iss))
      .setSubject(String(claims.sub))
      .setAudience(String(claims.aud))
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .setJti(String(claims.jti))
      .sign(signingKey.privateKey);
    const late = await problemOf(await fetch(`${maker.node.url}/audit/v1/events/1`, { headers: { authorization: `Bearer ${expired}` } }));
    expect(late).toMatchObject({ status: 401, type: `${P}auditor-token-expired` });
  });

  it("attack: a partner's auditor token asking about goods it does not own, or about another node's ledger, is refused", async () => {
    const { maker, distributor, hospital } = companies;
    // The hospital (not the GTIN's owner) asks the distributor where the maker's lot went.
    const hospitals = await ok<{ token: string }>(await call(hospital, '/api/v1/auditor-tokens', { auditor: 'hospital QA', scopes: ['trace', 'ledger'], expiresInHours: 1 }), 201, 'hospital token');
    const forward = await fetch(`${distributor.node.url}/audit/v1/trace/forward?gtin=${GTIN}&lot=${LOT}`, { headers: { authorization: `Bearer ${hospitals.token}` } });
    expect(forward.status).toBe(403);
    // … and reads the maker's ledger with it.
    const ledger = await problemOf(await fetch(`${maker.node.url}/audit/v1/events/1`, { headers: { authorization: `Bearer ${hospitals.token}` } }));
    expect(ledger).toMatchObject({ status: 403, type: `${P}auditor-foreign-token` });
    // The owner's own auditor token is accepted downstream for its GTIN (the control).
    const makers = await ok<{ token: string }>(await call(maker, '/api/v1/auditor-tokens', { auditor: 'maker recall team', scopes: ['trace'], expiresInHours: 1, gtins: [GTIN] }), 201, 'maker token');
    const allowed = await fetch(`${distributor.node.url}/audit/v1/trace/forward?gtin=${GTIN}&lot=${LOT}`, { headers: { authorization: `Bearer ${makers.token}` } });
    expect(allowed.status).toBe(200);
  });

  it('attack: a revoked participant is refused by its peers (403 participant-not-active)', async () => {
    const { distributor, hospital } = companies;
    const registry = new Contract(chain.deployment.registry, loadArtifact('ParticipantRegistry').abi, chain.governor);
    const batches = Number(await new Contract(chain.deployment.anchorLog, loadArtifact('AnchorLog').abi, chain.provider).batchCount(hospital.participant));
    await sendAndWait(chain.governor, await registry.revoke.populateTransaction(hospital.participant, batches));
    // The directory caches registry entries for 5 s.
    const refused = await waitFor(
      async () => {
        const token = await peerToken(hospital, distributor, 'GET', '/peer/v1/whoami');
        const res = await fetch(`${distributor.node.url}/peer/v1/whoami`, { headers: { authorization: `Bearer ${token}` } });
        return res.status === 403 ? problemOf(res) : undefined;
      },
      20_000,
      'the revoked hospital refused',
    );
    expect(refused.type).toBe(`${P}participant-not-active`);
  });
});

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}
