// `medtrace demo` (what `npm start` runs): a local chain with the contracts and
// three companies, each a node PROCESS on its own embedded database — a
// manufacturer, a distributor and a hospital — linked as partners by their
// participant addresses. Then, through the nodes' APIs, the path of a device:
// product, commissioning, final inspection, release (e-signature), an order of the
// distributor at the maker, allocation, picking by scan, shipping → the shipment
// notice with its pedigree pushed to the distributor's node, verified there and
// received against that evidence, incoming inspection and release, an order of the
// hospital, shipped and received the same way, one unit dispensed, and its backward
// trace. It prints the URLs and the commands to try, and runs until Ctrl-C.
//
// Every step needs a route of the nodes; a step whose route a node does not serve
// stops the flow there, says so, and the demo keeps running with what it has done.
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
  toDigitalLink,
  unitUri,
  verifyBundle,
} from '../../sdk';
import { type LocalChain, startLocalChain } from '../../node/chain/localChain';
import { connectChain } from '../../node/chain/client';
import { ensureRegistered } from '../../node/chain/register';
import { loadConfig } from '../../node/config';
import { migrate, openDatabase } from '../../node/db';
import { type Command, EXIT_FAILED, EXIT_OK, intOption, portOption, stringOption, untilInterrupted } from './command';
import { compileContracts } from './contracts';
import { buildWeb } from '../buildWeb';
import { type NodeProcess, spawnNode, waitUntilReady } from './nodeProcess';
import { pickPort } from './ports';

/** GS1's own example company prefix: a demo GTIN that cannot collide with a real product. */
const DEMO_PREFIX = '0614141';
const DEMO_COMPANY = 'Acme Medical Devices (demo)';

type CompanyKey = 'maker' | 'distributor' | 'hospital';

interface CompanySpec {
  key: CompanyKey;
  name: string;
  role: 'manufacturer' | 'distributor' | 'hospital';
  prefix?: string;
  gln: string;
}

/** GLNs under GS1's example prefixes, check digit by the SDK. */
function demoGln(body12: string): string {
  return `${body12}${gtinCheckDigit(body12)}`;
}

const COMPANIES: CompanySpec[] = [
  { key: 'maker', name: DEMO_COMPANY, role: 'manufacturer', prefix: DEMO_PREFIX, gln: demoGln('061414100001') },
  { key: 'distributor', name: 'Nordic MedSupply (demo)', role: 'distributor', gln: demoGln('061414200001') },
  { key: 'hospital', name: 'St. Mary Hospital (demo)', role: 'hospital', gln: demoGln('061414300001') },
];

interface Company extends CompanySpec {
  port: number;
  dir: string;
  log: string;
  process: NodeProcess;
  client?: NodeClient;
  participant?: string;
  /** `METHOD /path` of every operation in the node's OpenAPI document. */
  routes?: Set<string>;
}

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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitForBundle(client: NodeClient, seq: number, unit: string, timeoutMs: number): Promise<EventBundleResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await client.eventBundle(seq, { unit });
    } catch (err) {
      if (!(err instanceof NodeHttpError) || err.status !== 409 || Date.now() > deadline) throw err;
    }
    await sleep(500);
  }
}

/** The flow cannot go on: a route is missing on a node, or something it waits for never came. The demo keeps running. */
class DemoStop extends Error {
  override name = 'DemoStop';
}

/** What the demo has started, for the cleanup; `aborted` stops the setup at its next step. */
interface Running {
  aborted: boolean;
  chain?: LocalChain;
  companies: Company[];
}

function checkNotAborted(running: Running): void {
  if (running.aborted) throw new Error('interrupted');
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the demo: local chain, three companies (maker, distributor, hospital), a device from commissioning to dispensing (npm start)',
  description: `
Starts a local Hardhat chain and deploys the contracts, then three participant
nodes, each its own process on its own embedded database, each registered on the
chain: a manufacturer (${DEMO_COMPANY}), a distributor and a hospital. They know
each other as partners by participant address. Then, through the nodes' APIs:
the maker creates a product, commissions a lot of serialised units, records its
final inspection and releases it with an e-signature; the unit proof bundle of
the commissioning event is verified with the SDK against the chain and saved;
the distributor orders, the maker allocates, picks by scan and ships; the
shipment notice with its pedigree reaches the distributor's node, is verified
there, and the goods are received against it, inspected and released; the
hospital orders from the distributor and receives the same way; one unit is
dispensed and traced back through the three companies. Prints each node's URLs,
the admin credentials (the same on the three nodes), the verification page and
the trace and recall commands to try, and runs until Ctrl-C, which stops the
nodes and the chain.

A step that needs a route a node does not serve stops the flow there with a
message; what was done stays, and the demo keeps running.

Everything lives in <dir> (default .medtrace/demo; one folder per company),
emptied at each start: the chain keeps its state in memory, so a demo starts
fresh every time. Node and chain logs are written there.`,
  options: {
    port: { type: 'string', short: 'p', valueName: '<port>', description: "the maker node's HTTP port (default 8080, or a free one)" },
    'distributor-port': { type: 'string', valueName: '<port>', description: "the distributor node's HTTP port (default 8081, or a free one)" },
    'hospital-port': { type: 'string', valueName: '<port>', description: "the hospital node's HTTP port (default 8082, or a free one)" },
    'chain-port': { type: 'string', valueName: '<port>', description: 'chain JSON-RPC port (default 8545, or a free one)' },
    serials: { type: 'string', valueName: '<n>', description: 'serials in the demo lot (default 100; at least 3)' },
    dir: { type: 'string', valueName: '<dir>', description: 'demo folder (default .medtrace/demo)' },
  },
  examples: ['npm start', 'medtrace demo --serials 10000 --port 9090'],
  async run(args) {
    const serialCount = intOption(args, 'serials', 100, { min: 3, max: 1_000_000 });
    const dir = path.resolve(stringOption(args, 'dir') ?? '.medtrace/demo');
    const ports = {
      maker: await pickPort(portOption(args, 'port', 8080)),
      distributor: 0,
      hospital: 0,
      chain: 0,
    };
    ports.distributor = await pickPort(portOption(args, 'distributor-port', ports.maker === 8080 ? 8081 : 0));
    ports.hospital = await pickPort(portOption(args, 'hospital-port', ports.maker === 8080 ? 8082 : 0));
    ports.chain = await pickPort(portOption(args, 'chain-port', 8545));
    const interrupted = untilInterrupted();
    const running: Running = { aborted: false, companies: [] };
    void interrupted.then(() => (running.aborted = true));
    const setup = startDemo(dir, { ports, serialCount }, running);
    try {
      const first = await Promise.race([setup.then(() => 'ready' as const), interrupted.then(() => 'interrupted' as const)]);
      if (first === 'interrupted') {
        say('interrupted: stopping…');
        return EXIT_OK;
      }
      const exits = running.companies.map((c) => c.process.exited.then((code) => ({ company: c, code })));
      const ended = await Promise.race([interrupted.then(() => 'interrupted' as const), ...exits]);
      // Ctrl-C in a terminal reaches the nodes too: their exit then is part of stopping, not a failure.
      await sleep(50);
      if (ended !== 'interrupted' && !running.aborted) {
        process.stderr.write(`medtrace demo: the ${ended.company.key} node exited (${ended.code}); its log is ${ended.company.log}\n`);
        return EXIT_FAILED;
      }
      say('stopping the nodes and the chain…');
      return EXIT_OK;
    } finally {
      running.aborted = true;
      // Stopping the nodes first makes a setup that waits on them fail at once; a chain still starting
      // is awaited (its start is bounded) so that it can be stopped too.
      await Promise.all(running.companies.map((c) => c.process.stop()));
      await setup.catch(() => undefined);
      await running.chain?.stop();
    }
  },
};

interface DemoOptions {
  ports: Record<CompanyKey | 'chain', number>;
  serialCount: number;
}

/** One embedded database initialised and migrated once, copied into each company's data folder. */
async function seedDatabases(dir: string, targets: string[]): Promise<void> {
  const template = path.join(dir, '.template');
  const db = await openDatabase({ dataDir: template });
  try {
    await migrate(db.sql);
  } finally {
    await db.close();
  }
  for (const target of targets) {
    fs.mkdirSync(target, { recursive: true });
    fs.cpSync(path.join(template, 'pgdata'), path.join(target, 'pgdata'), { recursive: true });
  }
  fs.rmSync(template, { recursive: true, force: true });
}

async function startDemo(dir: string, opts: DemoOptions, running: Running): Promise<void> {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const chainDir = path.join(dir, 'chain');
  const rel = (file: string) => path.relative(process.cwd(), file) || file;

  compileContracts(say);
  await buildWeb({ log: say });
  checkNotAborted(running);
  say(`1/9 starting a local Hardhat chain on port ${opts.ports.chain} and deploying the contracts…`);
  running.chain = await startLocalChain({ port: opts.ports.chain, dir: chainDir });
  const chain = running.chain;
  checkNotAborted(running);

  say('2/9 registering three companies on the chain, preparing their embedded databases and starting their nodes…');
  await seedDatabases(
    dir,
    COMPANIES.map((c) => path.join(dir, c.key)),
  );
  checkNotAborted(running);
  const adminPassword = `demo-${randomBytes(9).toString('base64url')}`;
  // Registered from here one after the other (the governor key sends every registration), so that
  // the three nodes then start side by side: each finds itself registered with its prefix.
  const envOf = (spec: CompanySpec) => {
    const port = opts.ports[spec.key];
    return {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: path.join(dir, spec.key),
      CHAIN_RPC_URL: chain.rpcUrl,
      CHAIN_DEPLOYMENT: chain.deploymentPath,
      PARTICIPANT_NAME: spec.name,
      PARTICIPANT_ROLE: spec.role,
      PARTICIPANT_GLN: spec.gln,
      GS1_COMPANY_PREFIX: spec.prefix,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    };
  };
  for (const spec of COMPANIES) {
    const config = loadConfig({ ...envOf(spec), LOG_LEVEL: 'silent' });
    const client = await connectChain(config);
    try {
      await ensureRegistered(client, config);
    } finally {
      client.close();
    }
    checkNotAborted(running);
  }
  for (const spec of COMPANIES) {
    const env = envOf(spec);
    const log = path.join(dir, `${spec.key}-node.log`);
    const proc = spawnNode({
      output: log,
      env: {
        ...env,
        DATABASE_URL: undefined,
        CHAIN_PRIVATE_KEY: undefined,
        CHAIN_KEYSTORE: undefined,
        MEDTRACE_ADMIN_PASSWORD: adminPassword,
        ANCHOR_MAX_AGE_MS: '500',
        ANCHOR_POLL_MS: '100',
      },
    });
    running.companies.push({ ...spec, port: opts.ports[spec.key], dir: env.DATA_DIR, log, process: proc });
    say(`    ${spec.role.padEnd(12)} ${spec.name} on ${proc.baseUrl} (${rel(env.DATA_DIR)})`);
  }
  await Promise.all(
    running.companies.map((company) =>
      waitUntilReady(company.process, 180_000).catch((err: Error) => {
        throw new Error(`${company.key}: ${err.message}; see ${company.log}`);
      }),
    ),
  );
  checkNotAborted(running);
  const [maker, distributor, hospital] = running.companies;
  for (const company of running.companies) {
    const anonymous = createNodeClient({ baseUrl: company.process.baseUrl });
    const { accessToken } = await anonymous.request<{ accessToken: string }>('POST', '/api/v1/auth/token', { username: 'admin', password: adminPassword });
    company.client = createNodeClient({ baseUrl: company.process.baseUrl, token: accessToken });
    company.participant = (await anonymous.request<{ participant: string }>('GET', '/ready')).participant.toLowerCase();
    const openapi = await anonymous.request<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    company.routes = new Set(
      Object.entries(openapi.paths).flatMap(([p, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${p}`)),
    );
  }

  const flow = new Flow(adminPassword);
  const gtin = demoGtin(DEMO_PREFIX, 1);
  const today = new Date();
  const expiry = new Date(today);
  expiry.setUTCFullYear(expiry.getUTCFullYear() + 3);
  const lot = `L${isoDate(today).replaceAll('-', '').slice(2)}A`;
  const product = {
    gtin,
    name: 'Sterile single-use infusion set',
    model: 'IS-200',
    deviceClass: 'IIa',
    tracking: 'serial',
    registrationNumber: 'DEMO-REG-IS200',
    registrationExpiry: isoDate(new Date(today.getTime() + 5 * 365 * 86_400_000)),
    shelfLifeDays: 1095,
    standardCost: '4.20',
    reason: 'demo catalogue',
  };

  say('3/9 the maker: product, a commissioned lot, its final inspection and release (e-signature)…');
  const makerClient = maker.client!;
  await makerClient.request('POST', '/api/v1/products', product);
  const commissioned = await makerClient.request<{ ledgerSeq: number; unitCount: number }>('POST', '/api/v1/lots', {
    gtin,
    lot,
    productionDate: isoDate(today),
    expiry: isoDate(expiry),
    serialCount: opts.serialCount,
    serialPrefix: 'SN',
  });
  const lotPath = `/api/v1/lots/${gtin}/${encodeURIComponent(lot)}`;
  const inspection = await makerClient.request<{ ledgerSeq: number }>('POST', `${lotPath}/inspections`, {
    kind: 'final',
    result: 'pass',
    method: 'visual + leak test, AQL 1.0',
    reportSha256: `0x${randomBytes(32).toString('hex')}`,
  });
  const firstSerial = (await makerClient.request<{ items: string[] }>('GET', `${lotPath}/serials?limit=1`)).items[0];
  const unit = unitUri(gtin, firstSerial);

  say("4/9 waiting for the maker's events to be anchored, then verifying a unit's proof bundle with the SDK against the chain…");
  const { bundle } = await waitForBundle(makerClient, commissioned.ledgerSeq, unit, 120_000);
  await waitForBundle(makerClient, inspection.ledgerSeq, unit, 120_000).catch(() => undefined);
  const provider = new JsonRpcProvider(chain.rpcUrl, undefined, { staticNetwork: true });
  const verified = await verifyBundle(bundle, { provider }).finally(() => provider.destroy());
  const bundleFile = path.join(dir, `bundle-${firstSerial}.json`);
  fs.writeFileSync(bundleFile, `${JSON.stringify(bundle, null, 2)}\n`);

  // The flow between the companies: it stops cleanly where a node lacks a route.
  let stoppedAt: string | undefined;
  try {
    await flow.run({ maker, distributor, hospital }, { gtin, lot, product, lotPath, serialCount: opts.serialCount }, running);
  } catch (err) {
    // A refusal by a node is shown as where the flow stopped (with the node's problem); anything else is a failure.
    if (err instanceof DemoStop) stoppedAt = err.message;
    else if (err instanceof NodeHttpError) stoppedAt = `a node refused a step: ${err.message}${err.problem?.detail ? ` (${err.problem.detail})` : ''}`;
    else throw err;
  }

  const auditUrl = `${maker.process.baseUrl}/audit/v1/events/${commissioned.ledgerSeq}?unit=${encodeURIComponent(unit)}`;
  say();
  if (stoppedAt) {
    say(`the flow between the companies stopped: ${stoppedAt}`);
    say('(what was done before stays; the nodes keep running)');
    say();
  }
  const traced = flow.dispensedUnit ?? { gtin, lot, serial: firstSerial };
  const udi = toDigitalLink(traced, maker.process.baseUrl);
  writeDemoState(path.join(dir, 'demo.json'), {
    chain: { ...chain.deployment, rpcUrl: chain.rpcUrl, deploymentPath: chain.deploymentPath },
    admin: { username: 'admin', password: adminPassword },
    companies: Object.fromEntries(
      running.companies.map((c) => [c.key, { url: c.process.baseUrl, participant: c.participant, name: c.name, role: c.role, log: c.log }]),
    ),
    product: { gtin, name: product.name, model: product.model },
    lot,
    expiry: isoDate(expiry),
    firstSerial,
    udi,
    dispensedUnit: flow.dispensedUnit ?? null,
    bundleFile,
    stoppedAt: stoppedAt ?? null,
  });
  say('medtrace demo is running. Press Ctrl-C to stop the nodes and the chain.');
  say();
  for (const company of running.companies) {
    say(`  ${company.role.padEnd(12)}  ${company.process.baseUrl}   ${company.name}, participant ${company.participant}`);
    say(`  ${''.padEnd(12)}  console ${company.process.baseUrl}/console/   auditor console ${company.process.baseUrl}/auditor/`);
    say(`  ${''.padEnd(12)}  API docs ${company.process.baseUrl}/docs, log ${rel(company.log)}`);
  }
  say(`  node          ${maker.process.baseUrl}   (${DEMO_COMPANY}, manufacturer, participant ${verified.participant})`);
  say(`  API docs      ${maker.process.baseUrl}/docs   (OpenAPI: ${maker.process.baseUrl}/openapi.json)`);
  say(`  admin         username admin, password ${adminPassword}   (the same on the three nodes; POST /api/v1/auth/token)`);
  say(`  chain         ${chain.rpcUrl}   (chain ${chain.deployment.chainId}, AnchorLog ${chain.deployment.anchorLog})`);
  say(`  chain log     ${rel(path.join(chainDir, 'hardhat.log'))}`);
  say();
  say(`  product       GTIN ${gtin}`);
  say(`  lot           ${lot}: ${commissioned.unitCount.toLocaleString('en-US')} units, commissioning event seq ${commissioned.ledgerSeq}`);
  say(`  inspection    final, pass: inspecting event seq ${inspection.ledgerSeq}`);
  say(`  anchored      batch ${verified.batch} (events ${verified.from}-${verified.to}), block ${verified.blockNumber}, tx ${verified.txHash}`);
  for (const line of flow.summary) say(`  ${line}`);
  say();
  const verifyPath = `/01/${traced.gtin}/10/${encodeURIComponent(traced.lot)}/21/${encodeURIComponent(traced.serial)}`;
  say(`  unit ${traced.serial}${flow.dispensedUnit ? ' (dispensed at the hospital)' : ''}: ${udi}`);
  if (maker.routes!.has('GET /01/{gtin}/10/{lot}/21/{serial}')) {
    say(`  verification  ${maker.process.baseUrl}${verifyPath}   (open it in a browser: the verification page; JSON with Accept: application/json)`);
  } else {
    say(`  verification  ${maker.process.baseUrl}${verifyPath}   (not served by this build yet)`);
  }
  if (maker.routes!.has('GET /public/v1/verify')) say(`                ${maker.process.baseUrl}/public/v1/verify?udi=${encodeURIComponent(udi)}`);
  say(`  trace it      npx medtrace trace '${udi}' --node ${(flow.dispensedUnit ? hospital : maker).process.baseUrl} --user admin --password ${adminPassword} --deployment ${rel(chain.deploymentPath)}`);
  say(
    `  recall it     npx medtrace recall --node ${maker.process.baseUrl} --user admin --password ${adminPassword} --gtin ${gtin} --lot ${lot} --class 2 --action return --title 'Demo recall' --text 'Seal may be defective'`,
  );
  say();
  say(`  the commissioning event's proof bundle of unit ${firstSerial} (bearer token of admin):`);
  say(`    ${auditUrl}`);
  say(`  verified with the SDK and saved to ${rel(bundleFile)}; check it yourself:`);
  say(`    npx medtrace verify ${rel(bundleFile)} --deployment ${rel(chain.deploymentPath)}`);
  say();
  say('  try the API:');
  say(`    TOKEN=$(curl -s -X POST ${maker.process.baseUrl}/api/v1/auth/token -H 'content-type: application/json' \\`);
  say(`      -d '{"username":"admin","password":"${adminPassword}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).accessToken')`);
  say(`    curl -s -H "authorization: Bearer $TOKEN" ${maker.process.baseUrl}${lotPath}`);
  say();
}

/** What the demo made, for scripts and the browser tests: <dir>/demo.json. */
function writeDemoState(file: string, state: Record<string, unknown>): void {
  fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

interface FlowGoods {
  gtin: string;
  lot: string;
  product: Record<string, unknown>;
  lotPath: string;
  serialCount: number;
}

/** The scripted path between the three companies, step by step; `summary` collects what each step did. */
class Flow {
  readonly summary: string[] = [];
  dispensedUnit?: { gtin: string; lot: string; serial: string };

  constructor(private readonly adminPassword: string) {}

  private need(company: Company, method: string, route: string, what: string): void {
    if (!company.routes!.has(`${method} ${route}`)) {
      throw new DemoStop(`${what}: the ${company.key} node does not serve ${method} ${route} yet`);
    }
  }

  private signature(meaning: string) {
    return { username: 'admin', password: this.adminPassword, meaning };
  }

  async run(companies: Record<CompanyKey, Company>, goods: FlowGoods, running: Running): Promise<void> {
    const { maker, distributor, hospital } = companies;
    const { gtin, lot, lotPath } = goods;

    say('5/9 linking the companies as partners by participant address; the maker releases its lot…');
    this.need(maker, 'POST', '/api/v1/lots/{gtin}/{lot}/release', 'releasing the lot');
    const release = await maker.client!.request<{ ledgerSeq: number }>('POST', `${lotPath}/release`, { signature: this.signature('released') });
    this.summary.push(`release       maker, e-signed by admin: releasing event seq ${release.ledgerSeq}`);
    const makerDistributor = await this.partner(maker, { code: 'NORDIC', name: distributor.name, isCustomer: true, participant: distributor.participant!, gln: distributor.gln, kind: 'distribution_licence' });
    await distributor.client!.request('POST', '/api/v1/products', goods.product);
    await this.partner(distributor, { code: 'ACME', name: maker.name, isSupplier: true, participant: maker.participant!, gln: maker.gln, kind: 'iso13485' });
    const distributorHospital = await this.partner(distributor, { code: 'STMARY', name: hospital.name, isCustomer: true, participant: hospital.participant!, gln: hospital.gln, kind: 'hospital_licence' });
    await hospital.client!.request('POST', '/api/v1/products', goods.product);
    await this.partner(hospital, { code: 'NORDIC', name: distributor.name, isSupplier: true, participant: distributor.participant!, gln: distributor.gln, kind: 'distribution_licence' });
    checkNotAborted(running);

    const toDistributor = Math.min(5, goods.serialCount);
    say(`6/9 the distributor orders ${toDistributor} units; the maker allocates (FEFO), picks by scan and ships…`);
    const shipped1 = await this.sell(maker, makerDistributor, gtin, toDistributor, '12.50');
    this.summary.push(`shipped       maker → distributor: ${shipped1.units.length} units, shipment ${shipped1.shipmentId}, shipping event seq ${shipped1.ledgerSeq}`);
    checkNotAborted(running);

    say("7/9 the shipment notice with its pedigree reaches the distributor's node: verified against the chain, received, inspected, released…");
    const received1 = await this.receive(distributor, maker, shipped1, running);
    this.summary.push(`received      distributor: notice ${received1.noticeId} (${received1.verdicts}), ${received1.booked} units booked, receiving event seq ${received1.seq}`);
    await this.inspectAndRelease(distributor, gtin, lot);
    this.summary.push('released      distributor: incoming inspection passed, lot released (e-signature)');
    checkNotAborted(running);

    const toHospital = Math.min(2, shipped1.units.length);
    say(`8/9 the hospital orders ${toHospital} units from the distributor; shipped, notice verified, received, inspected, released…`);
    const shipped2 = await this.sell(distributor, distributorHospital, gtin, toHospital, '19.90');
    this.summary.push(`shipped       distributor → hospital: ${shipped2.units.length} units, shipment ${shipped2.shipmentId}, shipping event seq ${shipped2.ledgerSeq}`);
    const received2 = await this.receive(hospital, distributor, shipped2, running);
    this.summary.push(`received      hospital: notice ${received2.noticeId} (${received2.verdicts}), ${received2.booked} units booked, receiving event seq ${received2.seq}`);
    await this.inspectAndRelease(hospital, gtin, lot);
    this.summary.push('released      hospital: incoming inspection passed, lot released (e-signature)');
    checkNotAborted(running);

    say('9/9 the hospital dispenses one unit and traces it back through the three companies…');
    this.need(hospital, 'POST', '/api/v1/dispensations', 'dispensing');
    const dispensed = shipped2.units[0];
    const dispensation = await hospital.client!.request<{ ledgerSeq?: number }>('POST', '/api/v1/dispensations', {
      scan: toDigitalLink({ gtin, lot: dispensed.lot, serial: dispensed.serial }),
    });
    this.dispensedUnit = { gtin, lot: dispensed.lot, serial: dispensed.serial };
    this.summary.push(`dispensed     hospital: unit ${dispensed.serial}${dispensation.ledgerSeq ? `, dispensing event seq ${dispensation.ledgerSeq}` : ''}`);

    this.need(hospital, 'GET', '/api/v1/trace/unit', 'tracing the unit');
    const udi = toDigitalLink({ gtin, lot: dispensed.lot, serial: dispensed.serial });
    const trace = await waitUntil(
      async () => {
        const t = await hospital.client!.request<TraceAnswer>('GET', `/api/v1/trace/unit?udi=${encodeURIComponent(udi)}`);
        return t.verified && t.hops.some((h) => h.bizStep.endsWith('dispensing')) ? t : undefined;
      },
      90_000,
    ).catch(async () => hospital.client!.request<TraceAnswer>('GET', `/api/v1/trace/unit?udi=${encodeURIComponent(udi)}`));
    this.summary.push(`trace         ${trace.hops.length} hops, ${trace.verified ? 'every one verified against the chain' : 'NOT all verified (some not anchored yet?)'}:`);
    for (const hop of trace.hops) {
      this.summary.push(`                ${hop.eventTime}  ${hop.name.padEnd(28)} ${hop.bizStep.replace('urn:medtrace:bizstep:', '').padEnd(11)} seq ${hop.seq}${hop.verified ? ', verified' : `, ${hop.failure ?? 'not verified'}`}`);
    }
  }

  private async partner(
    company: Company,
    p: { code: string; name: string; isCustomer?: boolean; isSupplier?: boolean; participant: string; gln: string; kind: string },
  ): Promise<number> {
    const created = await company.client!.request<{ id: number }>('POST', '/api/v1/partners', {
      code: p.code,
      name: p.name,
      ...(p.isCustomer ? { isCustomer: true, creditLimit: '1000000.00' } : {}),
      ...(p.isSupplier ? { isSupplier: true } : {}),
      gln: p.gln,
      participant: p.participant,
      certificates: [{ kind: p.kind, number: `${p.code}-${p.kind.toUpperCase()}-1`, validUntil: isoDate(new Date(Date.now() + 5 * 365 * 86_400_000)) }],
      reason: 'demo: a partner on the network',
    });
    return created.id;
  }

  /** An order of `customerId`, allocated (FEFO), picked by scanning each allocated unit, shipped. */
  private async sell(seller: Company, customerId: number, gtin: string, quantity: number, unitPrice: string): Promise<Shipped> {
    for (const [method, route] of [
      ['POST', '/api/v1/orders'],
      ['POST', '/api/v1/orders/{id}/allocations'],
      ['POST', '/api/v1/orders/{id}/picks'],
      ['POST', '/api/v1/orders/{id}/shipments'],
    ] as const) {
      this.need(seller, method, route, `selling at the ${seller.key}`);
    }
    const client = seller.client!;
    const order = await client.request<{ id: number }>('POST', '/api/v1/orders', { customerId, currency: 'EUR', lines: [{ gtin, quantity, unitPrice }] });
    const allocation = await client.request<{ lines: Array<{ allocated: Array<{ lot: string; serial: string }> }> }>('POST', `/api/v1/orders/${order.id}/allocations`);
    const units = allocation.lines.flatMap((l) => l.allocated);
    if (units.length < quantity) throw new DemoStop(`the ${seller.key} could allocate only ${units.length} of ${quantity} units`);
    for (const u of units) {
      await client.request('POST', `/api/v1/orders/${order.id}/picks`, { scan: toDigitalLink({ gtin, lot: u.lot, serial: u.serial }) });
    }
    const { shipment } = await client.request<{ shipment: { id: number; ledgerSeq: number } }>('POST', `/api/v1/orders/${order.id}/shipments`);
    return { orderId: order.id, shipmentId: shipment.id, ledgerSeq: shipment.ledgerSeq, units, gtin };
  }

  /** Waits for the sender's notice at `receiver`, then receives every unit against it. */
  private async receive(receiver: Company, sender: Company, shipped: Shipped, running: Running): Promise<{ noticeId: number; verdicts: string; booked: number; seq: number | null }> {
    this.need(receiver, 'GET', '/api/v1/notices', `the ${receiver.key} reading its shipment notices`);
    const client = receiver.client!;
    const summary = await waitUntil(async () => {
      checkNotAborted(running);
      const page = await client.request<{ items: Array<{ id: number; sender: string; senderShipmentId: number; status: string; blockedLines: number; lineCount: number }> }>(
        'GET',
        `/api/v1/notices?sender=${sender.participant}`,
      );
      return page.items.find((n) => n.senderShipmentId === shipped.shipmentId);
    }, 120_000).catch(() => {
      throw new DemoStop(`the shipment notice of ${sender.key} shipment ${shipped.shipmentId} did not reach the ${receiver.key} node within 120 s (see ${sender.log})`);
    });
    const verdicts = `${summary.status}, ${summary.lineCount - summary.blockedLines} of ${summary.lineCount} lines ok`;
    this.need(receiver, 'POST', '/api/v1/notices/{id}/receipts', `the ${receiver.key} receiving against the notice (${verdicts})`);
    const receipt = await client.request<{ ledgerSeq: number | null; lines: Array<{ outcome: string; quantity: number }> }>(
      'POST',
      `/api/v1/notices/${summary.id}/receipts`,
      { scans: shipped.units.map((u) => toDigitalLink({ gtin: shipped.gtin, lot: u.lot, serial: u.serial })), close: true },
    );
    const booked = receipt.lines.filter((l) => l.outcome === 'booked').reduce((n, l) => n + l.quantity, 0);
    if (booked === 0) throw new DemoStop(`the ${receiver.key} booked nothing against notice ${summary.id}: ${receipt.lines.map((l) => l.outcome).join(', ')}`);
    return { noticeId: summary.id, verdicts, booked, seq: receipt.ledgerSeq };
  }

  private async inspectAndRelease(company: Company, gtin: string, lot: string): Promise<void> {
    const lotPath = `/api/v1/lots/${gtin}/${encodeURIComponent(lot)}`;
    await company.client!.request('POST', `${lotPath}/inspections`, { kind: 'incoming', result: 'pass', method: 'visual, labels and seal checked against the notice' });
    await company.client!.request('POST', `${lotPath}/release`, { signature: this.signature('released') });
  }
}

interface Shipped {
  orderId: number;
  shipmentId: number;
  ledgerSeq: number;
  gtin: string;
  units: Array<{ lot: string; serial: string }>;
}

interface TraceAnswer {
  verified: boolean;
  hops: Array<{ participant: string; name: string; role: string; bizStep: string; eventTime: string; seq: number; verified: boolean; failure?: string }>;
}

async function waitUntil<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms`);
    await sleep(500);
  }
}
