// Runs a Hardhat JSON-RPC network in this process (the `hardhat node` task) without
// the Hardhat CLI, which would need ts-node for our TypeScript config; tsx loads it.
// Usage: tsx node/chain/hardhatNode.ts [--port 8545] [--hostname 127.0.0.1] [--zero-fee]
// --zero-fee: a base fee of 0 from the first block, like a Besu QBFT network with
// zeroBaseFee (legacy transactions with gas price 0 are then accepted and mined).
import hre from 'hardhat';
import { TASK_NODE } from 'hardhat/builtin-tasks/task-names';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

if (process.argv.includes('--zero-fee')) {
  // The in-process network's provider is created lazily from this (resolved) config object.
  hre.config.networks.hardhat.initialBaseFeePerGas = 0;
  hre.config.networks.hardhat.minGasPrice = 0n;
}

hre.run(TASK_NODE, { port: Number(arg('port', '8545')), hostname: arg('hostname', '127.0.0.1') }).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
