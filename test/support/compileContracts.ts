// Compiles contracts/ into artifacts/ through the Hardhat library (run with tsx:
// the Hardhat CLI would need ts-node to read our TypeScript config).
import hre from 'hardhat';
import { TASK_COMPILE } from 'hardhat/builtin-tasks/task-names';

hre.run(TASK_COMPILE, { quiet: true }).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
