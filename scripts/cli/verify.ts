// `medtrace verify <file>`: checks a saved proof bundle (DESIGN 4.6) against the
// chain with the SDK's verifyBundle and says what it verified, or why it refused.
import fs from 'node:fs';
import path from 'node:path';
import { JsonRpcProvider } from 'ethers';
import { type ProofBundle, isMedtraceError, verifyBundle } from '../../sdk';
import { type Command, EXIT_FAILED, EXIT_OK, EXIT_USAGE, stringOption } from './command';
import { DEFAULT_DEPLOYMENT, readDeploymentFile, resolveRpcUrl } from './deployment';

/** Reads and parses the bundle file; a message naming the problem when it cannot. */
function readBundleFile(file: string): { bundle: unknown } | { problem: string } {
  const resolved = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(resolved, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? `no such file: ${resolved}` : `cannot read ${resolved}: ${(err as Error).message}` };
  }
  try {
    return { bundle: JSON.parse(text) };
  } catch (err) {
    return { problem: `${resolved} is not valid JSON: ${(err as Error).message}` };
  }
}

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'verify a saved proof bundle against the chain',
  args: '<file>',
  positionals: { min: 1, max: 1 },
  description: `
Reads a proof bundle (the JSON a node returns from GET /audit/v1/events/{seq}, its
"bundle" field, or the whole answer) and runs every check of the SDK's verifyBundle:
the event's leaf, each disclosed unit's place in its unit set, the inclusion proof,
the batch on the AnchorLog, the anchoring transaction, and the participant's status.
With a deployment file (--deployment, or the default one when no --rpc is given) the
bundle must also name that network's chain id and AnchorLog: a history anchored in an
AnchorLog of someone's own making is refused (CHAIN_MISMATCH). A bare --rpc pins nothing.

Exit status: 0 verified; 1 refused (the error code and the reason are printed);
2 the file cannot be read or is not JSON, or no chain is given.`,
  options: {
    rpc: { type: 'string', valueName: '<url>', description: 'JSON-RPC URL of the chain (default: the deployment file\'s rpcUrl)', env: 'CHAIN_RPC_URL' },
    deployment: { type: 'string', valueName: '<file>', description: `deployment file to take the RPC URL from (default ${DEFAULT_DEPLOYMENT})`, env: 'CHAIN_DEPLOYMENT' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  examples: ['medtrace verify bundle.json', 'medtrace verify bundle.json --rpc http://127.0.0.1:8545'],
  async run(args) {
    const file = args.positionals[0];
    const read = readBundleFile(file);
    if ('problem' in read) {
      process.stderr.write(`medtrace verify: ${read.problem}\n`);
      return EXIT_USAGE;
    }
    // Accept the node's whole answer ({ status, bundle }) as well as the bare bundle.
    const parsed = read.bundle as { bundle?: unknown; status?: unknown } | null;
    const bundle = (parsed && typeof parsed === 'object' && 'bundle' in parsed && 'status' in parsed ? parsed.bundle : parsed) as ProofBundle;

    const rpc = stringOption(args, 'rpc');
    const deploymentFile = stringOption(args, 'deployment');
    const rpcUrl = resolveRpcUrl(rpc, deploymentFile ?? DEFAULT_DEPLOYMENT);
    // The network trusted: the deployment file's chain id and AnchorLog, when it is the file
    // named, or the one the RPC URL came from (a bare --rpc pins nothing).
    const deployment = deploymentFile !== undefined || rpc === undefined ? readDeploymentFile(deploymentFile ?? DEFAULT_DEPLOYMENT) : undefined;
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
    try {
      const verified = await verifyBundle(bundle, {
        provider,
        ...(deployment ? { registry: deployment.registry, expect: { chainId: deployment.chainId, anchorLog: deployment.anchorLog } } : {}),
      });
      if (args.values.json) {
        process.stdout.write(`${JSON.stringify({ verified: true, ...verified }, null, 2)}\n`);
      } else {
        const lines = [
          `verified: event ${verified.seq} of participant ${verified.participant}`,
          `  leaf ${verified.leaf}`,
          `  anchored on chain ${verified.chainId} in batch ${verified.batch} (events ${verified.from}-${verified.to}), block ${verified.blockNumber}, tx ${verified.txHash}`,
          `  batch root ${verified.root}`,
        ];
        if (verified.units.length > 0) lines.push(`  units (${verified.units.length}):`, ...verified.units.map((u) => `    ${u}`));
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      return EXIT_OK;
    } catch (err) {
      if (!isMedtraceError(err)) throw err;
      if (args.values.json) {
        process.stdout.write(`${JSON.stringify({ verified: false, code: err.code, field: err.field, reason: err.message }, null, 2)}\n`);
      } else {
        process.stderr.write(`refused: ${err.code}${err.field ? ` (${err.field})` : ''}: ${err.message}\n`);
      }
      return EXIT_FAILED;
    } finally {
      provider.destroy();
    }
  },
};
