// `medtrace demo` (what `npm start` runs): a local chain with the contracts, one
// manufacturer node on its embedded database, a product, a commissioned lot and
// an inspection recorded through the API, anchored, and one unit's proof bundle
// fetched, verified and saved; then it prints what to open and runs until Ctrl-C.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { JsonRpcProvider } from 'ethers';
import {
  type EventBundleResponse,
  type NodeClient,
  NodeHttpError,
  createNodeClient,
  gtinCheckDigit,
  unitUri,
  verifyBundle,
} from '../../sdk';
import { type LocalChain, startLocalChain } from '../../node/chain/localChain';
import { type Command, EXIT_FAILED, EXIT_OK, intOption, portOption, stringOption, untilInterrupted } from './command';
import { compileContracts } from './contracts';
import { type NodeProcess, spawnNode, waitUntilReady } from './nodeProcess';
import { pickPort } from './ports';

/** GS1's own example company prefix: a demo GTIN that cannot collide with a real product. */
const DEMO_PREFIX = '0614141';
const DEMO_COMPANY = 'Acme Medical Devices (demo)';

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** GTIN-14 of item `item` under `prefix` (indicator 0), check digit by the SDK. */
function demoGtin(prefix: string, item: number): string {
  const first13 = `0${prefix}${String(item).padStart(12 - prefix.length, '0')}`;
  return `${first13}${gtinCheckDigit(first13)}`;
}

async function waitForBundle(client: NodeClient, seq: number, unit: string, timeoutMs: number): Promise<EventBundleResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.eventBundle(seq, { unit });
    } catch (err) {
      if (!(err instanceof NodeHttpError) || err.status !== 409 || Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** What the demo has started, for the cleanup; `aborted` stops the setup at its next step. */
interface Running {
  aborted: boolean;
  chain?: LocalChain;
  node?: NodeProcess;
}

function checkNotAborted(running: Running): void {
  if (running.aborted) throw new Error('interrupted');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the demo: local chain, a manufacturer node, a commissioned lot (npm start)',
  description: `
Starts a local Hardhat chain and deploys the contracts, starts one manufacturer
node on an embedded database (it registers itself on the chain), then through
the node's API: signs in as admin, creates a product, commissions a lot of
serialised units, records its final inspection, waits until both events are
anchored, fetches the proof bundle of one unit, verifies it with the SDK against
the chain and saves it. Prints the node's URLs, the admin credentials and the
commands to try, and runs until Ctrl-C, which stops the node and the chain.

Everything lives in <dir> (default .medtrace/demo), emptied at each start: the
chain keeps its state in memory, so a demo starts fresh every time. Node and
chain logs are written there.`,
  options: {
    port: { type: 'string', short: 'p', valueName: '<port>', description: 'node HTTP port (default 8080, or a free one)' },
    'chain-port': { type: 'string', valueName: '<port>', description: 'chain JSON-RPC port (default 8545, or a free one)' },
    serials: { type: 'string', valueName: '<n>', description: 'serials in the demo lot (default 100)' },
    dir: { type: 'string', valueName: '<dir>', description: 'demo folder (default .medtrace/demo)' },
  },
  examples: ['npm start', 'medtrace demo --serials 10000 --port 9090'],
  async run(args) {
    const serialCount = intOption(args, 'serials', 100, { min: 1, max: 1_000_000 });
    const dir = path.resolve(stringOption(args, 'dir') ?? '.medtrace/demo');
    const nodePort = await pickPort(portOption(args, 'port', 8080));
    const chainPort = await pickPort(portOption(args, 'chain-port', 8545));
    const interrupted = untilInterrupted();
    const running: Running = { aborted: false };
    void interrupted.then(() => (running.aborted = true));
    const setup = startDemo(dir, { nodePort, chainPort, serialCount }, running);
    try {
      const first = await Promise.race([setup.then(() => 'ready' as const), interrupted.then(() => 'interrupted' as const)]);
      if (first === 'interrupted') {
        say('interrupted: stopping…');
        return EXIT_OK;
      }
      const ended = await Promise.race([interrupted.then(() => 'interrupted' as const), running.node!.exited]);
      // Ctrl-C in a terminal reaches the node too: its exit then is part of stopping, not a failure.
      await new Promise((r) => setTimeout(r, 50));
      if (ended !== 'interrupted' && !running.aborted) {
        process.stderr.write(`medtrace demo: the node exited (${ended}); its log is ${path.join(dir, 'acme-node.log')}\n`);
        return EXIT_FAILED;
      }
      say('stopping the node and the chain…');
      return EXIT_OK;
    } finally {
      running.aborted = true;
      // Stopping the node first makes a setup that waits on it fail at once; a chain still starting
      // is awaited (its start is bounded) so that it can be stopped too.
      await running.node?.stop();
      await setup.catch(() => undefined);
      await running.chain?.stop();
    }
  },
};

async function startDemo(dir: string, opts: { nodePort: number; chainPort: number; serialCount: number }, running: Running): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const chainDir = path.join(dir, 'chain');
  const nodeDir = path.join(dir, 'acme');
  const nodeLog = path.join(dir, 'acme-node.log');

  compileContracts(say);
  checkNotAborted(running);
  say(`1/6 starting a local Hardhat chain on port ${opts.chainPort} and deploying the contracts…`);
  running.chain = await startLocalChain({ port: opts.chainPort, dir: chainDir });
  const chain = running.chain;
  checkNotAborted(running);

  say(`2/6 starting the manufacturer node on port ${opts.nodePort} (embedded database in ${path.relative(process.cwd(), nodeDir)})…`);
  const adminPassword = `demo-${randomBytes(9).toString('base64url')}`;
  running.node = spawnNode({
    output: nodeLog,
    env: {
      PORT: String(opts.nodePort),
      HOST: '127.0.0.1',
      DATA_DIR: nodeDir,
      DATABASE_URL: undefined,
      CHAIN_RPC_URL: chain.rpcUrl,
      CHAIN_DEPLOYMENT: chain.deploymentPath,
      PARTICIPANT_NAME: DEMO_COMPANY,
      PARTICIPANT_ROLE: 'manufacturer',
      GS1_COMPANY_PREFIX: DEMO_PREFIX,
      MEDTRACE_ADMIN_PASSWORD: adminPassword,
    },
  });
  const node = running.node;
  await waitUntilReady(node, 180_000).catch((err: Error) => {
    throw new Error(`${err.message}; see ${nodeLog}`);
  });
  checkNotAborted(running);

  say('3/6 signing in as admin and creating a product…');
  const anonymous = createNodeClient({ baseUrl: node.baseUrl });
  const { accessToken } = await anonymous.request<{ accessToken: string }>('POST', '/api/v1/auth/token', { username: 'admin', password: adminPassword });
  const client = createNodeClient({ baseUrl: node.baseUrl, token: accessToken });
  const gtin = demoGtin(DEMO_PREFIX, 1);
  await client.request('POST', '/api/v1/products', {
    gtin,
    name: 'Sterile single-use infusion set',
    model: 'IS-200',
    deviceClass: 'IIa',
    shelfLifeDays: 1095,
    reason: 'demo catalogue',
  });

  const today = new Date();
  const expiry = new Date(today);
  expiry.setUTCFullYear(expiry.getUTCFullYear() + 3);
  const lot = `L${isoDate(today).replaceAll('-', '').slice(2)}A`;
  say(`4/6 commissioning lot ${lot} of ${opts.serialCount.toLocaleString('en-US')} serials and recording its final inspection…`);
  const commissioned = await client.request<{ ledgerSeq: number; unitCount: number }>('POST', '/api/v1/lots', {
    gtin,
    lot,
    productionDate: isoDate(today),
    expiry: isoDate(expiry),
    serialCount: opts.serialCount,
    serialPrefix: 'SN',
  });
  const lotPath = `/api/v1/lots/${gtin}/${encodeURIComponent(lot)}`;
  const inspection = await client.request<{ ledgerSeq: number }>('POST', `${lotPath}/inspections`, {
    kind: 'final',
    result: 'pass',
    method: 'visual + leak test, AQL 1.0',
    reportSha256: `0x${randomBytes(32).toString('hex')}`,
  });
  const firstSerial = (await client.request<{ items: string[] }>('GET', `${lotPath}/serials?limit=1`)).items[0];
  const unit = unitUri(gtin, firstSerial);

  say('5/6 waiting for the anchoring worker to anchor both events on the chain…');
  const { bundle } = await waitForBundle(client, commissioned.ledgerSeq, unit, 120_000);
  await waitForBundle(client, inspection.ledgerSeq, unit, 120_000).catch(() => undefined);

  say("6/6 verifying the unit's proof bundle with the SDK against the chain…");
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
  const verified = await verifyBundle(bundle, { provider }).finally(() => provider.destroy());
  const bundleFile = path.join(dir, `bundle-${firstSerial}.json`);
  fs.writeFileSync(bundleFile, `${JSON.stringify(bundle, null, 2)}\n`);

  const rel = (file: string) => path.relative(process.cwd(), file) || file;
  const auditUrl = `${node.baseUrl}/audit/v1/events/${commissioned.ledgerSeq}?unit=${encodeURIComponent(unit)}`;
  say();
  say('medtrace demo is running. Press Ctrl-C to stop the node and the chain.');
  say();
  say(`  node          ${node.baseUrl}   (${DEMO_COMPANY}, manufacturer, participant ${verified.participant})`);
  say(`  API docs      ${node.baseUrl}/docs   (OpenAPI: ${node.baseUrl}/openapi.json)`);
  say(`  admin         username admin, password ${adminPassword}   (POST /api/v1/auth/token)`);
  say(`  chain         ${chain.rpcUrl}   (chain ${chain.deployment.chainId}, AnchorLog ${chain.deployment.anchorLog})`);
  say(`  logs          ${rel(nodeLog)}, ${rel(path.join(chainDir, 'hardhat.log'))}`);
  say();
  say(`  product       GTIN ${gtin}`);
  say(`  lot           ${lot}: ${commissioned.unitCount.toLocaleString('en-US')} units, commissioning event seq ${commissioned.ledgerSeq}`);
  say(`  inspection    final, pass: inspecting event seq ${inspection.ledgerSeq}`);
  say(`  anchored      batch ${verified.batch} (events ${verified.from}-${verified.to}), block ${verified.blockNumber}, tx ${verified.txHash}`);
  say();
  say(`  unit ${firstSerial}: ${unit}`);
  say(`  its proof bundle (bearer token of admin):`);
  say(`    ${auditUrl}`);
  say(`  verified with the SDK and saved to ${rel(bundleFile)}; check it yourself:`);
  say(`    npx medtrace verify ${rel(bundleFile)} --deployment ${rel(chain.deploymentPath)}`);
  say();
  say('  try the API:');
  say(`    TOKEN=$(curl -s -X POST ${node.baseUrl}/api/v1/auth/token -H 'content-type: application/json' \\`);
  say(`      -d '{"username":"admin","password":"${adminPassword}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')`);
  say(`    curl -s -H "authorization: Bearer $TOKEN" ${node.baseUrl}${lotPath}`);
  say();
}
