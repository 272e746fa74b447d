// Recall reach (DESIGN 7 "Recall in seconds"): three node PROCESSES (maker,
// distributor, hospital) on one local chain mining a block every second, each
// holding stock of the maker's lot. The maker issues a recall through its API;
// the clock starts when the recall is on the chain (an observer polling the
// board sees recallCount move) and stops, per node, when that node's API shows
// the lot `recalled` (its affected stock quarantined). Target: every node
// within 5 s. Each node finds the recall with its own watcher (no peer message
// is needed for the reach). Databases: a PostgreSQL server (BENCH_DATABASE_URL /
// TEST_DATABASE_URL, a throwaway database per node) or embedded PGlite.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Contract, JsonRpcProvider } from 'ethers';
import { gtinCheckDigit } from '../../sdk';
import { loadArtifact } from '../../node/chain/artifacts';
import { startLocalChain } from '../../node/chain/localChain';
import { createThrowawayDatabase } from '../../node/db/throwaway';
import { compileContracts } from '../cli/contracts';
import { spawnNode, waitUntilReady } from '../cli/nodeProcess';
import { pickPort } from '../cli/ports';
import { type BenchResult, log } from './measure';

const TARGET_MS = 5_000;
const BLOCK_MS = 1_000;
const UNITS_PER_LOT = 100;
const MAKER_PREFIX = '0614141';
const first13 = `0${MAKER_PREFIX}00042`;
const GTIN = `${first13}${gtinCheckDigit(first13)}`;

interface Node {
  name: string;
  baseUrl: string;
  token: string;
  password: string;
}

async function api(node: Pick<Node, 'baseUrl' | 'token'>, method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> {
  const res = await fetch(`${node.baseUrl}${route}`, {
    method,
    headers: {
      ...(node.token ? { authorization: `Bearer ${node.token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': typeof body === 'string' ? 'text/csv' : 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} on ${node.baseUrl}: ${res.status} ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Runs `runs` recalls (one lot each) and reports the reach to the last node. */
export async function benchRecall(runs = 5): Promise<BenchResult[]> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
  const databaseKind = serverUrl ? 'PostgreSQL server' : 'embedded PGlite';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-bench-recall-'));
  const cleanups: (() => Promise<void>)[] = [async () => fs.rmSync(dir, { recursive: true, force: true })];
  try {
    compileContracts(log);
    log(`recall: a local chain and three nodes on ${databaseKind}…`);
    const chain = await startLocalChain({ port: await pickPort(0), dir: path.join(dir, 'chain') });
    cleanups.unshift(() => chain.stop());

    const specs = [
      { name: 'maker', role: 'manufacturer', prefix: MAKER_PREFIX },
      { name: 'distributor', role: 'distributor', prefix: '0614142' },
      { name: 'hospital', role: 'hospital', prefix: '0614143' },
    ];
    // One after the other: each registers itself with the governor's key at start (one nonce sequence).
    const nodes: Node[] = [];
    for (const spec of specs) {
      let databaseUrl: string | undefined;
      if (serverUrl) {
        const database = await createThrowawayDatabase(serverUrl, 'medtrace_bench_');
        databaseUrl = database.url;
        cleanups.unshift(() => database.drop());
      }
      const password = `bench-${randomBytes(8).toString('hex')}`;
      const port = await pickPort(0);
      const logFile = path.join(dir, `${spec.name}.log`);
      const child = spawnNode({
        output: logFile,
        env: {
          PORT: String(port),
          HOST: '127.0.0.1',
          PUBLIC_URL: `http://127.0.0.1:${port}`,
          DATA_DIR: path.join(dir, spec.name),
          DATABASE_URL: databaseUrl,
          CHAIN_RPC_URL: chain.rpcUrl,
          CHAIN_DEPLOYMENT: chain.deploymentPath,
          PARTICIPANT_NAME: `Bench ${spec.name}`,
          PARTICIPANT_ROLE: spec.role,
          GS1_COMPANY_PREFIX: spec.prefix,
          MEDTRACE_ADMIN_PASSWORD: password,
          LOG_LEVEL: 'warn',
        },
      });
      cleanups.unshift(() => child.stop());
      try {
        await waitUntilReady(child, 300_000);
      } catch (error) {
        const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-2000) : '';
        throw new Error(`${spec.name} node: ${(error as Error).message}\n${tail}`);
      }
      const { accessToken } = await api({ baseUrl: child.baseUrl, token: '' }, 'POST', '/api/v1/auth/token', { username: 'admin', password });
      nodes.push({ name: spec.name, baseUrl: child.baseUrl, token: accessToken, password });
      log(`recall: ${spec.name} node ready at ${child.baseUrl}`);
    }

    // Every node holds UNITS_PER_LOT units of each lot BR1…BRn of the maker's GTIN (opening stock, quarantined).
    for (const [index, node] of nodes.entries()) {
      await api(node, 'POST', '/api/v1/products', { gtin: GTIN, name: 'Bench recall device', model: 'BR-1', deviceClass: 'IIb' });
      const rows = ['gtin,lot,productionDate,expiry,serial'];
      for (let run = 1; run <= runs; run++) {
        for (let unit = 1; unit <= UNITS_PER_LOT; unit++) rows.push(`${GTIN},BR${run},2026-01-01,2030-01-01,N${index}R${run}U${unit}`);
      }
      await api(node, 'POST', '/api/v1/imports/opening-stock', rows.join('\n'), { 'x-reason': 'bench opening stock' });
    }

    // Blocks every second from now on, as on a QBFT network.
    const provider = new JsonRpcProvider(chain.rpcUrl, chain.deployment.chainId, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    cleanups.unshift(async () => provider.destroy());
    await provider.send('evm_setAutomine', [false]);
    await provider.send('evm_setIntervalMining', [BLOCK_MS]);
    const board = new Contract(chain.deployment.recallBoard, loadArtifact('RecallBoard').abi, provider);

    const reachMs: number[] = [];
    const ackMs: number[] = [];
    const perNode: Record<string, number[]> = Object.fromEntries(nodes.map((n) => [n.name, []]));
    for (let run = 1; run <= runs; run++) {
      const lot = `BR${run}`;
      const countBefore = Number(await board.recallCount());
      let onChainAt: number | undefined;
      const seen: Record<string, number> = {};
      const deadline = performance.now() + 60_000;
      const watchBoard = (async () => {
        while (onChainAt === undefined && performance.now() < deadline) {
          if (Number(await board.recallCount()) > countBefore) onChainAt = performance.now();
          else await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const watchNodes = nodes.map(async (node) => {
        while (performance.now() < deadline) {
          const answer = await api(node, 'GET', `/api/v1/lots/${GTIN}/${lot}`);
          if (answer.status === 'recalled') {
            seen[node.name] = performance.now();
            return;
          }
          await new Promise((r) => setTimeout(r, 25));
        }
      });
      const maker = nodes[0];
      const issued = await api(maker, 'POST', '/api/v1/recalls', {
        gtin: GTIN,
        lots: [lot],
        recallClass: 2,
        action: 'return',
        notice: { title: `Bench recall ${run}`, text: `Return every unit of lot ${lot}.` },
        signature: { username: 'admin', password: maker.password, meaning: 'recalled' },
      });
      await Promise.all([watchBoard, ...watchNodes]);
      if (onChainAt === undefined) throw new Error(`run ${run}: the recall never showed on the board`);
      const reached = nodes.map((node) => {
        const at = seen[node.name];
        if (at === undefined) throw new Error(`run ${run}: ${node.name} did not quarantine lot ${lot} within 60 s`);
        const ms = Math.max(0, at - onChainAt!);
        perNode[node.name].push(Math.round(ms));
        return ms;
      });
      reachMs.push(Math.round(Math.max(...reached)));
      // Then the acknowledgements: the maker's view counts every company (peer messages through each node's outbox).
      let acknowledged: number | undefined;
      while (performance.now() < deadline + 30_000) {
        const view = await api(maker, 'GET', `/api/v1/recalls/${issued.id}`);
        if (view.totals.companies === nodes.length) {
          acknowledged = performance.now() - onChainAt;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      if (acknowledged === undefined) throw new Error(`run ${run}: the maker did not get every acknowledgement`);
      ackMs.push(Math.round(acknowledged));
      log(`recall run ${run}: quarantined at ${nodes.map((n, i) => `${n.name} ${Math.round(reached[i])} ms`).join(', ')}; every acknowledgement at the maker ${Math.round(acknowledged)} ms`);
    }
    const sorted = [...reachMs].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const max = sorted[sorted.length - 1];
    const note = `${runs} recalls, 3 node processes (${databaseKind}), ${BLOCK_MS / 1000} s blocks, watcher poll 1 s, ${UNITS_PER_LOT} units per node per lot`;
    return [
      {
        group: 'recall',
        name: 'recall on chain → affected stock quarantined at every node (p50)',
        value: p50,
        unit: 'ms',
        target: `< ${TARGET_MS}`,
        meets: p50 < TARGET_MS,
        note,
        detail: { reachMs, perNode },
      },
      {
        group: 'recall',
        name: "recall on chain → the maker's view holds every company's acknowledgement (p50)",
        value: percentile([...ackMs].sort((a, b) => a - b), 50),
        unit: 'ms',
        note: `${note}, outbox poll 1 s; no upstream supplier link, so each node acknowledges to the issuer directly`,
        detail: { ackMs },
      },
      {
        group: 'recall',
        name: 'reach, slowest run',
        value: max,
        unit: 'ms',
        target: `< ${TARGET_MS}`,
        meets: max < TARGET_MS,
        note,
      },
    ];
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((err: Error) => log(`cleanup: ${err.message}`));
  }
}

if (require.main === module) {
  benchRecall(Number(process.argv[2] ?? 5)).then(
    (results) => {
      for (const r of results) process.stdout.write(`${r.name}: ${r.value} ${r.unit} (target ${r.target}, met: ${r.meets})\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
