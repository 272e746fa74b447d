// Operational endpoints: liveness, readiness (database and chain reachable),
// Prometheus metrics, the OpenAPI 3.1 document and its docs page.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { NodeContext } from '../context';
import { DOCS_PAGE } from './docsPage';
import type { HttpMetrics } from './metrics';
import { problems } from './problem';
import { createRouter } from './router';

/** SHA-256 of a token: equal lengths for timingSafeEqual, whatever was sent. */
const digest = (token: string) => createHash('sha256').update(token).digest();

const Health = z.object({ status: z.literal('ok') }).openapi('Health');
const Readiness = z
  .object({
    status: z.enum(['ready', 'not ready']),
    checks: z.object({ database: z.string(), chain: z.string() }),
    participant: z.string(),
    chainId: z.number().int(),
  })
  .openapi('Readiness');

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['ops'],
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'alive', content: { 'application/json': { schema: Health } } } },
});

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['ops'],
  summary: 'Readiness: the database and the chain answer',
  responses: {
    200: { description: 'ready', content: { 'application/json': { schema: Readiness } } },
    503: { description: 'not ready', content: { 'application/json': { schema: Readiness } } },
  },
});

async function check(work: () => Promise<unknown>, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return `failed: ${(error as Error).message}`.slice(0, 200);
  } finally {
    clearTimeout(timer);
  }
}

export function opsRoutes(ctx: NodeContext, metrics: HttpMetrics) {
  const app = createRouter();

  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200));

  app.openapi(ready, async (c) => {
    const [database, chain] = await Promise.all([
      check(() => ctx.sql`select 1`, 2000),
      check(() => ctx.chain.provider.getBlockNumber(), 2000),
    ]);
    const ok = database === 'ok' && chain === 'ok';
    const body = { status: ok ? ('ready' as const) : ('not ready' as const), checks: { database, chain }, participant: ctx.participant, chainId: ctx.chainId };
    return ok ? c.json(body, 200) : c.json(body, 503);
  });

  const scraper = ctx.config.metricsToken === undefined ? undefined : digest(ctx.config.metricsToken);
  app.get('/metrics', async (c) => {
    if (scraper) {
      const given = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1];
      // (a 401 gets its WWW-Authenticate: Bearer from the problem handler)
      if (!given || !timingSafeEqual(digest(given), scraper)) throw problems.unauthorized('/metrics wants Authorization: Bearer <METRICS_TOKEN>');
    }
    c.header('content-type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });

  app.get('/docs', (c) => c.html(DOCS_PAGE));

  return app;
}
