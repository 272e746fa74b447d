// `medtrace register`: the consortium governor registers a participant on the
// ParticipantRegistry (DESIGN section 5) and optionally assigns its GS1 company prefix.
import { Contract, Interface, JsonRpcProvider, Wallet, getAddress, isHexString } from 'ethers';
import { loadArtifact } from '../../node/chain/artifacts';
import { sendAndWait } from '../../node/chain/transactions';
import { type Command, EXIT_OK, UsageError, stringOption } from './command';
import { DEFAULT_DEPLOYMENT, readDeploymentFile } from './deployment';

/** Role numbers of ParticipantRegistry.register. */
export const ROLE_NUMBERS = { manufacturer: 1, distributor: 2, hospital: 3, platform: 4, other: 5 } as const;

/** The registry's custom error with its arguments when `err` is a revert it explains; else the error's message. */
function describeFailure(err: unknown, registry: Interface): string {
  const data = (err as { data?: unknown }).data ?? (err as { info?: { error?: { data?: unknown } } }).info?.error?.data;
  if (typeof data === 'string' && data.length >= 10) {
    const decoded = registry.parseError(data);
    if (decoded) return `the registry refused: ${decoded.name}(${decoded.args.map(String).join(', ')})`;
  }
  return (err as Error).message;
}

function requireOption(value: string | undefined, name: string, why = ''): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required${why}`);
  return value;
}

export const registerCommand: Command = {
  name: 'register',
  summary: 'register a participant on the chain (governor)',
  description: `
Sends ParticipantRegistry.register(address, name, role, gln, endpoint, thumbprint)
from the governor's key and, with --prefix, assignPrefix(address, prefix). On a
local chain started with \`medtrace chain\`, the RPC URL, the registry address
and the governor key are read from the deployment file; on any other chain pass
--rpc, --registry and --governor-key (or MEDTRACE_GOVERNOR_KEY). A node started
on a local chain registers itself: this command is for other chains and for
registering a company by hand.`,
  options: {
    rpc: { type: 'string', valueName: '<url>', description: 'JSON-RPC URL (default: the deployment file\'s)', env: 'CHAIN_RPC_URL' },
    deployment: { type: 'string', valueName: '<file>', description: `deployment file (default ${DEFAULT_DEPLOYMENT})`, env: 'CHAIN_DEPLOYMENT' },
    registry: { type: 'string', valueName: '<address>', description: 'ParticipantRegistry address (default: the deployment file\'s)' },
    'governor-key': { type: 'string', valueName: '<hex>', description: 'governor private key (default: the local deployment file\'s)', env: 'MEDTRACE_GOVERNOR_KEY' },
    address: { type: 'string', valueName: '<address>', description: 'the participant\'s chain address', required: true },
    name: { type: 'string', valueName: '<name>', description: 'company name', required: true },
    role: { type: 'string', valueName: '<role>', description: 'manufacturer|distributor|hospital|platform|other', required: true },
    gln: { type: 'string', valueName: '<gln>', description: '13-digit GLN (default none)' },
    endpoint: { type: 'string', valueName: '<url>', description: 'the node\'s public URL (default none)' },
    thumbprint: { type: 'string', valueName: '<hex>', description: 'SHA-256 JWK thumbprint (RFC 7638) of its Ed25519 signing key, 0x + 64 hex', required: true },
    prefix: { type: 'string', valueName: '<digits>', description: 'GS1 company prefix to assign (4-12 digits)' },
  },
  examples: [
    'medtrace register --address 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --name "Acme Medical" --role manufacturer --thumbprint 0x<64 hex digits> --prefix 0614141 --endpoint https://acme.example',
  ],
  async run(args) {
    const deploymentFile = stringOption(args, 'deployment') ?? DEFAULT_DEPLOYMENT;
    const deployment = readDeploymentFile(deploymentFile);
    const why = deployment ? ` (the deployment file ${deploymentFile} has none)` : ` (no ${deploymentFile} to read it from)`;
    const rpcUrl = stringOption(args, 'rpc') ?? requireOption(deployment?.rpcUrl, 'rpc', why);
    const registryAddress = stringOption(args, 'registry') ?? requireOption(deployment?.registry, 'registry', why);
    const governorKey = stringOption(args, 'governor-key') ?? requireOption(deployment?.governor.privateKey, 'governor-key', why);

    let participant: string;
    try {
      participant = getAddress(stringOption(args, 'address')!.toLowerCase());
    } catch {
      throw new UsageError(`--address must be a 20-byte 0x address, got '${stringOption(args, 'address')}'`);
    }
    const roleName = stringOption(args, 'role')!;
    const role = ROLE_NUMBERS[roleName as keyof typeof ROLE_NUMBERS];
    if (role === undefined) throw new UsageError(`--role must be one of ${Object.keys(ROLE_NUMBERS).join('|')}, got '${roleName}'`);
    const gln = stringOption(args, 'gln') ?? '';
    if (gln !== '' && !/^\d{13}$/.test(gln)) throw new UsageError(`--gln must be 13 digits, got '${gln}'`);
    const thumbprint = stringOption(args, 'thumbprint')!;
    if (!isHexString(thumbprint, 32)) throw new UsageError(`--thumbprint must be 0x followed by 64 hex digits, got '${thumbprint}'`);
    const prefix = stringOption(args, 'prefix');
    if (prefix !== undefined && !/^\d{4,12}$/.test(prefix)) throw new UsageError(`--prefix must be 4-12 digits, got '${prefix}'`);

    // cacheTimeout -1: two transactions in a row must not reuse a cached pending nonce.
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const registry = new Contract(registryAddress, loadArtifact('ParticipantRegistry').abi, provider);
    try {
      const governor = new Wallet(governorKey, provider);
      const name = stringOption(args, 'name')!;
      const endpoint = stringOption(args, 'endpoint') ?? '';
      // sendAndWait estimates gas first: a refusal comes back as the registry's custom error data.
      const registered = await sendAndWait(governor, await registry.register.populateTransaction(participant, name, role, gln, endpoint, thumbprint));
      process.stdout.write(`registered ${participant} as ${roleName} (tx ${registered.hash}, block ${registered.blockNumber})\n`);
      if (prefix !== undefined) {
        const assigned = await sendAndWait(governor, await registry.assignPrefix.populateTransaction(participant, prefix));
        process.stdout.write(`assigned prefix ${prefix} (tx ${assigned.hash}, block ${assigned.blockNumber})\n`);
      }
      return EXIT_OK;
    } catch (err) {
      throw new Error(describeFailure(err, registry.interface), { cause: err });
    } finally {
      provider.destroy();
    }
  },
};
