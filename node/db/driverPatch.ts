// Whether the postgres driver carries scripts/patchPostgres.cjs (run by `npm install` as the
// postinstall script). Without it, postgres 3.4.9 throws inside a timer when the server ends
// a session under load, which ends the node's process (porsager/postgres#1208): the node
// says so at start. `npm install --ignore-scripts` is the usual way to end up there.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { repoRoot } from '../paths';

const script = createRequire(path.join(repoRoot, 'package.json'))('./scripts/patchPostgres.cjs') as {
  PATCHED_VERSION: string;
  MARK: string;
  BUILDS: string[];
};

/** The driver version the patch was written for. */
export const PATCHED_DRIVER_VERSION = script.PATCHED_VERSION;

export type DriverPatch =
  | { state: 'patched'; version: string }
  | { state: 'unpatched'; version: string; files: string[] }
  | { state: 'other-version'; version: string }
  | { state: 'not-found' };

export function postgresDriverPatch(driverDir: string = path.join(repoRoot, 'node_modules', 'postgres')): DriverPatch {
  const manifest = path.join(driverDir, 'package.json');
  if (!fs.existsSync(manifest)) return { state: 'not-found' };
  const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { version: string };
  if (version !== PATCHED_DRIVER_VERSION) return { state: 'other-version', version };
  const files = script.BUILDS.map((build) => path.join(driverDir, build, 'connection.js')).filter(
    (file) => fs.existsSync(file) && !fs.readFileSync(file, 'utf8').includes(script.MARK),
  );
  return files.length === 0 ? { state: 'patched', version } : { state: 'unpatched', version, files };
}

/** A warning for the log when the driver is not the patched one, else undefined. */
export function driverPatchWarning(patch: DriverPatch): string | undefined {
  switch (patch.state) {
    case 'unpatched':
      return `the postgres driver ${patch.version} is not patched (run: node scripts/patchPostgres.cjs): a Postgres restart under load would end this process`;
    case 'other-version':
      return `the postgres driver is ${patch.version}, scripts/patchPostgres.cjs patches ${PATCHED_DRIVER_VERSION}: check porsager/postgres#1208 before running against a server that restarts`;
    default:
      return undefined;
  }
}
