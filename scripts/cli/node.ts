// `medtrace node`: starts a participant node (node/main.ts). Every flag maps to
// one of the node's environment variables; anything else comes from the environment as is.
import { type Command, EXIT_FAILED, EXIT_OK, stringOption } from './command';
import { spawnNode } from './nodeProcess';
import { buildWeb } from '../buildWeb';

/** flag → environment variable read by node/config.ts. */
const FLAG_ENV: Record<string, { env: string; valueName: string; description: string }> = {
  port: { env: 'PORT', valueName: '<port>', description: 'HTTP port (default 8080)' },
  host: { env: 'HOST', valueName: '<host>', description: 'interface to listen on (default 127.0.0.1)' },
  'data-dir': { env: 'DATA_DIR', valueName: '<dir>', description: 'data folder: embedded database, keys (default .medtrace/node)' },
  'database-url': { env: 'DATABASE_URL', valueName: '<url>', description: 'a Postgres 14+ server instead of the embedded database' },
  rpc: { env: 'CHAIN_RPC_URL', valueName: '<url>', description: 'chain JSON-RPC URL (default: the deployment file\'s)' },
  deployment: { env: 'CHAIN_DEPLOYMENT', valueName: '<file>', description: 'contract addresses (default .medtrace/chain/deployment.json)' },
  name: { env: 'PARTICIPANT_NAME', valueName: '<name>', description: 'company name (default "medtrace node")' },
  role: { env: 'PARTICIPANT_ROLE', valueName: '<role>', description: 'manufacturer|distributor|hospital|platform|other' },
  gln: { env: 'PARTICIPANT_GLN', valueName: '<gln>', description: 'the company\'s 13-digit GLN' },
  prefix: { env: 'GS1_COMPANY_PREFIX', valueName: '<digits>', description: 'GS1 company prefix (4-12 digits)' },
  'public-url': { env: 'PUBLIC_URL', valueName: '<url>', description: 'the URL other parties reach this node at' },
  'log-level': { env: 'LOG_LEVEL', valueName: '<level>', description: 'debug|info|warn|error|silent (default info)' },
};

export const nodeCommand: Command = {
  name: 'node',
  summary: 'start a participant node',
  description: `
Starts a participant node: the HTTP API, its database (embedded PGlite in the
data folder unless a Postgres server is given) with migrations applied, the
ledger and the anchoring worker. On a local chain (\`medtrace chain\`) the node
registers itself with the governor key from the deployment file. Each flag sets
the environment variable named beside it; the rest of the configuration (chain
key: CHAIN_PRIVATE_KEY, or CHAIN_KEYSTORE + CHAIN_KEYSTORE_PASSWORD; ANCHOR_*;
MEDTRACE_ADMIN_PASSWORD) is read from the environment. See README.md for the
full list. Runs until Ctrl-C.`,
  options: Object.fromEntries(
    Object.entries(FLAG_ENV).map(([flag, spec]) => [flag, { type: 'string' as const, valueName: spec.valueName, description: `${spec.description} [${spec.env}]` }]),
  ),
  examples: [
    'medtrace node --port 8081 --data-dir .medtrace/acme --name "Acme Medical" --prefix 0614141',
    'medtrace node --database-url postgres://medtrace@db.internal/acme --rpc https://besu.example:8545',
  ],
  async run(args) {
    // The pages the node serves (web/dist): built here when a source is newer. Without Vite
    // (a production install without dev dependencies) the node still runs; the pages answer 503.
    await buildWeb({ log: (line) => process.stderr.write(`${line}\n`) }).catch((err: unknown) => {
      process.stderr.write(`medtrace: the web pages were not built (${err instanceof Error ? err.message : String(err)}); the node runs without them\n`);
    });
    const env: Record<string, string> = {};
    for (const [flag, spec] of Object.entries(FLAG_ENV)) {
      const value = stringOption(args, flag);
      if (value !== undefined) env[spec.env] = value;
    }
    const node = spawnNode({ env, output: 'inherit' });
    // Signals sent to this process are passed on; the node stops cleanly (a second one is harmless).
    const forward = (signal: NodeJS.Signals) => node.child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const code = await node.exited;
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    return code === 0 || code === 'SIGINT' || code === 'SIGTERM' ? EXIT_OK : EXIT_FAILED;
  },
};
