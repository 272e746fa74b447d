// The in-process Hardhat runtime for contract tests. hardhat.config.ts is TypeScript and Hardhat 2
// loads it with a plain require(), so tsx's CommonJS hook must be registered before 'hardhat' is.
import 'tsx/cjs';
import hre from 'hardhat';

export default hre;
