// `medtrace chain`: a local Hardhat JSON-RPC network with the three contracts
// deployed and their addresses written where nodes look for them.
import path from 'node:path';
import { startLocalChain } from '../../node/chain';
import { type Command, EXIT_OK, portOption, stringOption, untilInterrupted } from './command';
import { compileContracts } from './contracts';

export const chainCommand: Command = {
  name: 'chain',
  summary: 'start a local Hardhat chain and deploy the contracts',
  description: `
Starts a Hardhat JSON-RPC network on 127.0.0.1, deploys ParticipantRegistry,
AnchorLog and RecallBoard, and writes <dir>/deployment.json (chain id, RPC URL,
contract addresses, and the governor's key, which is local-only). Nodes started
with \`medtrace node\` find the chain through that file. Runs until Ctrl-C; the
chain's state lives in memory and ends with it.`,
  options: {
    port: { type: 'string', short: 'p', valueName: '<port>', description: 'JSON-RPC port (default 8545)' },
    dir: { type: 'string', valueName: '<dir>', description: 'folder for deployment.json (default .medtrace/chain)' },
  },
  examples: ['medtrace chain', 'medtrace chain --port 9545 --dir /tmp/chain'],
  async run(args) {
    const port = portOption(args, 'port', 8545);
    const dir = path.resolve(stringOption(args, 'dir') ?? '.medtrace/chain');
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
