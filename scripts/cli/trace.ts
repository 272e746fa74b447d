// `medtrace trace <udi>`: the backward trace of one unit as a node tells it
// (GET /api/v1/trace/unit), with every proof bundle re-verified HERE with the SDK
// against the chain — the node's own "verified" is not taken on trust. Exit 1 when
// any hop lacks a bundle, a bundle is refused, or a bundle names another network.
import { JsonRpcProvider } from 'ethers';
import {
  type ProofBundle,
  type VerifiedBundle,
  NodeHttpError,
  createNodeClient,
  isMedtraceError,
  parseGs1,
  unitUri,
  verifyBundle,
} from '../../sdk';
import { type Command, EXIT_FAILED, EXIT_OK, UsageError, stringOption } from './command';
import { DEFAULT_DEPLOYMENT, readDeploymentFile } from './deployment';
import type { TraceHop, UnitTrace } from '../../node/network/trace';

export interface CheckedHop extends TraceHop {
  /** What this command established for the hop. */
  check: { verified: true; batch: number; blockNumber: number; txHash: string } | { verified: false; reason: string };
}

const short = (step: string) => step.replace(/^urn:medtrace:bizstep:/, '').replace(/^https:\/\/ref\.gs1\.org\/cbv\/BizStep-/, '');

export const traceCommand: Command = {
  name: 'trace',
  summary: "a unit's verified history across companies (backward trace, re-verified against the chain)",
  args: '<udi>',
  positionals: { min: 1, max: 1 },
  description: `
Asks a node (--node, the company that holds the unit or last had it) for the
backward trace of one unit — <udi> in any GS1 form: Digital Link, bracketed or raw
element string — and re-verifies every proof bundle of the answer itself with the
SDK's verifyBundle against the chain: each event's leaf and inclusion proof, the
batch on the AnchorLog, the anchoring transaction, the participant's status, and
that the unit is among the disclosed units where the event lists units. With a
deployment file (default ${DEFAULT_DEPLOYMENT}, or --deployment) every bundle must
also name that network's chain id and AnchorLog. Prints the history, oldest first.

Signs in with --user/--password (MEDTRACE_USER, MEDTRACE_PASSWORD), or sends
--token (MEDTRACE_TOKEN) as is. Exit status: 0 every hop verified; 1 a hop has no
bundle, a bundle is refused or names another network, or the node refused; 2
wrong use.`,
  options: {
    node: { type: 'string', valueName: '<url>', description: "the node's base URL", env: 'MEDTRACE_NODE', required: true },
    user: { type: 'string', valueName: '<username>', description: 'staff user to sign in as', env: 'MEDTRACE_USER' },
    password: { type: 'string', valueName: '<password>', description: 'its password', env: 'MEDTRACE_PASSWORD' },
    token: { type: 'string', valueName: '<jwt>', description: 'a bearer token instead of --user/--password', env: 'MEDTRACE_TOKEN' },
    rpc: { type: 'string', valueName: '<url>', description: "chain JSON-RPC URL (default: the deployment file's)", env: 'CHAIN_RPC_URL' },
    deployment: { type: 'string', valueName: '<file>', description: `deployment file: RPC URL, chain id and AnchorLog to pin (default ${DEFAULT_DEPLOYMENT})`, env: 'CHAIN_DEPLOYMENT' },
    json: { type: 'boolean', description: 'print the checked trace as JSON' },
  },
  examples: [
    "medtrace trace '(01)00614141000012(10)L261123A(21)SN000001' --node http://127.0.0.1:8082 --user admin --password …",
    'medtrace trace https://id.gs1.org/01/00614141000012/21/SN000001 --node https://trace.hospital.example --token "$TOKEN" --rpc https://besu.example:8545',
  ],
  async run(args) {
    const udi = args.positionals[0];
    try {
      parseGs1(udi);
    } catch (err) {
      throw new UsageError(`<udi> is not a GS1 code the SDK reads: ${(err as Error).message}`);
    }
    const nodeUrl = stringOption(args, 'node')!;
    const deploymentFile = stringOption(args, 'deployment') ?? DEFAULT_DEPLOYMENT;
    const deployment = readDeploymentFile(deploymentFile);
    const rpcUrl = stringOption(args, 'rpc') ?? deployment?.rpcUrl;
    if (!rpcUrl) throw new UsageError(`no chain to verify against: pass --rpc <url> or --deployment <file> (${deploymentFile} does not exist or names no RPC URL)`);

    let token = stringOption(args, 'token');
    const user = stringOption(args, 'user');
    if (!token) {
      if (!user) throw new UsageError('pass --user and --password (or --token) to sign in to the node');
      const password = stringOption(args, 'password');
      if (!password) throw new UsageError('--password is required with --user (or set MEDTRACE_PASSWORD)');
      const anonymous = createNodeClient({ baseUrl: nodeUrl });
      token = (await anonymous.request<{ accessToken: string }>('POST', '/api/v1/auth/token', { username: user, password })).accessToken;
    }
    const client = createNodeClient({ baseUrl: nodeUrl, token });
    let trace: UnitTrace;
    try {
      trace = await client.request<UnitTrace>('GET', `/api/v1/trace/unit?udi=${encodeURIComponent(udi)}`);
    } catch (err) {
      if (err instanceof NodeHttpError) {
        process.stderr.write(`medtrace trace: the node refused: ${err.message}\n`);
        return EXIT_FAILED;
      }
      throw err;
    }

    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true });
    let checked: CheckedHop[];
    try {
      checked = await checkTrace(trace, { provider, deployment: deployment ? { chainId: deployment.chainId, anchorLog: deployment.anchorLog, registry: deployment.registry } : undefined });
    } finally {
      provider.destroy();
    }
    const allVerified = checked.length > 0 && checked.every((h) => h.check.verified);

    if (args.values.json) {
      process.stdout.write(`${JSON.stringify({ unit: trace.unit, verified: allVerified, hops: checked }, null, 2)}\n`);
    } else {
      const { gtin, lot, serial } = trace.unit;
      const lines = [`unit ${unitUri(gtin, serial)} (GTIN ${gtin}, lot ${lot}, serial ${serial}): ${checked.length} events, oldest first`];
      const width = Math.max(8, ...checked.map((h) => h.name.length));
      for (const hop of checked) {
        const status = hop.check.verified ? `verified: batch ${hop.check.batch}, block ${hop.check.blockNumber}` : `REFUSED: ${hop.check.reason}`;
        lines.push(`  ${hop.eventTime}  ${hop.name.padEnd(width)}  ${hop.role.padEnd(12)}  ${short(hop.bizStep).padEnd(13)} ${(hop.disposition ?? '').padEnd(24)} seq ${String(hop.seq).padEnd(5)} ${status}`);
      }
      lines.push(
        allVerified
          ? `every event verified against chain ${deployment?.chainId ?? ''} (${rpcUrl})${deployment ? '' : '; network not pinned: no deployment file'}`.replace('  ', ' ')
          : `NOT verified: ${checked.filter((h) => !h.check.verified).length} of ${checked.length} events refused${checked.length === 0 ? ' (the node returned no events)' : ''}`,
      );
      (allVerified ? process.stdout : process.stderr).write(`${lines.join('\n')}\n`);
    }
    return allVerified ? EXIT_OK : EXIT_FAILED;
  },
};

/**
 * Verifies each hop of `trace` with its bundle (matched by participant and seq) against the chain;
 * a hop without a bundle, a refused bundle, one naming another network, or one whose disclosed
 * units leave out the traced unit is refused with the reason.
 */
export async function checkTrace(
  trace: UnitTrace,
  options: { provider: JsonRpcProvider; deployment?: { chainId: number; anchorLog: string; registry: string } },
): Promise<CheckedHop[]> {
  const unit = unitUri(trace.unit.gtin, trace.unit.serial);
  const results = new Map<string, { verified: VerifiedBundle } | { reason: string }>();
  for (const bundle of trace.bundles) {
    const key = `${String(bundle?.envelope?.participant).toLowerCase()}#${bundle?.envelope?.seq}`;
    try {
      const pin = options.deployment;
      const verified = await verifyBundle(bundle, {
        provider: options.provider,
        ...(pin ? { registry: pin.registry, expect: { chainId: pin.chainId, anchorLog: pin.anchorLog } } : {}),
      });
      const listsUnits = Array.isArray((bundle.envelope.event as { epcList?: unknown }).epcList);
      if (listsUnits && verified.units.length > 0 && !verified.units.includes(unit)) {
        throw new Error(`UNIT_NOT_DISCLOSED: the event's disclosed units do not include ${unit}`);
      }
      results.set(key, { verified });
    } catch (err) {
      const reason = isMedtraceError(err) ? `${err.code}${err.field ? ` (${err.field})` : ''}: ${err.message}` : (err as Error).message;
      if (!results.has(key) || 'reason' in results.get(key)!) results.set(key, { reason });
    }
  }
  return trace.hops.map((hop) => {
    const result = results.get(`${hop.participant.toLowerCase()}#${hop.seq}`);
    let check: CheckedHop['check'];
    if (!result) check = { verified: false, reason: 'no proof bundle for this event in the answer' };
    else if ('reason' in result) check = { verified: false, reason: result.reason };
    else check = { verified: true, batch: result.verified.batch, blockNumber: result.verified.blockNumber, txHash: result.verified.txHash };
    return { ...hop, check };
  });
}
