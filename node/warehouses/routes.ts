// Warehouses and bins API. Master data: no ledger event, every change in the
// audit trail. Bin rules: a bin holding stock keeps its zone (moving stock is
// how it changes zone); a bin holding several lots cannot be made single-lot;
// each zone of a warehouse keeps one default bin (set another as default to
// move it). Changes to a bin need a reason.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, pageOf, pageQuerySchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite, type WriteScope } from '../http/writes';
import { glnSchema } from '../partners/schemas';
import {
  findBinByCode,
  findDefaultBin,
  findWarehouse,
  insertBin,
  insertWarehouse,
  listBins,
  listWarehouses,
  lotsInBin,
  updateBin,
  updateWarehouse,
  ZONES,
} from './warehouses';

export const WarehouseSchema = z
  .object({ code: z.string(), name: z.string(), gln: z.string().nullable(), createdAt: z.string(), updatedAt: z.string() })
  .openapi('Warehouse');

export const BinSchema = z
  .object({
    id: z.number().int(),
    warehouse: z.string(),
    code: z.string(),
    zone: z.enum(ZONES),
    allowMixedLots: z.boolean(),
    isDefault: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Bin');

const warehouseCode = z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,31}$/, 'must be 1-32 characters A-Z, 0-9, _ and -, starting with a letter or digit');
const binCode = z.string().regex(/^[A-Z0-9][A-Z0-9_.-]{0,31}$/, 'must be 1-32 characters A-Z, 0-9, _, . and -, starting with a letter or digit');
const zoneSchema = z.enum(ZONES, `must be one of ${ZONES.join(', ')}`);

const NewWarehouse = z
  .strictObject({ code: warehouseCode.openapi({ example: 'WEST' }), name: z.string().trim().min(1, 'must not be empty').max(200), gln: glnSchema.optional(), reason: reasonSchema })
  .openapi('NewWarehouse');
const WarehousePatch = z
  .strictObject({ name: z.string().trim().min(1, 'must not be empty').max(200).optional(), gln: glnSchema.nullable().optional(), reason: reasonSchema })
  .openapi('WarehousePatch');
const NewBin = z
  .strictObject({
    code: binCode.openapi({ example: 'A-01-03' }),
    zone: zoneSchema,
    allowMixedLots: z.boolean().default(false),
    isDefault: z.boolean().default(false).openapi({ description: "true makes it the zone's default bin (the previous default stops being one)" }),
    reason: reasonSchema,
  })
  .openapi('NewBin');
const BinPatch = z
  .strictObject({
    zone: zoneSchema.optional(),
    allowMixedLots: z.boolean().optional(),
    isDefault: z.literal(true, 'can only be set to true: make another bin the default instead').optional(),
    reason: reasonSchema,
  })
  .openapi('BinPatch', { description: 'a change to a bin: a reason is required (X-Reason or reason)' });

const WarehouseParam = z.object({ code: warehouseCode.openapi({ param: { name: 'code', in: 'path' } }) });
const BinParams = WarehouseParam.extend({ bin: binCode.openapi({ param: { name: 'bin', in: 'path' } }) });

const route = <T extends Parameters<typeof createRoute>[0]>(config: T) => createRoute({ tags: ['warehouses'], security: bearerAuth, ...config });
const json = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const ok = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });

const createWarehouse = route({
  method: 'post',
  path: '/api/v1/warehouses',
  summary: 'Create a warehouse',
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { body: json(NewWarehouse) },
  responses: { 201: ok('created', WarehouseSchema), ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
});
const listWarehousesRoute = route({
  method: 'get',
  path: '/api/v1/warehouses',
  summary: 'List warehouses by code',
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: pageQuerySchema },
  responses: { 200: ok('a page of warehouses', pageOf(WarehouseSchema)), ...problemResponses(401, 403, 422) },
});
const getWarehouse = route({
  method: 'get',
  path: '/api/v1/warehouses/{code}',
  summary: 'Read one warehouse',
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: WarehouseParam },
  responses: { 200: ok('the warehouse', WarehouseSchema), ...problemResponses(401, 403, 404, 422) },
});
const patchWarehouse = route({
  method: 'patch',
  path: '/api/v1/warehouses/{code}',
  summary: 'Correct a warehouse (a reason is required)',
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { params: WarehouseParam, body: json(WarehousePatch) },
  responses: { 200: ok('the corrected warehouse', WarehouseSchema), ...problemResponses(400, 401, 403, 404, 413, 415, 422) },
});
const createBin = route({
  method: 'post',
  path: '/api/v1/warehouses/{code}/bins',
  summary: 'Create a bin in a warehouse, with its zone and whether it may mix lots',
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { params: WarehouseParam, body: json(NewBin) },
  responses: { 201: ok('created', BinSchema), ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) },
});
const listBinsRoute = route({
  method: 'get',
  path: '/api/v1/warehouses/{code}/bins',
  summary: "List a warehouse's bins by code, optionally of one zone",
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: WarehouseParam, query: pageQuerySchema.extend({ zone: zoneSchema.optional() }) },
  responses: { 200: ok('a page of bins', pageOf(BinSchema)), ...problemResponses(401, 403, 404, 422) },
});
const getBin = route({
  method: 'get',
  path: '/api/v1/warehouses/{code}/bins/{bin}',
  summary: 'Read one bin',
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: BinParams },
  responses: { 200: ok('the bin', BinSchema), ...problemResponses(401, 403, 404, 422) },
});
const patchBin = route({
  method: 'patch',
  path: '/api/v1/warehouses/{code}/bins/{bin}',
  summary: "Change a bin's zone, lot mixing or make it its zone's default (a reason is required)",
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { params: BinParams, body: json(BinPatch) },
  responses: { 200: ok('the changed bin', BinSchema), ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) },
});

function requireReason(w: WriteScope, what: string): void {
  if (w.reason === undefined) throw problems.invalidInput(`reason: ${what} needs a reason (X-Reason header or reason field)`, 'reason');
}

async function lockWarehouse(w: WriteScope, code: string) {
  const warehouse = await findWarehouse(w.tx, code, { forUpdate: true });
  if (!warehouse) throw problems.notFound(`no warehouse ${code}`, 'code');
  return warehouse;
}

export function warehouseRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(createWarehouse, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      if (await findWarehouse(w.tx, input.code)) throw problems.conflict('warehouse-exists', `warehouse ${input.code} already exists`, { field: 'code' });
      const warehouse = await insertWarehouse(w.tx, input);
      await w.audit({ action: 'warehouse.create', entity: 'warehouse', entityId: warehouse.code, after: warehouse });
      return { status: 201, body: warehouse };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listWarehousesRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await listWarehouses(ctx.sql, { after: decodeCursor(query.cursor, 1)?.[0], limit: limit + 1 });
    const items = rows.slice(0, limit);
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([items[items.length - 1].code]) : null }, 200);
  });

  app.openapi(getWarehouse, async (c) => {
    const { code } = c.req.valid('param');
    const warehouse = await findWarehouse(ctx.sql, code);
    if (!warehouse) throw problems.notFound(`no warehouse ${code}`, 'code');
    return c.json(warehouse, 200);
  });

  app.openapi(patchWarehouse, async (c) => {
    const { code } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      requireReason(w, 'a change to a warehouse');
      if (input.name === undefined && input.gln === undefined) throw problems.invalidInput('body: name at least one field to change', 'body');
      const before = await lockWarehouse(w, code);
      const after = await updateWarehouse(w.tx, code, input);
      await w.audit({ action: 'warehouse.update', entity: 'warehouse', entityId: code, before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(createBin, async (c) => {
    const { code } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      await lockWarehouse(w, code);
      if (await findBinByCode(w.tx, code, input.code)) throw problems.conflict('bin-exists', `warehouse ${code} already has a bin ${input.code}`, { field: 'code' });
      const previous = input.isDefault ? await findDefaultBin(w.tx, code, input.zone) : undefined;
      if (previous) {
        const demoted = await updateBin(w.tx, previous.id, { isDefault: false });
        await w.audit({ action: 'bin.update', entity: 'bin', entityId: String(previous.id), before: previous, after: demoted });
      }
      const bin = await insertBin(w.tx, { warehouse: code, ...input });
      await w.audit({ action: 'bin.create', entity: 'bin', entityId: String(bin.id), after: bin });
      return { status: 201, body: bin };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listBinsRoute, async (c) => {
    const { code } = c.req.valid('param');
    const query = c.req.valid('query');
    if (!(await findWarehouse(ctx.sql, code))) throw problems.notFound(`no warehouse ${code}`, 'code');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await listBins(ctx.sql, code, { zone: query.zone, after: decodeCursor(query.cursor, 1)?.[0], limit: limit + 1 });
    const items = rows.slice(0, limit);
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([items[items.length - 1].code]) : null }, 200);
  });

  app.openapi(getBin, async (c) => {
    const { code, bin } = c.req.valid('param');
    const found = await findBinByCode(ctx.sql, code, bin);
    if (!found) throw problems.notFound(`warehouse ${code} has no bin ${bin}`, 'bin');
    return c.json(found, 200);
  });

  app.openapi(patchBin, async (c) => {
    const { code, bin: binCodeParam } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      requireReason(w, 'a change to a bin');
      const { reason: _reason, ...patch } = input;
      if (Object.values(patch).every((value) => value === undefined)) throw problems.invalidInput('body: name at least one field to change', 'body');
      const before = await findBinByCode(w.tx, code, binCodeParam, { forUpdate: true });
      if (!before) throw problems.notFound(`warehouse ${code} has no bin ${binCodeParam}`, 'bin');
      const label = `bin ${code}/${before.code}`;
      if (patch.zone !== undefined && patch.zone !== before.zone) {
        if (before.isDefault) {
          throw problems.conflict('default-bin', `zone: ${label} is the default ${before.zone} bin; make another bin the default first`, { field: 'zone' });
        }
        const held = await lotsInBin(w.tx, before.id, 1);
        if (held.length > 0) {
          throw problems.conflict(
            'bin-not-empty',
            `zone: ${label} holds stock (lot ${held[0].lot} of GTIN ${held[0].gtin}); move the stock out before changing its zone from ${before.zone} to ${patch.zone}`,
            { field: 'zone' },
          );
        }
      }
      if (patch.allowMixedLots === false && before.allowMixedLots) {
        const held = await lotsInBin(w.tx, before.id, 2);
        if (held.length > 1) {
          throw problems.conflict(
            'bin-lot-mixing',
            `allowMixedLots: ${label} holds several lots (${held.map((l) => `${l.gtin}/${l.lot}`).join(', ')}); empty it to one lot first`,
            { field: 'allowMixedLots' },
          );
        }
      }
      if (patch.isDefault && !before.isDefault) {
        const zone = patch.zone ?? before.zone;
        const previous = await findDefaultBin(w.tx, code, zone);
        if (previous) {
          const demoted = await updateBin(w.tx, previous.id, { isDefault: false });
          await w.audit({ action: 'bin.update', entity: 'bin', entityId: String(previous.id), before: previous, after: demoted });
        }
      }
      const after = await updateBin(w.tx, before.id, patch);
      await w.audit({ action: 'bin.update', entity: 'bin', entityId: String(before.id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  return app;
}
