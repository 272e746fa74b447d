// node/main.ts as a real process (test/support's harness): first start
// bootstraps the admin and prints its password once, SIGTERM stops cleanly, a
// restart keeps the data, and a bad configuration stops it with the reason.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestChain, startTestNode, type TestChain } from '../support';

let chain: TestChain;
beforeAll(async () => {
  chain = await startTestChain();
});
afterAll(async () => {
  await chain?.stop();
});

async function tokenFor(url: string, password: string): Promise<Response> {
  return fetch(`${url}/api/v1/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
}

describe('node/main.ts', () => {
  test('first start prints a generated admin password once; SIGTERM exits 0; a restart keeps it', async () => {
    const first = await startTestNode({ chain, env: { MEDTRACE_ADMIN_PASSWORD: undefined, ANCHOR_WORKER: 'off' } });
    try {
      const match = /password: (\S+)/.exec(first.output());
      expect(match).not.toBeNull();
      const password = match![1];
      expect((await tokenFor(first.url, password)).status).toBe(200);
      const ready = await (await fetch(`${first.url}/ready`)).json();
      expect(ready).toMatchObject({ status: 'ready', chainId: chain.deployment.chainId });

      const exit = await first.kill('SIGTERM');
      expect(exit).toEqual({ code: 0, signal: null });
      expect(first.output()).toMatch(/"msg":"stopped"/);

      const second = await startTestNode({ chain, dataDir: first.dataDir, env: { MEDTRACE_ADMIN_PASSWORD: undefined, ANCHOR_WORKER: 'off' } });
      try {
        expect(second.output()).not.toMatch(/password:/);
        expect((await tokenFor(second.url, password)).status).toBe(200);
        expect(second.output()).toMatch(/"msg":"request".*"path":"\/api\/v1\/auth\/token","status":200/);
      } finally {
        await second.kill();
      }
    } finally {
      // removes the data folder the restart shared
      await first.stop();
    }
  });

  test('a bad configuration stops the process with exit code 2 naming each bad variable', async () => {
    const node = await startTestNode({ chain, noWait: true, env: { ANCHOR_BATCH_SIZE: '0', LOG_LEVEL: 'chatty' } });
    try {
      expect(await node.exited).toEqual({ code: 2, signal: null });
      expect(node.output()).toContain('ANCHOR_BATCH_SIZE must be an integer 1-100000, got "0"');
      expect(node.output()).toContain('LOG_LEVEL must be one of debug|info|warn|error|silent, got "chatty"');
    } finally {
      await node.stop();
    }
  });
});
