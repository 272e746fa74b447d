// `medtrace chain`: a local Hardhat JSON-RPC network with the three contracts
// deployed and their addresses written where nodes look for them.
import fs from 'node:fs';
import path from 'node:path';
import { JsonRpcProvider, Wallet } from 'ethers';
import { deployContracts, startLocalChain, writeDeployment } from '../../node/chain';
import { type Command, EXIT_OK, UsageError, portOption, stringOption, untilInterrupted } from './command';
import { compileContracts } from './contracts';

/**
 * `--deploy-only`: deploys the three contracts on an existing chain (Besu QBFT in production)
 * from the governor's key and writes the deployment file without that key.
 */
async function deployOnly(rpcUrl: string, dir: string, governorKey: { key?: string; keystore?: string; password?: string }): Promise<number> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  compileContracts(say);
  const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1, pollingInterval: 250 });
  try {
    let governor: Wallet;
    if (governorKey.keystore) {
      const decrypted = await Wallet.fromEncryptedJson(fs.readFileSync(governorKey.keystore, 'utf8'), governorKey.password ?? '');
      governor = new Wallet(decrypted.privateKey, provider);
    } else {
      governor = new Wallet(governorKey.key!, provider);
    }
    say(`deploying ParticipantRegistry, AnchorLog and RecallBoard on ${rpcUrl} from governor ${governor.address}…`);
    const deployment = await deployContracts(governor, { rpcUrl });
    const file = path.join(dir, 'deployment.json');
    writeDeployment(file, deployment);
    say(
      [
        `chain ${deployment.chainId} at ${rpcUrl} (deployed from block ${deployment.deployBlock})`,
        `  ParticipantRegistry  ${deployment.registry}`,
        `  AnchorLog            ${deployment.anchorLog}`,
        `  RecallBoard          ${deployment.recallBoard}`,
        `  governor             ${deployment.governor.address} (its key is not written to the file)`,
        `deployment written to ${file}`,
        '',
      ].join('\n'),
    );
    return EXIT_OK;
  } finally {
    provider.destroy();
  }
}

export const chainCommand: Command = {
  name: 'chain',
  summary: 'start a local Hardhat chain and deploy the contracts',
  description: `
Starts a Hardhat JSON-RPC network on 127.0.0.1, deploys ParticipantRegistry,
AnchorLog and RecallBoard, and writes <dir>/deployment.json (chain id, RPC URL,
contract addresses, and the governor's key, which is local-only). Nodes started
with \`medtrace node\` find the chain through that file. Runs until Ctrl-C; the
chain's state lives in memory and ends with it.

With --deploy-only, no local chain is started: the contracts are deployed on the
chain at --rpc (e.g. a Besu QBFT network: zero gas price, explicit gas limits)
from the governor's key (--governor-key / MEDTRACE_GOVERNOR_KEY, or the encrypted
keystore --governor-keystore with MEDTRACE_GOVERNOR_KEYSTORE_PASSWORD), and
<dir>/deployment.json is written without the key. Then it exits.`,
  options: {
    port: { type: 'string', short: 'p', valueName: '<port>', description: 'JSON-RPC port (default 8545)' },
    dir: { type: 'string', valueName: '<dir>', description: 'folder for deployment.json (default .medtrace/chain)' },
    'deploy-only': { type: 'boolean', description: 'deploy the contracts on the chain at --rpc instead of starting one' },
    rpc: { type: 'string', valueName: '<url>', description: 'with --deploy-only: the chain\'s JSON-RPC URL', env: 'CHAIN_RPC_URL' },
    'governor-key': { type: 'string', valueName: '<hex>', description: 'with --deploy-only: the governor\'s private key', env: 'MEDTRACE_GOVERNOR_KEY' },
    'governor-keystore': {
      type: 'string',
      valueName: '<file>',
      description: 'with --deploy-only: the governor\'s encrypted keystore (password in MEDTRACE_GOVERNOR_KEYSTORE_PASSWORD)',
    },
  },
  examples: [
    'medtrace chain',
    'medtrace chain --port 9545 --dir /tmp/chain',
    'MEDTRACE_GOVERNOR_KEYSTORE_PASSWORD=… medtrace chain --deploy-only --rpc http://besu-1:8545 --governor-keystore governor.json --dir deploy/',
  ],
  async run(args) {
    const port = portOption(args, 'port', 8545);
    const dir = path.resolve(stringOption(args, 'dir') ?? '.medtrace/chain');
    if (args.values['deploy-only']) {
      const rpc = stringOption(args, 'rpc');
      if (!rpc) throw new UsageError('--deploy-only needs --rpc <url> (or CHAIN_RPC_URL)');
      const key = stringOption(args, 'governor-key');
      const keystore = stringOption(args, 'governor-keystore');
      if (!key && !keystore) throw new UsageError('--deploy-only needs --governor-key (or MEDTRACE_GOVERNOR_KEY) or --governor-keystore');
      if (key && keystore) throw new UsageError('pass either --governor-key or --governor-keystore, not both');
      if (key && !/^(0x)?[0-9a-fA-F]{64}$/.test(key)) throw new UsageError('--governor-key must be 32 bytes of hex');
      return deployOnly(rpc, dir, { key: key && (key.startsWith('0x') ? key : `0x${key}`), keystore, password: process.env.MEDTRACE_GOVERNOR_KEYSTORE_PASSWORD });
    }
    // Signals are handled from here on: a Ctrl-C while the chain starts still stops it.
    const interrupted = untilInterrupted();
    let stopRequested = false;
    void interrupted.then(() => (stopRequested = true));
    compileContracts((line) => process.stdout.write(`${line}\n`));
    process.stdout.write(`starting a Hardhat network on port ${port} and deploying the contracts…\n`);
    const chain = await startLocalChain({ port, dir });
    try {
      const d = chain.deployment;
      if (!stopRequested) {
        process.stdout.write(
          [
            `chain ${d.chainId} at ${chain.rpcUrl}`,
            `  ParticipantRegistry  ${d.registry}`,
            `  AnchorLog            ${d.anchorLog}`,
            `  RecallBoard          ${d.recallBoard}`,
            `  governor             ${d.governor.address}`,
            `deployment written to ${chain.deploymentPath} (chain log: ${path.join(dir, 'hardhat.log')})`,
            'press Ctrl-C to stop',
            '',
          ].join('\n'),
        );
      }
      await interrupted;
      process.stdout.write('stopping the chain…\n');
    } finally {
      await chain.stop();
    }
    return EXIT_OK;
  },
};
