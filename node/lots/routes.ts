// Lots API: commission a lot (the lot, its units — or for a lot-controlled
// product its quantity — and ONE commissioning ledger event in one
// transaction), list and read lots, page through a lot's serials.
import { createRoute, z } from '@hono/zod-openapi';
import { appendEvent } from '../ledger/append';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import { findProduct, type Tracking } from '../catalog/products';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import {
  decodeCursor,
  DEFAULT_PAGE_SIZE,
  encodeCursor,
  gtinSchema,
  isoDateSchema,
  lotSchema,
  pageOf,
  pageQuerySchema,
  problemResponses,
  reasonSchema,
  serialSchema,
} from '../http/schemas';
import { performWrite } from '../http/writes';
import { commissioningEvent } from './events';
import {
  findLot,
  generatedSerialLength,
  generateSerials,
  insertLotWithQuantity,
  insertLotWithUnits,
  journalCommissionedQuantity,
  listLots,
  listSerials,
  lotExists,
  setCommissioningSeq,
} from './lots';
import { LOT_STATUSES } from './status';
import { lotStatusRoutes } from './statusRoutes';

/** The most serials one lot may commission in one request. */
export const MAX_SERIALS_PER_LOT = 1_000_000;
/** The largest quantity of a lot-controlled lot (lot_stock.quantity is a 32-bit integer). */
export const MAX_LOT_QUANTITY = 1_000_000_000;

export const LotSchema = z
  .object({
    gtin: z.string().openapi({ example: '09506000134352' }),
    lot: z.string().openapi({ example: 'L2611A' }),
    productionDate: z.string().openapi({ format: 'date' }),
    expiry: z.string().openapi({ format: 'date' }),
    unitCount: z.number().int(),
    commissioningSeq: z.number().int().nullable().openapi({ description: 'ledger seq of the commissioning event (null for a received lot)' }),
    status: z.enum(LOT_STATUSES),
    statusChangedAt: z.string(),
    origin: z.enum(['commissioned', 'received']),
    supplierId: z.number().int().nullable(),
    supplierLot: z.string().nullable(),
    releaseSignatureId: z.number().int().nullable().openapi({ description: 'the e-signature that released the lot' }),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('Lot');

const CommissionedLot = LotSchema.extend({
  ledgerSeq: z.number().int().openapi({ description: 'ledger seq of the event this write recorded' }),
}).openapi('CommissionedLot');

const serialPrefixSchema = z
  .string()
  .max(19)
  .regex(/^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/, 'must use only GS1 character set 82')
  .openapi({ example: 'SN' });

const NewLot = z
  .strictObject({
    gtin: gtinSchema,
    lot: lotSchema,
    productionDate: isoDateSchema,
    expiry: isoDateSchema,
    serials: z.array(serialSchema).min(1, 'must hold at least one serial').max(MAX_SERIALS_PER_LOT).optional(),
    serialCount: z.number().int('must be an integer').min(1).max(MAX_SERIALS_PER_LOT).optional(),
    serialPrefix: serialPrefixSchema.optional(),
    quantity: z
      .number()
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(MAX_LOT_QUANTITY)
      .optional()
      .openapi({ description: 'lot-controlled products (tracking lot): the quantity commissioned, instead of serials', example: 500 }),
    reason: reasonSchema,
  })
  .superRefine((value, ctx) => {
    if (value.expiry <= value.productionDate) {
      ctx.addIssue({ code: 'custom', path: ['expiry'], message: `must be after productionDate ${value.productionDate}, got ${value.expiry}` });
    }
    const listed = value.serials !== undefined;
    const counted = value.serialCount !== undefined;
    if (value.quantity !== undefined) {
      // A lot-controlled lot: a quantity and nothing about serials.
      if (listed || counted) {
        ctx.addIssue({
          code: 'custom',
          path: ['quantity'],
          message: 'goes without serials[] and serialCount: a lot is commissioned by serials (serialised product) or by quantity (lot-controlled), not both',
        });
      } else if (value.serialPrefix !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['serialPrefix'], message: 'only goes with serialCount' });
      }
    } else if (listed === counted) {
      ctx.addIssue({
        code: 'custom',
        path: ['serials'],
        message: 'give either serials[] or serialCount (with serialPrefix) for a serialised product, or quantity for a lot-controlled one; not both, not neither',
      });
    } else if (!listed && value.serialPrefix === undefined) {
      ctx.addIssue({ code: 'custom', path: ['serialPrefix'], message: 'is required with serialCount' });
    } else if (listed && value.serialPrefix !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['serialPrefix'], message: 'only goes with serialCount' });
    }
    if (counted && value.serialPrefix !== undefined) {
      const length = generatedSerialLength(value.serialPrefix, value.serialCount!);
      if (length > 20) {
        ctx.addIssue({ code: 'custom', path: ['serialPrefix'], message: `too long: generated serials would be ${length} characters, at most 20` });
      }
    }
    if (listed) {
      const seen = new Set<string>();
      value.serials!.forEach((serial, index) => {
        if (seen.has(serial)) ctx.addIssue({ code: 'custom', path: ['serials', index], message: `duplicate serial ${serial}` });
        seen.add(serial);
      });
    }
  })
  .openapi('NewLot', {
    description:
      'A lot to commission: for a serialised product its serials listed, or serialCount + serialPrefix to generate PREFIX000001…; ' +
      'for a lot-controlled product (tracking lot) its quantity',
  });

const LotParams = z.object({
  gtin: gtinSchema.openapi({ param: { name: 'gtin', in: 'path' } }),
  lot: lotSchema.openapi({ param: { name: 'lot', in: 'path' } }),
});

const commissionLot = createRoute({
  method: 'post',
  path: '/api/v1/lots',
  tags: ['lots'],
  summary: 'Commission a lot: the lot, its serialised units (or its quantity, lot-controlled) and one commissioning event',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.commissionLots)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: NewLot } } } },
  responses: {
    201: { description: 'commissioned', content: { 'application/json': { schema: CommissionedLot } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

const listLotsRoute = createRoute({
  method: 'get',
  path: '/api/v1/lots',
  tags: ['lots'],
  summary: 'List lots by (gtin, lot), optionally of one GTIN',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: pageQuerySchema.extend({ gtin: gtinSchema.optional() }) },
  responses: {
    200: { description: 'a page of lots', content: { 'application/json': { schema: pageOf(LotSchema) } } },
    ...problemResponses(401, 403, 422),
  },
});

const getLot = createRoute({
  method: 'get',
  path: '/api/v1/lots/{gtin}/{lot}',
  tags: ['lots'],
  summary: 'Read one lot with its unit count',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: LotParams },
  responses: {
    200: { description: 'the lot', content: { 'application/json': { schema: LotSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

const listLotSerials = createRoute({
  method: 'get',
  path: '/api/v1/lots/{gtin}/{lot}/serials',
  tags: ['lots'],
  summary: "Page through a lot's serials",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: LotParams, query: pageQuerySchema },
  responses: {
    200: { description: 'a page of serials', content: { 'application/json': { schema: pageOf(z.string()) } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

/**
 * A serialised product is commissioned by serials, a lot-controlled one by quantity
 * (DESIGN 3: a unit is (GTIN, serial), lot-controlled stock is a quantity of (GTIN, lot)).
 */
function assertMatchesTracking(input: { gtin: string; serials?: unknown; serialCount?: unknown; quantity?: number }, tracking: Tracking): void {
  if (tracking === 'lot' && input.quantity === undefined) {
    const field = input.serials !== undefined ? 'serials' : 'serialCount';
    throw problems.invalidInput(
      `${field}: GTIN ${input.gtin} is lot-controlled (tracking lot): commission its lot with a quantity, not serials`,
      field,
      { tracking },
    );
  }
  if (tracking === 'serial' && input.quantity !== undefined) {
    throw problems.invalidInput(
      `quantity: GTIN ${input.gtin} is serialised (tracking serial): commission its lot with serials[] or serialCount + serialPrefix, not a quantity`,
      'quantity',
      { tracking },
    );
  }
}

export function lotRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(commissionLot, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const product = await findProduct(w.tx, input.gtin);
      if (!product) {
        throw problems.invalidInput(`gtin: no product with GTIN ${input.gtin}; create the product first`, 'gtin');
      }
      assertMatchesTracking(input, product.tracking);
      // Checked up front so a duplicate costs no hashing; the primary key still decides races.
      if (await lotExists(w.tx, input.gtin, input.lot)) {
        throw problems.conflict('lot-exists', `lot ${input.lot} of GTIN ${input.gtin} already exists`, { field: 'lot' });
      }
      const head = { gtin: input.gtin, lot: input.lot, productionDate: input.productionDate, expiry: input.expiry };
      const time = { eventTime: new Date().toISOString(), eventTimeZoneOffset: ctx.config.eventTimeZoneOffset };
      let seq: number;
      if (input.quantity !== undefined) {
        const lot = { ...head, quantity: input.quantity };
        const { binId } = await insertLotWithQuantity(w.tx, lot, w.actor);
        ({ seq } = await appendEvent(w.tx, { participant: ctx.participant, chainId: ctx.chainId }, commissioningEvent(lot, time)));
        await journalCommissionedQuantity(w.tx, { ...lot, binId }, { actor: w.actor, ledgerSeq: seq });
      } else {
        const lot = { ...head, serials: input.serials ?? generateSerials(input.serialPrefix!, input.serialCount!) };
        await insertLotWithUnits(w.tx, lot, w.actor);
        // The ledger head is locked from here to commit: the units are already in.
        ({ seq } = await appendEvent(w.tx, { participant: ctx.participant, chainId: ctx.chainId }, commissioningEvent(lot, time)));
      }
      const stored = await setCommissioningSeq(w.tx, input.gtin, input.lot, seq);
      await w.audit({ action: 'lot.commission', entity: 'lot', entityId: `${input.gtin}/${input.lot}`, after: stored, ledgerSeq: seq });
      return { status: 201, body: { ...stored, ledgerSeq: seq } };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listLotsRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 2) as [string, string] | undefined;
    const rows = await listLots(ctx.sql, { gtin: query.gtin, after, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([last.gtin, last.lot]) : null }, 200);
  });

  app.openapi(getLot, async (c) => {
    const { gtin, lot } = c.req.valid('param');
    const found = await findLot(ctx.sql, gtin, lot);
    if (!found) throw problems.notFound(`no lot ${lot} of GTIN ${gtin}`, 'lot');
    return c.json(found, 200);
  });

  app.openapi(listLotSerials, async (c) => {
    const { gtin, lot } = c.req.valid('param');
    const query = c.req.valid('query');
    if (!(await lotExists(ctx.sql, gtin, lot))) throw problems.notFound(`no lot ${lot} of GTIN ${gtin}`, 'lot');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const afterSerial = decodeCursor(query.cursor, 1)?.[0];
    const rows = await listSerials(ctx.sql, gtin, lot, { afterSerial, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([items[items.length - 1]]) : null }, 200);
  });

  // The status life cycle (release, quarantine, block, unblock, reject, recall, expire, history).
  app.route('/', lotStatusRoutes(ctx));

  return app;
}
