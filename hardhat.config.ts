// Hardhat 2 configuration: compiles contracts/ with the solc npm package (no
// compiler download, works offline) and runs the in-process Hardhat network.
import { subtask } from 'hardhat/config';
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from 'hardhat/builtin-tasks/task-names';
import type { HardhatUserConfig } from 'hardhat/types';
import '@nomicfoundation/hardhat-ethers';

const SOLC_VERSION = '0.8.28';

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require('solc');
  return {
    compilerPath: require.resolve('solc/soljson.js'),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion: solc.version(),
  };
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    // paris: no PUSH0/MCOPY, so the bytecode runs on any permissioned EVM
    // (Besu QBFT genesis files often predate Shanghai).
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'paris' },
  },
  paths: { sources: './contracts', tests: './test/contracts', artifacts: './artifacts', cache: './cache' },
  networks: {
    hardhat: { chainId: 31337 },
  },
};

export default config;
