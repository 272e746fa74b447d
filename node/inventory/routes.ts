// Stock API: stock by product, lot, serial, bin and state with totals; one
// unit's availability; near-expiry stock; the stock journal; moves between
// bins; cycle counts.
// Ledger: a move between bins of the same zone is internal (journal only); a
// move that changes the stock's zone changes its sellability and writes an
// ObjectEvent OBSERVE: into quarantine / nonconforming / returns → `holding` /
// `non_sellable_other`, into qualified → `stocking` / `sellable_accessible`.
// Cycle count adjustments are journaled and audited, not ledger events.
import { createRoute, z } from '@hono/zod-openapi';
import { lotUri, type EpcisEvent } from '../../sdk';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { appendEvent } from '../ledger/append';
import { unitUris } from '../lots/events';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeCursor, decodeIdCursor, DEFAULT_PAGE_SIZE, encodeCursor, gtinSchema, isCursorId, lotSchema, notOurCursor, pageQuerySchema, problemResponses, reasonSchema, serialSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { todayDate, unitAvailability } from './availability';
import { openCycleCount, postCycleCount, readCycleCount, recordCount } from './cycleCounts';
import { expiringStock, listMoves, listStock, stockTotals } from './queries';
import { moveStock, type Zone } from './stock';

const STATES = ['on_hand', 'allocated', 'picked', 'shipped', 'returned', 'scrapped', 'consumed'] as const;
const ZONES = ['quarantine', 'qualified', 'nonconforming', 'returns'] as const;
const LOT_STATUSES = ['quarantined', 'released', 'rejected', 'blocked', 'recalled', 'expired'] as const;

const idString = (name: string) =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'must be a positive integer')
    .transform(Number)
    .openapi({ type: 'string', param: { name, in: 'path' }, example: '1' });

const intQuery = (min: number, max: number, description: string) =>
  z
    .string()
    .regex(/^\d+$/, `must be an integer ${min}-${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be an integer ${min}-${max}`)
    .optional()
    .openapi({ type: 'string', description });

const StockRowSchema = z
  .object({
    gtin: z.string(),
    lot: z.string(),
    binId: z.number().int().nullable(),
    bin: z.string().nullable().openapi({ example: 'MAIN/STOCK' }),
    zone: z.string().nullable(),
    state: z.string(),
    lotStatus: z.string(),
    expiry: z.string(),
    quantity: z.number().int(),
  })
  .openapi('StockRow');

const TotalsSchema = z
  .object({
    quantity: z.number().int(),
    byState: z.record(z.string(), z.number().int()),
    byZone: z.record(z.string(), z.number().int()),
    byLotStatus: z.record(z.string(), z.number().int()),
  })
  .openapi('StockTotals');

const stockQuery = pageQuerySchema.extend({
  gtin: gtinSchema.optional(),
  lot: lotSchema.optional(),
  serial: serialSchema.optional(),
  binId: intQuery(1, Number.MAX_SAFE_INTEGER, 'bin id'),
  zone: z.enum(ZONES).optional(),
  state: z.enum(STATES).optional().openapi({ description: 'default: every state still in the warehouse (on_hand, allocated, picked, returned)' }),
  lotStatus: z.enum(LOT_STATUSES).optional(),
});

const getStock = createRoute({
  method: 'get',
  path: '/api/v1/stock',
  tags: ['stock'],
  summary: 'Stock by product, lot, bin and state (filters: gtin, lot, serial, binId, zone, state, lotStatus), with totals over the whole selection',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: stockQuery },
  responses: {
    200: {
      description: 'a page of stock rows and the totals',
      content: { 'application/json': { schema: z.object({ items: z.array(StockRowSchema), nextCursor: z.string().nullable(), totals: TotalsSchema }) } },
    },
    ...problemResponses(401, 403, 422),
  },
});

const ExpiringLotSchema = z
  .object({
    gtin: z.string(),
    lot: z.string(),
    expiry: z.string(),
    daysLeft: z.number().int(),
    lotStatus: z.string(),
    quantity: z.number().int(),
    byState: z.record(z.string(), z.number().int()),
  })
  .openapi('ExpiringLot');

const getExpiring = createRoute({
  method: 'get',
  path: '/api/v1/stock/expiring',
  tags: ['stock'],
  summary: 'Lots with stock in the warehouse expiring within `days` (default 30; expired ones included, daysLeft ≤ 0)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: z.object({ days: intQuery(0, 3650, 'horizon in days, 0-3650 (default 30)') }) },
  responses: {
    200: {
      description: 'lots soonest first',
      content: {
        'application/json': {
          schema: z.object({ asOf: z.string(), days: z.number().int(), items: z.array(ExpiringLotSchema), totals: z.object({ lots: z.number().int(), quantity: z.number().int(), expired: z.number().int() }) }),
        },
      },
    },
    ...problemResponses(401, 403, 422),
  },
});

const getUnit = createRoute({
  method: 'get',
  path: '/api/v1/stock/units/{gtin}/{serial}',
  tags: ['stock'],
  summary: "One unit: where it is, its state, and whether the availability rule lets it be allocated (and if not, which rule)",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: {
    params: z.object({ gtin: gtinSchema.openapi({ param: { name: 'gtin', in: 'path' } }), serial: serialSchema.openapi({ param: { name: 'serial', in: 'path' } }) }),
  },
  responses: {
    200: {
      description: 'the unit',
      content: {
        'application/json': {
          schema: z.object({
            gtin: z.string(),
            serial: z.string(),
            lot: z.string(),
            binId: z.number().int().nullable(),
            orderLineId: z.number().int().nullable(),
            state: z.string(),
            lotStatus: z.string(),
            lotExpiry: z.string(),
            binZone: z.string().nullable(),
            registrationExpiry: z.string().nullable(),
            allocatable: z.boolean(),
            rule: z.string().optional(),
            detail: z.string().optional(),
          }),
        },
      },
    },
    ...problemResponses(401, 403, 404, 422),
  },
});

const MoveSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  kind: z.string(),
  gtin: z.string(),
  lot: z.string(),
  serial: z.string().nullable(),
  quantity: z.number().int(),
  fromBinId: z.number().int().nullable(),
  toBinId: z.number().int().nullable(),
  fromState: z.string().nullable(),
  toState: z.string().nullable(),
  reason: z.string().nullable(),
  ref: z.object({ type: z.string(), id: z.string() }).nullable(),
  ledgerSeq: z.number().int().nullable(),
}).openapi('StockMove');

const listMovesRoute = createRoute({
  method: 'get',
  path: '/api/v1/stock/moves',
  tags: ['stock'],
  summary: 'The stock journal, newest first (filters: gtin, lot, serial, refType + refId)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: {
    query: pageQuerySchema.extend({
      gtin: gtinSchema.optional(),
      lot: lotSchema.optional(),
      serial: serialSchema.optional(),
      refType: z.string().max(40).optional(),
      refId: z.string().max(100).optional(),
    }),
  },
  responses: {
    200: { description: 'a page of journal rows', content: { 'application/json': { schema: z.object({ items: z.array(MoveSchema), nextCursor: z.string().nullable() }) } } },
    ...problemResponses(401, 403, 422),
  },
});

const NewMove = z
  .strictObject({
    gtin: gtinSchema,
    lot: lotSchema,
    toBinId: z.number().int().positive(),
    fromBinId: z.number().int().positive().optional(),
    serials: z.array(serialSchema).min(1).max(10_000).optional(),
    quantity: z.number().int().positive().optional(),
    reason: reasonSchema,
  })
  .superRefine((value, ctx) => {
    if ((value.serials === undefined) === (value.quantity === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['serials'], message: 'give either serials (serialised product) or quantity with fromBinId (lot-controlled), not both, not neither' });
    }
  })
  .openapi('NewStockMove');

const postMove = createRoute({
  method: 'post',
  path: '/api/v1/stock/moves',
  tags: ['stock'],
  summary: 'Move on-hand stock of one lot between bins (serials, or a quantity from fromBinId); a zone change writes a ledger event',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeStock)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: NewMove } } } },
  responses: {
    201: {
      description: 'moved',
      content: {
        'application/json': {
          schema: z.object({ gtin: z.string(), lot: z.string(), quantity: z.number().int(), toBinId: z.number().int(), fromZones: z.array(z.string()), toZone: z.string(), ledgerSeq: z.number().int().nullable() }),
        },
      },
    },
    ...problemResponses(400, 401, 403, 409, 415, 422),
  },
});

const CycleCountSchema = z
  .object({
    id: z.number().int(),
    binId: z.number().int(),
    status: z.string(),
    openedBy: z.string(),
    openedAt: z.string(),
    countedBy: z.string().nullable(),
    postedBy: z.string().nullable(),
    lines: z.array(
      z.object({
        id: z.number().int(),
        gtin: z.string(),
        lot: z.string(),
        serial: z.string().nullable(),
        expected: z.number().int(),
        counted: z.number().int().nullable(),
        variance: z.number().int().nullable(),
        reason: z.string().nullable(),
      }),
    ),
  })
  .openapi('CycleCount');

const countParams = z.object({ id: idString('id') });

const openCount = createRoute({
  method: 'post',
  path: '/api/v1/cycle-counts',
  tags: ['stock'],
  summary: 'Open a cycle count of a bin: its lines are the stock the bin should hold',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeStock)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: z.strictObject({ binId: z.number().int().positive(), note: z.string().max(1000).optional(), reason: reasonSchema }) } } } },
  responses: { 201: { description: 'opened', content: { 'application/json': { schema: CycleCountSchema } } }, ...problemResponses(400, 401, 403, 409, 415, 422) },
});

const getCount = createRoute({
  method: 'get',
  path: '/api/v1/cycle-counts/{id}',
  tags: ['stock'],
  summary: 'A cycle count and its lines',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: countParams },
  responses: { 200: { description: 'the count', content: { 'application/json': { schema: CycleCountSchema } } }, ...problemResponses(401, 403, 404, 422) },
});

const CountBody = z
  .strictObject({
    serials: z.array(z.strictObject({ gtin: gtinSchema, serial: serialSchema })).max(100_000).optional(),
    // counted is a 32-bit integer in cycle_count_lines: at most a lot's size (1e9).
    quantities: z.array(z.strictObject({ gtin: gtinSchema, lot: lotSchema, quantity: z.number().int().min(0).max(1_000_000_000) })).max(10_000).optional(),
    reason: reasonSchema,
  })
  .openapi('CycleCountResult');

const recordCountRoute = createRoute({
  method: 'post',
  path: '/api/v1/cycle-counts/{id}/count',
  tags: ['stock'],
  summary: 'Record what was counted in the bin (serials found, lot quantities found); lines get their variance',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeStock)] as const,
  request: { params: countParams, body: { required: true, content: { 'application/json': { schema: CountBody } } } },
  responses: { 200: { description: 'counted', content: { 'application/json': { schema: CycleCountSchema } } }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
});

const postCount = createRoute({
  method: 'post',
  path: '/api/v1/cycle-counts/{id}/post',
  tags: ['stock'],
  summary: 'Post a counted cycle count: each variance needs a reason (per line, or the request reason); stock adjusted and journaled',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeStock)] as const,
  request: {
    params: countParams,
    body: {
      required: true,
      content: { 'application/json': { schema: z.strictObject({ reasons: z.array(z.strictObject({ lineId: z.number().int().positive(), reason: z.string().min(1).max(1000) })).max(100_000).optional(), reason: reasonSchema }) } },
    },
  },
  responses: { 200: { description: 'posted', content: { 'application/json': { schema: CycleCountSchema } } }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
});

function moveEvent(input: { gtin: string; lot: string; serials?: string[]; quantity: number }, toZone: Zone, time: { eventTime: string; eventTimeZoneOffset: string }, reason?: string): EpcisEvent {
  const sellable = toZone === 'qualified';
  return {
    type: 'ObjectEvent',
    action: 'OBSERVE',
    bizStep: sellable ? 'stocking' : 'holding',
    disposition: sellable ? 'sellable_accessible' : 'non_sellable_other',
    eventTime: time.eventTime,
    eventTimeZoneOffset: time.eventTimeZoneOffset,
    ...(input.serials ? { epcList: unitUris(input.gtin, input.serials) } : { quantityList: [{ epcClass: lotUri(input.gtin, input.lot), quantity: input.quantity, uom: 'EA' }] }),
    'medtrace:lot': { gtin: input.gtin, lot: input.lot },
    'medtrace:zone': toZone,
    ...(reason === undefined ? {} : { 'medtrace:reason': reason }),
  } as EpcisEvent;
}

export function inventoryRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(getStock, async (c) => {
    const { limit: rawLimit, cursor, ...filter } = c.req.valid('query');
    const limit = rawLimit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(cursor, 4) as [string, string, string, string] | undefined;
    if (after && !isCursorId(after[2])) throw notOurCursor();
    const rows = await listStock(ctx.sql, filter, { after, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    const totals = await stockTotals(ctx.sql, filter);
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([last.gtin, last.lot, String(last.binId ?? 0), last.state]) : null, totals }, 200);
  });

  app.openapi(getExpiring, async (c) => {
    const days = c.req.valid('query').days ?? 30;
    const today = todayDate();
    const items = await expiringStock(ctx.sql, days, today);
    const totals = {
      lots: items.length,
      quantity: items.reduce((sum, lot) => sum + lot.quantity, 0),
      expired: items.filter((lot) => lot.daysLeft <= 0).length,
    };
    return c.json({ asOf: today, days, items, totals }, 200);
  });

  app.openapi(getUnit, async (c) => {
    const { gtin, serial } = c.req.valid('param');
    const unit = await unitAvailability(ctx.sql, gtin, serial);
    if (!unit) throw problems.notFound(`no unit ${serial} of GTIN ${gtin}`, 'serial');
    const { verdict, ...facts } = unit;
    return c.json({ ...facts, allocatable: verdict.allocatable, ...(verdict.allocatable ? {} : { rule: verdict.rule, detail: verdict.detail }) }, 200);
  });

  app.openapi(listMovesRoute, async (c) => {
    const { limit: rawLimit, cursor, ...filter } = c.req.valid('query');
    const limit = rawLimit ?? DEFAULT_PAGE_SIZE;
    const rows = await listMoves(ctx.sql, filter, { beforeId: decodeIdCursor(cursor), limit: limit + 1 });
    const items = rows.slice(0, limit);
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([String(items[items.length - 1].id)]) : null }, 200);
  });

  app.openapi(postMove, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const moved = await moveStock(w.tx, { ...input, actor: w.actor, reason: w.reason });
      const toZone = moved.toBin.zone;
      let ledgerSeq: number | null = null;
      if (moved.fromZones.some((zone) => zone !== toZone)) {
        const event = moveEvent({ ...input, serials: moved.serials, quantity: moved.quantity }, toZone, { eventTime: new Date().toISOString(), eventTimeZoneOffset: ctx.config.eventTimeZoneOffset }, w.reason);
        ledgerSeq = (await appendEvent(w.tx, { participant: ctx.participant, chainId: ctx.chainId }, event)).seq;
        await w.tx`update stock_moves set ledger_seq = ${ledgerSeq}
                   where id in (select id from stock_moves where gtin = ${input.gtin} and lot = ${input.lot} and ledger_seq is null
                                order by id desc limit ${moved.serials?.length ?? 1})`;
      }
      const body = { gtin: input.gtin, lot: input.lot, quantity: moved.quantity, toBinId: moved.toBin.id, fromZones: moved.fromZones, toZone, ledgerSeq };
      await w.audit({
        action: 'stock.move',
        entity: 'lot',
        entityId: `${input.gtin}/${input.lot}`,
        before: { zones: moved.fromZones, fromBinId: input.fromBinId ?? null },
        after: { ...body, serials: moved.serials ?? null },
        ...(ledgerSeq === null ? {} : { ledgerSeq }),
      });
      return { status: 201, body };
    });
    return c.json(result.body, 201);
  });

  app.openapi(openCount, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const count = await openCycleCount(w.tx, input.binId, w.actor, input.note);
      await w.audit({ action: 'cycle_count.open', entity: 'cycle_count', entityId: String(count.id), after: { binId: count.binId, lines: count.lines.length } });
      return { status: 201, body: count };
    });
    return c.json(result.body, 201);
  });

  app.openapi(getCount, async (c) => {
    const { id } = c.req.valid('param');
    const count = await ctx.sql.begin((tx) => readCycleCount(tx, id));
    if (!count) throw problems.notFound(`no cycle count ${id}`, 'id');
    return c.json(count, 200);
  });

  app.openapi(recordCountRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const count = await recordCount(w.tx, id, input, w.actor);
      const variances = count.lines.filter((line) => (line.variance ?? 0) !== 0);
      await w.audit({ action: 'cycle_count.count', entity: 'cycle_count', entityId: String(id), after: { variances: variances.map(({ id: lineId, gtin, lot, serial, variance }) => ({ lineId, gtin, lot, serial, variance })) } });
      return { status: 200, body: count };
    });
    return c.json(result.body, 200);
  });

  app.openapi(postCount, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const reasons = new Map((input.reasons ?? []).map((item) => [item.lineId, item.reason]));
      const count = await postCycleCount(w.tx, id, reasons, w.reason, w.actor);
      const adjusted = count.lines.filter((line) => (line.variance ?? 0) !== 0);
      await w.audit({
        action: 'cycle_count.post',
        entity: 'cycle_count',
        entityId: String(id),
        before: { status: 'counted' },
        after: { status: 'posted', adjustments: adjusted.map(({ gtin, lot, serial, variance, reason }) => ({ gtin, lot, serial, variance, reason })) },
      });
      return { status: 200, body: count };
    });
    return c.json(result.body, 200);
  });

  return app;
}
