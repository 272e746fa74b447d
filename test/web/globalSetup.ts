// Starts ONE demo (`medtrace demo`: a chain and three node processes, what
// `npm start` runs) for every browser test file, and stops it at the end.
// The browser tests run once per CI run: in the embedded pass (the demo always
// runs on embedded databases; the real-Postgres pass skips them, as it skips
// the demo test). Without Chromium they are skipped with a warning, unless
// MEDTRACE_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startMedtrace, type RunningCli } from '../cli/run';
import { testServerUrl } from '../support/database';
import { freePort } from '../support/ports';
import { repoRoot } from '../../node/paths';
import { CHROMIUM_PATH } from './browser';
import type { DemoState } from './demoState';

let cli: RunningCli | undefined;
let dir: string | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const screenshotDir = path.join(repoRoot, 'test-results', 'screenshots');
  fs.mkdirSync(screenshotDir, { recursive: true });
  project.provide('screenshotDir', screenshotDir);
  project.provide('demo', null);
  if (testServerUrl()) {
    project.provide('webSkip', 'the browser tests run in the embedded pass (the demo always uses embedded databases)');
    return async () => undefined;
  }
  if (!fs.existsSync(CHROMIUM_PATH)) {
    const why = `no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium)`;
    if (process.env.MEDTRACE_REQUIRE_BROWSER === '1') throw new Error(`browser tests required but ${why}`);
    process.stderr.write(`\nWARNING: skipping the browser tests: ${why}\n\n`);
    project.provide('webSkip', why);
    return async () => undefined;
  }
  project.provide('webSkip', null);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'medtrace-web-demo-'));
  const port = await freePort();
  const ports = [port, await freePort(), await freePort(), await freePort()];
  cli = startMedtrace([
    'demo',
    '--dir',
    dir,
    '--port',
    String(ports[0]),
    '--distributor-port',
    String(ports[1]),
    '--hospital-port',
    String(ports[2]),
    '--chain-port',
    String(ports[3]),
    '--serials',
    '30',
  ]);
  try {
    await cli.waitForOutput(/medtrace demo is running/, 300_000);
  } catch (err) {
    const out = cli.output();
    await cli.stop();
    throw new Error(`the demo did not start: ${(err as Error).message}\n${out.slice(-4000)}`);
  }
  const state = JSON.parse(fs.readFileSync(path.join(dir, 'demo.json'), 'utf8')) as DemoState;
  if (state.stoppedAt) throw new Error(`the demo flow stopped: ${state.stoppedAt}`);
  project.provide('demo', state);
  return async () => {
    await cli?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  };
}
