// The long-running commands as a user starts and stops them: `medtrace chain`,
// `medtrace node` and `medtrace demo` (what `npm start` runs), each stopped with
// Ctrl-C (SIGINT) and leaving nothing listening behind.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Contract, JsonRpcProvider } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBundle } from '../../sdk';
import { loadArtifact } from '../../node/chain/artifacts';
import { createServerDatabase, ensureArtifacts, freePort, seedEmbeddedDatabase, startTestChain, testServerUrl } from '../support';
import type { TestChain } from '../support';
import { type RunningCli, startMedtrace } from './run';

async function answers(url: string, init?: RequestInit): Promise<boolean> {
  try {
    await fetch(url, { ...init, signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

const rpcCall = (method: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params: [] }),
});

describe('medtrace chain', () => {
  let dir: string;
  let cli: RunningCli | undefined;
  beforeAll(() => {
    ensureArtifacts();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-cli-chain-'));
  });
  afterAll(async () => {
    await cli?.stop(); // Ctrl-C: the command stops what it started (a no-op when it already exited)
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts a Hardhat network, deploys the contracts, writes the deployment file and stops on Ctrl-C', async () => {
    const port = await freePort();
    cli = startMedtrace(['chain', '--port', String(port), '--dir', dir]);
    await cli.waitForOutput(/press Ctrl-C to stop/, 90_000);
    const deployment = JSON.parse(fs.readFileSync(path.join(dir, 'deployment.json'), 'utf8'));
    expect(deployment).toMatchObject({ chainId: 31337, rpcUrl: `http://127.0.0.1:${port}` });
    expect(cli.output()).toContain(deployment.anchorLog);

    const provider = new JsonRpcProvider(deployment.rpcUrl, undefined, { staticNetwork: true });
    try {
      for (const key of ['registry', 'anchorLog', 'recallBoard']) expect(await provider.getCode(deployment[key])).not.toBe('0x');
    } finally {
      provider.destroy();
    }

    expect(await cli.stop('SIGINT')).toBe(0);
    expect(cli.output()).toContain('stopping the chain');
    expect(await answers(deployment.rpcUrl, rpcCall('eth_chainId'))).toBe(false);
  });
});

describe('medtrace node', () => {
  let chain: TestChain;
  let dir: string;
  let dropDatabase: (() => Promise<void>) | undefined;
  let cli: RunningCli | undefined;
  beforeAll(async () => {
    chain = await startTestChain();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-cli-node-'));
  });
  afterAll(async () => {
    await cli?.stop(); // Ctrl-C: the command stops what it started (a no-op when it already exited)
    await dropDatabase?.();
    await chain?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts a node from its flags, registered on the local chain under the given name, and stops on Ctrl-C', async () => {
    const port = await freePort();
    const dataDir = path.join(dir, 'data');
    const args = ['node', '--port', String(port), '--data-dir', dataDir, '--rpc', chain.rpcUrl, '--deployment', chain.deploymentPath];
    args.push('--name', 'Distributor Süd', '--role', 'distributor', '--prefix', '40123470', '--log-level', 'warn');
    const server = testServerUrl();
    if (server) {
      const database = await createServerDatabase(server);
      dropDatabase = database.drop;
      args.push('--database-url', database.url);
    } else {
      await seedEmbeddedDatabase(dataDir); // initdb in WASM is slow: start from the migrated template
    }
    cli = startMedtrace(args, { env: { MEDTRACE_ADMIN_PASSWORD: 'cli-node-admin-1' } });

    const url = `http://127.0.0.1:${port}`;
    let ready: { status: string; participant: string } | undefined;
    const deadline = Date.now() + 90_000;
    while (!ready && Date.now() < deadline) {
      const res = await fetch(`${url}/ready`).catch(() => undefined);
      if (res?.ok) ready = (await res.json()) as typeof ready;
      else await new Promise((r) => setTimeout(r, 200));
    }
    expect(ready, cli.output()).toBeDefined();

    const registry = new Contract(chain.deployment.registry, loadArtifact('ParticipantRegistry').abi, chain.provider);
    const participant = await registry.getParticipant(ready!.participant);
    expect(participant.name).toBe('Distributor Süd');
    expect(Number(participant.role)).toBe(2);
    expect((await registry.prefixOwner('40123470')).toLowerCase()).toBe(ready!.participant.toLowerCase());

    expect(await cli.stop('SIGINT')).toBe(0);
    expect(await answers(`${url}/health`)).toBe(false);
  });
});

// The demo always runs on its embedded database: once per CI run is enough (the real-Postgres pass skips it).
describe.skipIf(Boolean(testServerUrl()))('medtrace demo (npm start)', () => {
  let dir: string;
  let cli: RunningCli | undefined;
  beforeAll(() => {
    ensureArtifacts();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-cli-demo-'));
  });
  afterAll(async () => {
    await cli?.stop(); // Ctrl-C: the command stops what it started (a no-op when it already exited)
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('commissions and anchors a lot, verifies and saves a unit bundle, prints what to open, and cleans up on Ctrl-C', async () => {
    const nodePort = await freePort();
    const chainPort = await freePort();
    cli = startMedtrace(['demo', '--dir', dir, '--port', String(nodePort), '--chain-port', String(chainPort), '--serials', '20']);
    await cli.waitForOutput(/medtrace demo is running[\s\S]*curl -s -H "authorization/, 300_000);
    const out = cli.output();
    const nodeUrl = `http://127.0.0.1:${nodePort}`;
    expect(out).toContain(`${nodeUrl}/docs`);
    expect(out).toMatch(/username admin, password demo-\S+/);
    expect(out).toContain('20 units, commissioning event seq 1');

    const bundleFile = out.match(/saved to (\S+\.json)/)![1];
    const bundle = JSON.parse(fs.readFileSync(path.resolve(bundleFile), 'utf8'));
    const provider = new JsonRpcProvider(`http://127.0.0.1:${chainPort}`, undefined, { staticNetwork: true });
    try {
      expect((await verifyBundle(bundle, { provider })).seq).toBe(1);
    } finally {
      provider.destroy();
    }
    expect((await fetch(`${nodeUrl}/docs`)).status).toBe(200);

    // Three companies, each a node of its own, registered on the chain and linked as partners.
    const companies = [...out.matchAll(/^ {2}(manufacturer|distributor|hospital) +(http:\/\/127\.0\.0\.1:\d+) +.*participant (0x[0-9a-f]{40})$/gm)];
    expect(companies.map((m) => m[1])).toEqual(['manufacturer', 'distributor', 'hospital']);
    expect(companies[0][2]).toBe(nodeUrl);
    for (const [, , url] of companies) expect((await fetch(`${url}/ready`)).status).toBe(200);
    expect(new Set(companies.map((m) => m[3])).size).toBe(3);
    expect(out).toMatch(/npx medtrace trace '\S+' --node http:\/\/127\.0\.0\.1:\d+ --user admin --password demo-\S+/);
    expect(out).toMatch(/npx medtrace recall --node http:\/\/127\.0\.0\.1:\d+ /);

    expect(await cli.stop('SIGINT')).toBe(0);
    expect(await answers(`${nodeUrl}/health`)).toBe(false);
    for (const [, , url] of companies) expect(await answers(`${url}/health`)).toBe(false);
    expect(await answers(`http://127.0.0.1:${chainPort}`, rpcCall('eth_chainId'))).toBe(false);
  }, 330_000);
});
