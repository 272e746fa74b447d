// Creating an embedded PGlite database runs initdb in WASM: seconds, and tens
// of seconds on a busy 2-core machine. Tests instead copy a migrated template,
// built once per set of migrations and shared by every test file and run.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openDatabase } from '../../node/db';
import { listMigrations } from '../../node/db/migrate';
import { repoRoot } from '../../node/paths';

function templateKey(): string {
  const hash = createHash('sha256');
  const pglite = JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version;
  hash.update(`pglite ${pglite}\n`);
  for (const migration of listMigrations()) hash.update(`${migration.name}\n`).update(fs.readFileSync(migration.file));
  return hash.digest('hex').slice(0, 16);
}

/** A folder holding `pgdata/`: an embedded database with every migration applied. */
export async function pgliteTemplate(): Promise<string> {
  const dir = path.join(os.tmpdir(), `medtrace-pglite-template-${templateKey()}`);
  const ready = path.join(dir, 'READY');
  if (fs.existsSync(ready)) return dir;
  const lock = `${dir}.lock`;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      if (fs.existsSync(ready)) return dir;
      // A builder that died leaves its lock behind; building takes well under 2 minutes.
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > 120_000) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    if (fs.existsSync(ready)) return dir;
    const building = `${dir}.building-${process.pid}`;
    fs.rmSync(building, { recursive: true, force: true });
    const db = await openDatabase({ dataDir: building });
    await migrate(db.sql);
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(building, dir);
    fs.writeFileSync(ready, new Date().toISOString());
    pruneOldTemplates(dir);
    return dir;
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

// Templates of earlier migration sets, untouched for an hour, are no longer needed.
function pruneOldTemplates(keep: string): void {
  const tmp = os.tmpdir();
  for (const name of fs.readdirSync(tmp)) {
    const full = path.join(tmp, name);
    if (!name.startsWith('medtrace-pglite-template-') || full === keep || name.includes('.')) continue;
    try {
      if (Date.now() - fs.statSync(full).mtimeMs > 3_600_000) fs.rmSync(full, { recursive: true, force: true });
    } catch {
      // removed meanwhile
    }
  }
}

/** Puts a copy of the migrated template database into `${dataDir}/pgdata` (where the node's embedded database lives). */
export async function seedEmbeddedDatabase(dataDir: string): Promise<void> {
  const template = await pgliteTemplate();
  fs.mkdirSync(dataDir, { recursive: true });
  fs.cpSync(path.join(template, 'pgdata'), path.join(dataDir, 'pgdata'), { recursive: true });
}
