// Build the web pages (web/ → web/dist) with Vite when a source changed since the
// last build: `npm test`, `npm start` and `medtrace node` call it, so a fresh
// checkout never serves stale or missing pages. `--force` rebuilds anyway.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../node/paths';

const WEB = path.join(repoRoot, 'web');
const DIST = path.join(WEB, 'dist');
const STAMP = path.join(DIST, '.built');
/** What the pages are made of: the pages themselves and the SDK they bundle. */
const SOURCES = [WEB, path.join(repoRoot, 'sdk')];

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('dist') || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

export function webIsBuilt(): boolean {
  if (!fs.existsSync(STAMP)) return false;
  const built = fs.statSync(STAMP).mtimeMs;
  return SOURCES.every((dir) => newestSource(dir) <= built);
}

/** Build when stale; returns whether a build ran. */
export async function buildWeb(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<boolean> {
  if (!options.force && webIsBuilt()) return false;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  log('building the web pages (web/ → web/dist)…');
  const { build } = await import('vite');
  // Built beside web/dist, then swapped in: a node serving web/dist meanwhile never finds it half empty.
  const next = `${DIST}.next-${process.pid}`;
  try {
    await build({ configFile: path.join(WEB, 'vite.config.mts'), logLevel: 'warn', build: { outDir: next, emptyOutDir: true } });
    fs.writeFileSync(path.join(next, '.built'), new Date().toISOString());
    const old = `${DIST}.old-${process.pid}`;
    if (fs.existsSync(DIST)) fs.renameSync(DIST, old);
    fs.renameSync(next, DIST);
    fs.rmSync(old, { recursive: true, force: true });
  } finally {
    fs.rmSync(next, { recursive: true, force: true });
  }
  return true;
}

if (require.main === module) {
  buildWeb({ force: process.argv.includes('--force') }).then(
    (built) => {
      if (!built) process.stdout.write('web pages up to date (web/dist)\n');
    },
    (err: unknown) => {
      process.stderr.write(`medtrace: building the web pages failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
