// Where the repository's own files live, for code run by tsx (CommonJS) and by Vitest (ESM) alike.
import path from 'node:path';
import fs from 'node:fs';

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'hardhat.config.ts')) && fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`medtrace: cannot find the repository root above ${start}`);
    dir = parent;
  }
}

/** The repository root (the folder holding package.json and hardhat.config.ts). */
export const repoRoot: string = findRepoRoot(typeof __dirname === 'string' ? __dirname : process.cwd());
