// Audit API: the participant's ledger, its anchors, and the proof bundle of any
// anchored event (optionally disclosing one of its units). Read with an
// auditor token holding the scope `ledger`, or a staff token with readAudit.
import { createRoute, z } from '@hono/zod-openapi';
import { requireAudit } from '../auditors/tokens';
import { lastAnchoredTo } from '../chain/anchorLog';
import type { NodeContext } from '../context';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeIdCursor, DEFAULT_PAGE_SIZE, encodeCursor, pageOf, pageQuerySchema, problemResponses } from '../http/schemas';
import { BundleError, buildBundle } from '../ledger/bundles';

const SeqParam = z.object({
  seq: z
    .string()
    .regex(/^[1-9]\d{0,14}$/, 'must be a positive integer')
    .transform(Number)
    .openapi({ param: { name: 'seq', in: 'path' }, type: 'string', example: '42' }),
});

const UnitQuery = z.object({
  unit: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .openapi({ description: 'a unit of the event to disclose: GS1 Digital Link, element string or EPC URI' }),
});

const BundleResponse = z
  .object({
    status: z.literal('anchored'),
    bundle: z.record(z.string(), z.unknown()).openapi({ description: 'a proof bundle (DESIGN 4.6): envelope, salt, units, inclusion, anchor' }),
  })
  .openapi('AnchoredEvent');

const LedgerEntry = z
  .object({
    seq: z.number().int(),
    leaf: z.string(),
    prev: z.string(),
    recordedAt: z.string(),
    event: z.record(z.string(), z.unknown()).openapi({ description: 'the EPCIS event, unit sets as { count, root }' }),
    batch: z.number().int().nullable().openapi({ description: 'the anchor batch holding it; null while not anchored' }),
  })
  .openapi('LedgerEntry');

const AnchorBatch = z
  .object({
    batch: z.number().int(),
    from: z.number().int(),
    to: z.number().int(),
    root: z.string(),
    txHash: z.string(),
    blockNumber: z.number().int(),
    anchoredAt: z.string(),
    rootMatches: z.boolean().openapi({ description: 'false when the batch on chain does not match the local ledger' }),
  })
  .openapi('AnchorBatch');

const getEvent = createRoute({
  method: 'get',
  path: '/audit/v1/events/{seq}',
  tags: ['audit'],
  summary: 'The proof bundle of one ledger event, disclosing one of its units when asked',
  security: bearerAuth,
  middleware: [requireAudit('ledger')] as const,
  request: { params: SeqParam, query: UnitQuery },
  responses: {
    200: { description: 'anchored: its proof bundle', content: { 'application/json': { schema: BundleResponse } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const listEvents = createRoute({
  method: 'get',
  path: '/audit/v1/events',
  tags: ['audit'],
  summary: 'The ledger, in seq order',
  security: bearerAuth,
  middleware: [requireAudit('ledger')] as const,
  request: { query: pageQuerySchema },
  responses: {
    200: { description: 'a page of ledger entries', content: { 'application/json': { schema: pageOf(LedgerEntry) } } },
    ...problemResponses(401, 403, 422),
  },
});

const listAnchors = createRoute({
  method: 'get',
  path: '/audit/v1/anchors',
  tags: ['audit'],
  summary: 'The anchored batches, in batch order',
  security: bearerAuth,
  middleware: [requireAudit('ledger')] as const,
  request: { query: pageQuerySchema },
  responses: {
    200: { description: 'a page of batches', content: { 'application/json': { schema: pageOf(AnchorBatch) } } },
    ...problemResponses(401, 403, 422),
  },
});

export function auditRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(getEvent, async (c) => {
    const { seq } = c.req.valid('param');
    const { unit } = c.req.valid('query');
    let bundle;
    try {
      bundle = await buildBundle(ctx.sql, ctx.chain, seq, unit);
    } catch (error) {
      if (!(error instanceof BundleError)) throw error;
      if (error.kind === 'unknown-seq') throw problems.notFound(error.message, 'seq');
      if (error.kind === 'unit-not-in-event') throw problems.notFound(error.message, 'unit');
      throw error;
    }
    if (!bundle) {
      const lastAnchoredSeq = await chainLastAnchored(ctx);
      throw new ProblemError(409, 'not-anchored', 'Not anchored yet', `event ${seq} is recorded but not anchored yet; try again shortly`, {
        field: 'seq',
        seq,
        lastAnchoredSeq,
      });
    }
    return c.json({ status: 'anchored' as const, bundle: bundle as unknown as Record<string, unknown> }, 200);
  });

  app.openapi(listEvents, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeIdCursor(query.cursor) ?? 0;
    const rows = await ctx.sql`
      select e.seq, e.leaf, e.prev, e.recorded_at, e.envelope -> 'event' as event, b.batch
      from ledger_events e
      left join anchor_batches b on b.participant = e.participant and e.seq between b.from_seq and b.to_seq
      where e.participant = ${ctx.participant} and e.seq > ${after}
      order by e.seq
      limit ${limit + 1}`;
    const items = rows.slice(0, limit).map((row) => ({
      seq: Number(row.seq),
      leaf: row.leaf as string,
      prev: row.prev as string,
      recordedAt: new Date(row.recorded_at as string).toISOString(),
      event: row.event as Record<string, unknown>,
      batch: row.batch === null ? null : Number(row.batch),
    }));
    const nextCursor = rows.length > limit ? encodeCursor([String(items[items.length - 1].seq)]) : null;
    return c.json({ items, nextCursor }, 200);
  });

  app.openapi(listAnchors, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeIdCursor(query.cursor) ?? -1;
    const rows = await ctx.sql`
      select batch, from_seq, to_seq, root, tx_hash, block_number, anchored_at, root_matches
      from anchor_batches
      where participant = ${ctx.participant} and batch > ${after}
      order by batch
      limit ${limit + 1}`;
    const items = rows.slice(0, limit).map((row) => ({
      batch: Number(row.batch),
      from: Number(row.from_seq),
      to: Number(row.to_seq),
      root: row.root as string,
      txHash: row.tx_hash as string,
      blockNumber: Number(row.block_number),
      anchoredAt: new Date(row.anchored_at as string).toISOString(),
      rootMatches: row.root_matches as boolean,
    }));
    const nextCursor = rows.length > limit ? encodeCursor([String(items[items.length - 1].batch)]) : null;
    return c.json({ items, nextCursor }, 200);
  });

  return app;
}

/** The chain's last anchored seq for this participant; the local record when the chain cannot be reached. */
async function chainLastAnchored(ctx: NodeContext): Promise<number> {
  try {
    return (await lastAnchoredTo(ctx.chain.contracts.anchorLog, ctx.participant)).lastTo;
  } catch (error) {
    ctx.log.warn('cannot read the last anchored seq from the chain', { error });
    const [row] = await ctx.sql`select coalesce(max(to_seq), 0) as last from anchor_batches where participant = ${ctx.participant}`;
    return Number(row.last);
  }
}
