// Public routes, no token, rate-limited per IP: the GS1 Digital Link paths of
// this node's own GTINs (303 to the verification page for a browser, an RFC
// 9264 linkset for a machine), the verification answer of one unit, and the
// recalls of a lot. Every GS1 rule comes from the SDK. The verification page of
// any node reads these answers from the GTIN owner's node: they are readable
// cross-origin.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { boardRecallsFor, isMedtraceError, parseGs1, type Gs1Data } from '../../sdk';
import type { NodeContext } from '../context';
import type { AppEnv } from '../http/env';
import { ProblemError, problems } from '../http/problem';
import { createRouter } from '../http/router';
import { gtinSchema, lotSchema, problemResponses, serialSchema } from '../http/schemas';
import { buildLinkset, verifyPageUrl } from './linkset';
import { rateLimit, type RateLimitOptions } from './rateLimit';
import { verifyUnit } from './verify';

export interface PublicRoutesOptions {
  rateLimit?: RateLimitOptions;
}

const param = <T extends z.ZodTypeAny>(name: string, schema: T, example: string): T =>
  schema.openapi({ param: { name, in: 'path' }, type: 'string', example }) as T;

const LinkType = z.object({
  linkType: z.string().max(100).optional().openapi({ description: '`linkset` (or `all`) asks for the linkset whatever the Accept header' }),
});

const LinksetSchema = z
  .object({ linkset: z.array(z.record(z.string(), z.unknown())) })
  .openapi('Linkset', { description: 'RFC 9264 linkset: the anchor and GS1 link relations (https://gs1.org/voc/…)' });

const Recall = z
  .object({
    chainRecallId: z.number().int(),
    issuer: z.string(),
    gtin: z.string(),
    lots: z.array(z.string()),
    recallClass: z.number().int(),
    action: z.string(),
    status: z.string(),
    noticeSha256: z.string(),
    noticeUri: z.string(),
    publishedAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('PublicRecall');

const Verification = z
  .object({
    verified: z.boolean(),
    verificationFailureReason: z.string().optional().openapi({ description: 'GS1 LVV code, e.g. No_match_GTIN_Serial' }),
    additionalInfo: z.enum(['Recalled', 'Expired']).optional(),
    recalled: z.boolean(),
    timestamp: z.string(),
    responderGLN: z.string().optional(),
    detail: z.string().optional(),
    data: z.object({
      gtin: z.string(),
      lot: z.string().nullable(),
      serial: z.string().nullable(),
      expiry: z.string().nullable(),
      manufacturer: z.object({ name: z.string(), participant: z.string(), gln: z.string().nullable() }),
      lotStatus: z.string().nullable(),
      product: z.object({ name: z.string(), model: z.string() }).nullable().openapi({ description: "the device as the maker's catalogue names it" }),
    }),
    evidence: z.object({
      commissioning: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'proof bundle of the commissioning event, disclosing the unit' }),
      release: z.record(z.string(), z.unknown()).nullable().openapi({ description: 'proof bundle of the lot’s release event' }),
    }),
    recalls: z.array(Recall),
  })
  .openapi('UnitVerification');

const linksetContent = { 'application/linkset+json': { schema: LinksetSchema }, 'application/json': { schema: LinksetSchema } };
const dlResponses = {
  200: { description: 'the linkset (Accept: application/linkset+json or application/json, or ?linkType=linkset)', content: linksetContent },
  303: { description: 'a browser: to the verification page `${PUBLIC_URL}/verify/01/…`' },
  ...problemResponses(404, 422),
  429: { description: 'rate limited' },
};

export function publicRoutes(ctx: NodeContext, options: PublicRoutesOptions = {}) {
  const app = createRouter();
  const limited = rateLimit(options.rateLimit);
  // Verification pages served by any node read these answers from the GTIN owner's node.
  for (const path of CROSS_ORIGIN_PATHS) app.use(path, readableByAnyOrigin);
  const dl = (path: string, params: z.ZodObject<z.ZodRawShape>, summary: string) =>
    createRoute({ method: 'get', path, tags: ['public'], summary, middleware: [limited] as const, request: { params, query: LinkType }, responses: dlResponses });

  const routes = [
    dl('/01/{gtin}', z.object({ gtin: param('gtin', gtinSchema, '09506000134352') }), 'GS1 Digital Link of a product'),
    dl('/01/{gtin}/10/{lot}', z.object({ gtin: param('gtin', gtinSchema, '09506000134352'), lot: param('lot', lotSchema, 'L1') }), 'GS1 Digital Link of a lot'),
    dl(
      '/01/{gtin}/21/{serial}',
      z.object({ gtin: param('gtin', gtinSchema, '09506000134352'), serial: param('serial', serialSchema, 'SN1') }),
      'GS1 Digital Link of a unit',
    ),
    dl(
      '/01/{gtin}/10/{lot}/21/{serial}',
      z.object({ gtin: param('gtin', gtinSchema, '09506000134352'), lot: param('lot', lotSchema, 'L1'), serial: param('serial', serialSchema, 'SN1') }),
      'GS1 Digital Link of a unit with its lot',
    ),
  ];
  for (const route of routes) {
    app.openapi(route, (async (c: Context<AppEnv>) => {
      const { gtin, lot, serial } = (c.req as unknown as { valid(target: 'param'): { gtin: string; lot?: string; serial?: string } }).valid('param');
      await assertOwnGtin(ctx, gtin);
      const data: Gs1Data = { gtin, ...(lot === undefined ? {} : { lot }), ...(serial === undefined ? {} : { serial }) };
      const base = baseUrl(ctx, c);
      if (wantsLinkset(c)) {
        let knownLot = lot;
        if (knownLot === undefined && serial !== undefined) {
          const [unit] = await ctx.sql<{ lot: string }[]>`select lot from units where gtin = ${gtin} and serial = ${serial}`;
          knownLot = unit?.lot;
        }
        const json = wantsJsonOnly(c) ? 'application/json' : 'application/linkset+json';
        return c.body(JSON.stringify(buildLinkset(base, data, knownLot)), 200, { 'content-type': json, vary: 'Accept' });
      }
      return c.body(null, 303, { location: verifyPageUrl(base, data), vary: 'Accept' });
    }) as never);
  }

  const verifyRoute = createRoute({
    method: 'get',
    path: '/public/v1/verify',
    tags: ['public'],
    summary: 'Verify a unit (or lot) from any GS1 form: a GS1 lightweight-verification-shaped answer with the proof bundles',
    middleware: [limited] as const,
    request: {
      query: z.object({
        udi: z.string().min(1).max(500).openapi({ description: 'a Digital Link, bracketed or raw element string', example: '(01)09506000134352(17)311231(10)L1(21)SN1' }),
      }),
    },
    responses: {
      200: { description: 'the answer; verified false names the failure reason', content: { 'application/json': { schema: Verification } } },
      ...problemResponses(404, 422),
      429: { description: 'rate limited' },
    },
  });
  app.openapi(verifyRoute, async (c) => {
    const { udi } = c.req.valid('query');
    let data: Gs1Data;
    try {
      data = parseGs1(udi);
    } catch (error) {
      if (!isMedtraceError(error)) throw error;
      throw problems.invalidIdentifier(`udi: ${error.message}`, 'udi');
    }
    if (data.serial === undefined && data.lot === undefined) throw problems.invalidInput('udi: must name a serial (21) or a lot (10)', 'udi');
    await assertOwnGtin(ctx, data.gtin);
    return c.json((await verifyUnit(ctx, data)) as never, 200);
  });

  const unitRoute = createRoute({
    method: 'get',
    path: '/public/v1/units/{gtin}/{serial}',
    tags: ['public'],
    summary: 'Verify a unit by GTIN and serial (the same answer as /public/v1/verify)',
    middleware: [limited] as const,
    request: { params: z.object({ gtin: param('gtin', gtinSchema, '09506000134352'), serial: param('serial', serialSchema, 'SN1') }) },
    responses: {
      200: { description: 'the answer', content: { 'application/json': { schema: Verification } } },
      ...problemResponses(404, 422),
      429: { description: 'rate limited' },
    },
  });
  app.openapi(unitRoute, async (c) => {
    const { gtin, serial } = c.req.valid('param');
    await assertOwnGtin(ctx, gtin);
    return c.json((await verifyUnit(ctx, { gtin, serial })) as never, 200);
  });

  const recallRoute = createRoute({
    method: 'get',
    path: '/public/v1/recall-status',
    tags: ['public'],
    summary: 'The RecallBoard’s recalls of a lot (or, without lot, those of all lots of the GTIN)',
    middleware: [limited] as const,
    request: { query: z.object({ gtin: gtinSchema, lot: lotSchema.optional() }) },
    responses: {
      200: {
        description: 'recalls, oldest first; recalled is true while one is open',
        content: { 'application/json': { schema: z.object({ gtin: z.string(), lot: z.string().nullable(), recalled: z.boolean(), recalls: z.array(Recall) }) } },
      },
      ...problemResponses(422),
      429: { description: 'rate limited' },
    },
  });
  app.openapi(recallRoute, async (c) => {
    const { gtin, lot } = c.req.valid('query');
    const recalls = await boardRecallsFor(ctx.chain.contracts.recallBoard, { gtin, lot: lot ?? '' });
    return c.json({ gtin, lot: lot ?? null, recalled: recalls.some((r) => r.status === 'open'), recalls }, 200);
  });

  return app;
}

/** Public reads a page of another origin makes (simple GETs: no preflight). */
export const CROSS_ORIGIN_PATHS = ['/01/*', '/public/v1/verify', '/public/v1/units/*', '/public/v1/recall-status', '/public/v1/recalls/*'];

/** Any origin may read the answer, refusals included; nothing here uses cookies, so no credentials. */
const readableByAnyOrigin: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  c.res.headers.set('access-control-allow-origin', '*');
};

/** The GTIN's company prefix must be this node's (the registry says who owns it). */
async function assertOwnGtin(ctx: NodeContext, gtin: string): Promise<void> {
  const owner = await ctx.directory.ownerOfGtin(gtin);
  if (owner !== ctx.participant) {
    throw new ProblemError(404, 'gtin-not-served', 'Not served here', `GTIN ${gtin} is not of a company prefix of this participant; ask the GTIN owner’s resolver`, {
      field: 'gtin',
      owner: owner ?? null,
    });
  }
}

function baseUrl(ctx: NodeContext, c: Context): string {
  return (ctx.config.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');
}

function wantsLinkset(c: Context): boolean {
  const linkType = c.req.query('linkType');
  if (linkType === 'linkset' || linkType === 'all') return true;
  const accept = (c.req.header('accept') ?? '').toLowerCase();
  const json = accept.includes('application/linkset+json') || accept.includes('application/json');
  // A browser sends text/html first; a machine asking for JSON gets the linkset.
  return json && !accept.startsWith('text/html');
}

function wantsJsonOnly(c: Context): boolean {
  const accept = (c.req.header('accept') ?? '').toLowerCase();
  return !accept.includes('application/linkset+json') && accept.includes('application/json');
}
