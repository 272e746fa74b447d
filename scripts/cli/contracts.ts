// The compiled contracts the chain commands deploy: compiled (incrementally, so
// a changed .sol is never deployed stale) before a local chain starts. On a
// fresh clone this is what makes `npm install` then `npm start` enough.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { hasArtifacts } from '../../node/chain/artifacts';
import { repoRoot } from '../../node/paths';

export function compileContracts(say: (line: string) => void): void {
  if (!hasArtifacts()) say('compiling the contracts (first run)…');
  const tsxCli = require.resolve('tsx/cli', { paths: [repoRoot] });
  const result = spawnSync(process.execPath, [tsxCli, path.join(repoRoot, 'scripts', 'compile.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (result.status !== 0 || !hasArtifacts()) throw new Error('compiling the contracts failed (see above); try `npm run compile`');
}
