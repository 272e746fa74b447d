// The node on a chain with Besu QBFT's habits (test/support/besuProxy.ts in front of
// a zero-base-fee Hardhat node): the contracts deployed with `medtrace chain
// --deploy-only`, the participant registered by the governor with `medtrace register`
// (no governor key in the deployment file, as in production), the node's chain key
// from an encrypted keystore; it anchors with zero-price, explicit-gas transactions, finds
// its batches again and reads the RecallBoard (recall watcher) by paging eth_getLogs over
// more than 1,000 blocks, and quarantines the lot of a recall it published.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Contract, JsonRpcProvider, Wallet, encryptKeystoreJson } from 'ethers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gtinCheckDigit, unitUri, verifyBundle } from '../../sdk';
import { findAnchoredEvent } from '../../node/chain/anchorLog';
import { loadArtifact } from '../../node/chain/artifacts';
import { readDeployment } from '../../node/chain/deployment';
import { HARDHAT_ACCOUNT_0_KEY } from '../../node/chain/localChain';
import { queryLogsPaged } from '../../node/chain/logs';
import { sendAndWait } from '../../node/chain/transactions';
import { startTestChain, startTestNode, waitFor, TEST_ADMIN_PASSWORD, type TestChain, type TestNode } from '../support';
import { BESU_RANGE_ERROR, BESU_SEND_TX_ERROR, IMPLICIT_GAS_LIMIT_ERROR, NON_ZERO_GAS_PRICE_ERROR, startBesuProxy, type BesuProxy } from '../support/besuProxy';
import { medtrace } from '../cli/run';

const PREFIX = '9508000';
const gtin = (() => {
  const first13 = `0${PREFIX}00001`;
  return `${first13}${gtinCheckDigit(first13)}`;
})();

async function rpc(url: string, method: string, params: unknown[] = []): Promise<{ result?: unknown; error?: { code: number; message: string } }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  return (await res.json()) as never;
}

describe('a node on a chain with Besu QBFT habits', () => {
  let chain: TestChain;
  let proxy: BesuProxy;
  let provider: JsonRpcProvider;
  let dir: string;
  let node: TestNode | undefined;

  beforeAll(async () => {
    chain = await startTestChain({ zeroFee: true });
    proxy = await startBesuProxy({ upstream: chain.rpcUrl });
    provider = new JsonRpcProvider(proxy.url, chain.deployment.chainId, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 50 });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-besu-'));
  }, 120_000);

  afterAll(async () => {
    await node?.kill();
    provider?.destroy();
    await proxy?.stop();
    await chain?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses what Besu refuses: wide log queries, unsigned and priced transactions, a bare gas estimate', async () => {
    expect((await rpc(proxy.url, 'eth_gasPrice')).result).toBe('0x0');
    await rpc(proxy.url, 'hardhat_mine', ['0x4b0']); // 1,200 blocks
    const wide = await rpc(proxy.url, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: 'latest' }]);
    expect(wide.error).toEqual(BESU_RANGE_ERROR);
    const narrow = await rpc(proxy.url, 'eth_getLogs', [{ fromBlock: '0x0', toBlock: '0x3e7' }]); // exactly 1,000 blocks
    expect(narrow.error).toBeUndefined();

    const governor = new Wallet(HARDHAT_ACCOUNT_0_KEY, provider);
    const unsigned = await rpc(proxy.url, 'eth_sendTransaction', [{ from: governor.address, to: governor.address, value: '0x1' }]);
    expect(unsigned.error).toEqual(BESU_SEND_TX_ERROR);

    const base = { to: Wallet.createRandom().address, value: 1n, chainId: chain.deployment.chainId, nonce: await provider.getTransactionCount(governor.address) };
    const priced = await governor.signTransaction({ ...base, type: 0, gasPrice: 1_000_000_000n, gasLimit: 30_000n });
    expect((await rpc(proxy.url, 'eth_sendRawTransaction', [priced])).error).toEqual(NON_ZERO_GAS_PRICE_ERROR);
    const eip1559 = await governor.signTransaction({ ...base, type: 2, maxFeePerGas: 1n, maxPriorityFeePerGas: 1n, gasLimit: 30_000n });
    expect((await rpc(proxy.url, 'eth_sendRawTransaction', [eip1559])).error).toEqual(NON_ZERO_GAS_PRICE_ERROR);
    const estimate = await provider.estimateGas({ from: governor.address, to: base.to, value: 1n });
    const bare = await governor.signTransaction({ ...base, type: 0, gasPrice: 0n, gasLimit: estimate });
    expect((await rpc(proxy.url, 'eth_sendRawTransaction', [bare])).error).toEqual(IMPLICIT_GAS_LIMIT_ERROR);

    // The node's way (sendAndWait: zero price, estimate + margin) goes through.
    const sent = await sendAndWait(governor, { to: base.to, value: 1n });
    expect(sent.blockNumber).toBeGreaterThan(1200);
    expect(proxy.refusals.map((r) => r.code)).toEqual([-32005, -32604, -32009, -32009, -32000]);
  });

  it('deploys with `medtrace chain --deploy-only`, registers with `medtrace register`, runs a node from an encrypted keystore that anchors (verified), pages eth_getLogs over > 1,000 blocks and quarantines a recall', async () => {
    const refusedBefore = proxy.refusals.length;
    const deployDir = path.join(dir, 'deploy');
    const deployed = await medtrace(['chain', '--deploy-only', '--rpc', proxy.url, '--dir', deployDir], {
      env: { MEDTRACE_GOVERNOR_KEY: HARDHAT_ACCOUNT_0_KEY },
      timeoutMs: 120_000,
    });
    expect(deployed.code, deployed.stderr).toBe(0);
    const deploymentPath = path.join(deployDir, 'deployment.json');
    const deployment = readDeployment(deploymentPath);
    expect(deployment.governor.privateKey).toBeUndefined();
    expect(deployment.rpcUrl).toBe(proxy.url);

    // The participant's chain key: an encrypted keystore, as an operator keeps it.
    const key = Wallet.createRandom();
    const keystore = path.join(dir, 'maker-key.json');
    fs.writeFileSync(keystore, await encryptKeystoreJson({ address: key.address, privateKey: key.privateKey }, 'keystore-pass-1', { scrypt: { N: 1 << 12 } }));
    const keyEnv = { CHAIN_KEYSTORE: keystore, CHAIN_KEYSTORE_PASSWORD: 'keystore-pass-1' };
    const dataDir = path.join(dir, 'maker');
    const identity = await medtrace(['identity', '--data-dir', dataDir, '--json'], { env: keyEnv });
    expect(identity.code, identity.stderr).toBe(0);
    const { address, thumbprint } = JSON.parse(identity.stdout) as { address: string; thumbprint: string };
    expect(address).toBe(key.address);

    const registered = await medtrace(
      ['register', '--deployment', deploymentPath, '--governor-key', HARDHAT_ACCOUNT_0_KEY, '--address', address, '--name', 'Besu Maker', '--role', 'manufacturer', '--thumbprint', thumbprint, '--prefix', PREFIX],
      { timeoutMs: 60_000 },
    );
    expect(registered.code, registered.stderr).toBe(0);

    node = await startTestNode({
      chain: { rpcUrl: proxy.url, deploymentPath },
      dataDir,
      env: { ...keyEnv, PARTICIPANT_NAME: 'Besu Maker', GS1_COMPANY_PREFIX: PREFIX, ANCHOR_MAX_AGE_MS: '0' },
      timeoutMs: 120_000,
    });
    expect((await (await fetch(`${node.url}/ready`)).json()).participant.toLowerCase()).toBe(address.toLowerCase());

    const product = await node.request('/api/v1/products', { body: { gtin, name: 'Besu test device', model: 'B-1', deviceClass: 'IIa', shelfLifeDays: 730, reason: 'test' } });
    expect(product.status, await product.clone().text()).toBe(201);
    const commission = async (lot: string, serialPrefix: string) => {
      const res = await node!.request('/api/v1/lots', { body: { gtin, lot, productionDate: '2026-01-10', expiry: '2028-01-31', serialCount: 5, serialPrefix } });
      expect(res.status, await res.clone().text()).toBe(201);
      return (await res.json()) as { ledgerSeq: number };
    };
    const bundleOf = (seq: number, unit: string) =>
      waitFor(async () => {
        const res = await node!.request(`/audit/v1/events/${seq}?unit=${encodeURIComponent(unit)}`);
        return res.status === 200 ? ((await res.json()) as { bundle: never }).bundle : undefined;
      }, 60_000, `event ${seq} anchored`);

    const first = await commission('BESU-1', 'BS');
    const firstUnit = unitUri(gtin, 'BS000001');
    const firstBundle = await bundleOf(first.ledgerSeq, firstUnit);
    const verified = await verifyBundle(firstBundle, { provider });
    expect(verified.participant).toBe(address.toLowerCase());
    expect(verified.batch).toBe(0);

    // More than 1,000 blocks later: the first batch is found again by paging eth_getLogs back.
    const beforeMining = proxy.logQueries.length;
    await rpc(proxy.url, 'hardhat_mine', ['0x5dc']); // 1,500 blocks
    // The node's recall watcher (polling each second) now reads 1,500+ new blocks: in full 1,000-block pages.
    await waitFor(async () => proxy.logQueries.slice(beforeMining).some((q) => q.to - q.from + 1 === 1000), 30_000, 'the watcher paging eth_getLogs');
    const second = await commission('BESU-2', 'BT');
    const secondBundle = await bundleOf(second.ledgerSeq, unitUri(gtin, 'BT000001'));
    expect((await verifyBundle(secondBundle, { provider })).batch).toBeGreaterThan(0);
    const anchorLog = new Contract(deployment.anchorLog, loadArtifact('AnchorLog').abi, provider);
    const found = await findAnchoredEvent(anchorLog, address, 0, deployment.deployBlock);
    expect(found?.blockNumber).toBe(verified.blockNumber);
    const head = await provider.getBlockNumber();
    expect(head - deployment.deployBlock).toBeGreaterThan(1000);
    const all = await queryLogsPaged(anchorLog, anchorLog.filters.Anchored(address), deployment.deployBlock, head);
    expect(all.length).toBeGreaterThanOrEqual(2);
    await expect(anchorLog.queryFilter(anchorLog.filters.Anchored(address), deployment.deployBlock, head)).rejects.toThrow(/exceeds maximum RPC range/);

    // A recall published now: the node's recall watcher reads the RecallBoard's logs since its
    // cursor (more than 1,000 blocks back) in pages, and quarantines the recalled lot.
    const logQueriesBefore = proxy.logQueries.length;
    const recall = await node.request('/api/v1/recalls', {
      body: {
        gtin,
        lots: ['BESU-1'],
        recallClass: 2,
        action: 'return',
        notice: { title: 'Field safety notice', text: 'Return lot BESU-1.' },
        signature: { username: 'admin', password: TEST_ADMIN_PASSWORD, meaning: 'recalled' },
      },
    });
    expect(recall.status, await recall.clone().text()).toBe(201);
    const { publishedBlock } = (await recall.json()) as { publishedBlock: number };
    // The issuing node quarantines its own stock at once; its watcher then reads the recall's
    // block from the board like every other node's (and finds it processed).
    await waitFor(async () => {
      const lot = (await (await node!.request(`/api/v1/lots/${gtin}/BESU-1`)).json()) as { status: string };
      return lot.status === 'recalled';
    }, 60_000, 'the recalled lot quarantined');
    await waitFor(
      async () => proxy.logQueries.slice(logQueriesBefore).some((q) => q.from <= publishedBlock && q.to >= publishedBlock),
      30_000,
      "the watcher reading the recall's block",
    );
    const watcherQueries = proxy.logQueries.slice(logQueriesBefore);
    expect(watcherQueries.length).toBeGreaterThan(0);
    expect(Math.max(...proxy.logQueries.map((q) => q.to - q.from + 1))).toBeLessThanOrEqual(1000);

    // Nothing the CLI or the node sent was refused (only the direct wide query above).
    expect(proxy.refusals.slice(refusedBefore).map((r) => r.message)).toEqual([BESU_RANGE_ERROR.message]);
    expect(proxy.calls.get('eth_sendRawTransaction') ?? 0).toBeGreaterThanOrEqual(5);
  }, 300_000);
});
