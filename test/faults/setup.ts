// What the fault runs share to get going: the product and first lot every load
// writes against, a node start that tolerates the node dying on the way up (a
// fault point can be reached while it settles what the last crash left), and a
// database the run can read afterwards: the Postgres server database when
// TEST_DATABASE_URL is set, else the embedded PGlite in the node's data folder.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { openDatabase, type Database } from '../../node/db';
import { createServerDatabase, startTestNode, testServerUrl } from '../support';
import type { TestNode, TestNodeOptions } from '../support';

export const GTIN = '09506000134352';

export interface FaultDatabase {
  /** The server database's URL; undefined: embedded in the node's data folder. */
  url?: string;
  dataDir: string;
  /** Opens it for the checks (embedded: only while no node runs). */
  open(): Promise<Database>;
  drop(): Promise<void>;
}

export async function faultDatabase(prefix: string): Promise<FaultDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `medtrace-${prefix}-`));
  const server = testServerUrl();
  const created = server ? await createServerDatabase(server) : undefined;
  return {
    url: created?.url,
    dataDir,
    open: () => openDatabase({ url: created?.url, dataDir }),
    async drop() {
      await created?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The product and the lot the inspections of a load are recorded on. */
export async function seedCatalog(node: TestNode, lot: string): Promise<void> {
  const product = await node.request('/api/v1/products', { body: { gtin: GTIN, name: 'Stent', model: 'S1', deviceClass: 'III' } });
  expect([201, 409], await product.clone().text()).toContain(product.status);
  const created = await node.request('/api/v1/lots', {
    body: { gtin: GTIN, lot, productionDate: '2026-01-15', expiry: '2029-01-31', serialCount: 10, serialPrefix: lot },
  });
  expect(created.status, await created.clone().text()).toBe(201);
}

/** Starts a node; `ready` false when it died before answering /ready (the caller decides whether that is fine). */
export async function startNodeOrDeath(options: TestNodeOptions): Promise<{ node: TestNode; ready: boolean }> {
  const node = await startTestNode({ ...options, noWait: true });
  let dead = false;
  void node.exited.then(() => (dead = true));
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  for (;;) {
    if (dead) return { node, ready: false };
    try {
      if ((await fetch(`${node.url}/ready`)).ok) return { node, ready: true };
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await node.kill('SIGKILL');
      throw new Error(`the node was not ready within ${options.timeoutMs ?? 90_000} ms\n${node.output().slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Counts log lines by message over a node's whole life (its output() keeps only the tail). */
export interface LogCounter {
  onOutput(chunk: string, stream: 'stdout' | 'stderr'): void;
  /** Lines whose `msg` is `message`. */
  count(message: string): number;
  /** The first line whose `msg` is `message`, if any. */
  first(message: string): string | undefined;
}

export function logCounter(messages: readonly string[]): LogCounter {
  const partial = { stdout: '', stderr: '' };
  const counts = new Map<string, number>();
  const firsts = new Map<string, string>();
  return {
    onOutput(chunk, stream) {
      const lines = (partial[stream] + chunk).split('\n');
      partial[stream] = lines.pop()!;
      for (const line of lines) {
        for (const message of messages) {
          if (!line.includes(`"msg":${JSON.stringify(message)}`)) continue;
          counts.set(message, (counts.get(message) ?? 0) + 1);
          if (!firsts.has(message)) firsts.set(message, line);
        }
      }
    },
    count: (message) => counts.get(message) ?? 0,
    first: (message) => firsts.get(message),
  };
}
