// /audit/v1 for auditors beyond the ledger itself: the full-ledger verification
// report (scope report), the EPCIS 2.0 export (scope export) and the forward
// trace across nodes (scope trace; the one route that also takes another
// participant's auditor token, for the GTINs that participant owns).
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { NodeContext } from '../context';
import type { AppEnv } from '../http/env';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { gtinSchema, lotSchema, problemResponses } from '../http/schemas';
import { auditCors } from './cors';
import { exportEpcis, MAX_EXPORT_EVENTS } from './epcis';
import { forwardTrace, MAX_TRACE_DEPTH } from './forwardTrace';
import { verifyLedger } from './report';
import { assertGtinAllowed, issueAuditorToken, requireAudit } from './tokens';

const seqQuery = (description: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a positive integer')
    .transform(Number)
    .optional()
    .openapi({ type: 'string', description });

const ExportQuery = z.object({
  fromSeq: seqQuery('first seq (default 1)'),
  toSeq: seqQuery(`last seq (default: the ledger head; at most ${MAX_EXPORT_EVENTS} events per document)`),
});

const TraceQuery = z.object({
  gtin: gtinSchema,
  lot: lotSchema,
  depth: z
    .string()
    .regex(/^[0-5]$/, `must be 0-${MAX_TRACE_DEPTH}`)
    .transform(Number)
    .optional()
    .openapi({ type: 'string', description: 'hops from the node first asked (set by nodes asking downstream)' }),
});

const Anomaly = z.object({ kind: z.string(), seq: z.number().int().optional(), batch: z.number().int().optional(), detail: z.string() });
const Report = z
  .object({
    participant: z.string(),
    chainId: z.number().int(),
    anchorLog: z.string(),
    generatedAt: z.string(),
    ok: z.boolean(),
    ledger: z.object({ events: z.number().int(), lastSeq: z.number().int(), anchoredThrough: z.number().int(), unanchored: z.number().int() }),
    batches: z.object({ local: z.number().int(), onChain: z.number().int(), verified: z.number().int() }),
    registry: z.object({ status: z.string(), invalidFromBatch: z.number().int() }),
    anomalyCount: z.number().int(),
    anomalies: z.array(Anomaly),
  })
  .openapi('LedgerVerificationReport');

const Shipment = z.object({
  shipmentId: z.number().int(),
  shippedAt: z.string(),
  ledgerSeq: z.number().int().nullable(),
  customer: z.object({ name: z.string(), participant: z.string().nullable() }),
  quantity: z.number().int(),
  units: z.array(z.string()),
});
const Trace = z
  .object({
    gtin: z.string(),
    lot: z.string(),
    nodes: z.array(z.object({ participant: z.string(), name: z.string(), depth: z.number().int(), shipments: z.array(Shipment) })),
    unreachable: z.array(z.object({ participant: z.string(), name: z.string(), depth: z.number().int(), reason: z.string(), detail: z.string().optional() })),
  })
  .openapi('ForwardTrace');

const report = createRoute({
  method: 'get',
  path: '/audit/v1/report',
  tags: ['audit'],
  summary: 'Full-ledger verification: leaves, prev chain, unit sets, contiguous batches, every batch root against the chain',
  security: bearerAuth,
  middleware: [requireAudit('report')] as const,
  responses: {
    200: { description: 'the report; ok is false when an anomaly was found', content: { 'application/json': { schema: Report } } },
    ...problemResponses(401, 403),
  },
});

const epcis = createRoute({
  method: 'get',
  path: '/audit/v1/export/epcis',
  tags: ['audit'],
  summary: 'The ledger as an EPCIS 2.0 JSON-LD EPCISDocument, with full EPC lists',
  security: bearerAuth,
  middleware: [requireAudit('export')] as const,
  request: { query: ExportQuery },
  responses: {
    200: {
      description: 'an EPCISDocument; medtrace:range.nextFromSeq continues it',
      content: { 'application/ld+json': { schema: z.record(z.string(), z.unknown()).openapi('EPCISDocument') } },
    },
    ...problemResponses(401, 403, 422),
  },
});

const trace = createRoute({
  method: 'get',
  path: '/audit/v1/trace/forward',
  tags: ['audit'],
  summary: 'Where a lot went: local shipments, then the same question to each customer node with the same token (≤ 5 hops)',
  security: bearerAuth,
  middleware: [requireAudit('trace', { allowForeign: true })] as const,
  request: { query: TraceQuery },
  responses: {
    200: { description: 'the merged trace', content: { 'application/json': { schema: Trace } } },
    ...problemResponses(401, 403, 422),
  },
});

export function auditorAuditRoutes(ctx: NodeContext) {
  const app = createRouter();

  // The CORS preflight of every /audit/v1 route (the routes themselves answer with CORS headers through requireAudit).
  app.options('/audit/v1/*', auditCors);

  app.openapi(report, async (c) => c.json(await verifyLedger(ctx), 200));

  app.openapi(epcis, async (c) => {
    const { fromSeq = 1, toSeq } = c.req.valid('query');
    if (toSeq !== undefined && toSeq < fromSeq) throw problems.invalidInput('toSeq: must not be less than fromSeq', 'toSeq');
    const principal = c.get('auditor');
    const document = await exportEpcis(ctx.sql, {
      participant: ctx.participant,
      participantName: ctx.config.participantName,
      fromSeq,
      toSeq,
      gtins: principal.gtins,
    });
    // The typed JSON response of the route would force application/json; an EPCIS document is JSON-LD.
    return ldJson(c, document) as never;
  });

  app.openapi(trace, async (c) => {
    const { gtin, lot, depth = 0 } = c.req.valid('query');
    const principal = c.get('auditor');
    assertGtinAllowed(principal, gtin);
    let token: string | undefined = principal.token || undefined;
    if (principal.kind === 'foreign' || principal.kind === 'staff') {
      const owner = await ctx.directory.ownerOfGtin(gtin);
      if (principal.kind === 'foreign' && owner !== principal.issuer) {
        throw new ProblemError(
          403,
          'auditor-not-gtin-owner',
          'Issuer does not own the GTIN',
          `a token issued by ${principal.issuer} is accepted here only for GTINs of its company prefixes; ${gtin} belongs to ${owner ?? 'no participant'}`,
          { field: 'gtin' },
        );
      }
      // The GTIN owner's staff ask downstream with a short-lived auditor token of their own node, recorded like any other.
      if (principal.kind === 'staff' && owner === ctx.participant) {
        token = (
          await issueAuditorToken(ctx.sql, ctx, { auditor: `staff:${principal.subject}`, scopes: ['trace'], ttlSeconds: 300, gtins: [gtin], issuedBy: principal.subject })
        ).token;
      }
    }
    return c.json(await forwardTrace(ctx, { gtin, lot, depth, token }), 200);
  });

  return app;
}

// JSON-LD is JSON under its own media type.
function ldJson(c: Context<AppEnv>, document: unknown): Response {
  return c.body(JSON.stringify(document), 200, { 'content-type': 'application/ld+json' });
}
