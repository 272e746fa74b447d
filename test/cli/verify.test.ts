// `medtrace verify` and `medtrace register` against a real Hardhat chain and a
// real node: a bundle fetched over HTTP and saved to a file verifies; any change
// to it is refused with the SDK's code; the governor registers a company.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Contract, Wallet } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gtinCheckDigit, unitUri } from '../../sdk';
import { loadArtifact } from '../../node/chain/artifacts';
import { createServerDatabase, startTestChain, startTestNode, testServerUrl, waitFor } from '../support';
import type { TestChain, TestNode } from '../support';
import { medtrace } from './run';

const PREFIX = '4012345';
const first13 = `0${PREFIX}00007`;
const GTIN = `${first13}${gtinCheckDigit(first13)}`;

describe('medtrace verify and register on a real chain', () => {
  let chain: TestChain;
  let node: TestNode;
  let dropDatabase: (() => Promise<void>) | undefined;
  let dir: string;
  let bundleFile: string;
  let answer: { status: string; bundle: Record<string, any> };
  const unit = unitUri(GTIN, 'CLI000003');

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-cli-verify-'));
    chain = await startTestChain();
    const server = testServerUrl();
    const database = server ? await createServerDatabase(server) : undefined;
    dropDatabase = database?.drop;
    node = await startTestNode({
      chain,
      databaseUrl: database?.url,
      env: { GS1_COMPANY_PREFIX: PREFIX, ANCHOR_MAX_AGE_MS: '200', LOG_LEVEL: 'warn' },
    });
    const product = await node.request('/api/v1/products', { body: { gtin: GTIN, name: 'CLI test device', model: 'C-1', deviceClass: 'I' } });
    expect(product.status).toBe(201);
    const lot = await node.request('/api/v1/lots', {
      body: { gtin: GTIN, lot: 'CLI1', productionDate: '2026-01-10', expiry: '2028-01-31', serialCount: 5, serialPrefix: 'CLI' },
    });
    expect(lot.status).toBe(201);
    const { ledgerSeq } = (await lot.json()) as { ledgerSeq: number };
    answer = await waitFor(async () => {
      const res = await node.request(`/audit/v1/events/${ledgerSeq}?unit=${encodeURIComponent(unit)}`);
      return res.status === 200 ? ((await res.json()) as typeof answer) : undefined;
    }, 60_000, 'the commissioning event to be anchored');
    bundleFile = path.join(dir, 'bundle.json');
    fs.writeFileSync(bundleFile, JSON.stringify(answer.bundle, null, 2));
  });

  afterAll(async () => {
    await node?.stop();
    await dropDatabase?.();
    await chain?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('verifies a saved bundle against the chain: exit 0, printing the seq, batch, block and unit', async () => {
    const result = await medtrace(['verify', bundleFile, '--rpc', chain.rpcUrl]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { seq, participant } = answer.bundle.envelope;
    const { batch, blockNumber } = answer.bundle.anchor;
    expect(result.stdout).toContain(`verified: event ${seq} of participant ${participant}`);
    expect(result.stdout).toContain(`batch ${batch} `);
    expect(result.stdout).toContain(`block ${blockNumber}`);
    expect(result.stdout).toContain(unit);
  });

  it("accepts the node's whole answer and finds the chain through the deployment file", async () => {
    const file = path.join(dir, 'answer.json');
    fs.writeFileSync(file, JSON.stringify(answer));
    const result = await medtrace(['verify', file, '--deployment', chain.deploymentPath, '--json']);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed).toMatchObject({ verified: true, seq: answer.bundle.envelope.seq, units: [unit] });
  });

  it.each([
    ['the salt', (b: any) => (b.salt = flipLastHexDigit(b.salt)), 'INCLUSION_FAILED'],
    ['the seq', (b: any) => (b.envelope.seq += 1), 'RANGE_MISMATCH'],
    ['the transaction hash', (b: any) => (b.anchor.txHash = flipLastHexDigit(b.anchor.txHash)), 'TX_MISMATCH'],
    ['the disclosed unit', (b: any) => (b.units[0].uri = unitUri(GTIN, 'CLI000004')), 'UNIT_NOT_IN_SET'],
  ])('refuses a bundle with %s changed: exit 1 with the code', async (_what, tamper, code) => {
    const bundle = structuredClone(answer.bundle);
    tamper(bundle);
    const file = path.join(dir, `tampered-${code}.json`);
    fs.writeFileSync(file, JSON.stringify(bundle));
    const result = await medtrace(['verify', file, '--rpc', chain.rpcUrl]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^refused: ${code}\\b`, 'm'));
  });

  it('with a deployment file, refuses a bundle naming another AnchorLog as CHAIN_MISMATCH; a bare --rpc pins nothing', async () => {
    const bundle = structuredClone(answer.bundle);
    bundle.anchor.anchorLog = chain.deployment.registry.toLowerCase();
    const file = path.join(dir, 'other-anchorlog.json');
    fs.writeFileSync(file, JSON.stringify(bundle));
    const pinned = await medtrace(['verify', file, '--deployment', chain.deploymentPath]);
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toMatch(/^refused: CHAIN_MISMATCH \(anchor\.anchorLog\)/m);
    const unpinned = await medtrace(['verify', file, '--rpc', chain.rpcUrl]);
    expect(unpinned.code).toBe(1);
    expect(unpinned.stderr).toMatch(/^refused: BATCH_NOT_FOUND\b/m);
  });

  it('registers a participant with its prefix from the governor key of the local deployment', async () => {
    const company = Wallet.createRandom();
    const result = await medtrace([
      'register',
      '--deployment', chain.deploymentPath,
      '--address', company.address,
      '--name', 'Hospital Nord',
      '--role', 'hospital',
      '--gln', '4012345000009',
      '--endpoint', 'https://nord.example',
      '--thumbprint', `0x${'ab'.repeat(32)}`,
      '--prefix', '40123460',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`registered ${company.address} as hospital`);
    const registry = new Contract(chain.deployment.registry, loadArtifact('ParticipantRegistry').abi, chain.provider);
    const stored = await registry.getParticipant(company.address);
    expect(stored.name).toBe('Hospital Nord');
    expect(Number(stored.role)).toBe(3);
    expect(stored.endpoint).toBe('https://nord.example');
    expect((await registry.prefixOwner('40123460')).toLowerCase()).toBe(company.address.toLowerCase());

    const again = await medtrace(['register', '--deployment', chain.deploymentPath, '--address', company.address, '--name', 'x', '--role', 'other', '--thumbprint', `0x${'cd'.repeat(32)}`]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/the registry refused: ParticipantRegistry\w+\(/);
  });
});

function flipLastHexDigit(hex: string): string {
  const last = hex[hex.length - 1];
  return hex.slice(0, -1) + (last === '0' ? '1' : '0');
}
