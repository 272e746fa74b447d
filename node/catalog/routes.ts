// Product catalogue API: create, list, read, correct (PATCH with a reason), and
// the registration check. Master data, so no ledger event; every change lands in
// the audit trail with its before and after.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, gtinSchema, isoDateSchema, pageOf, pageQuerySchema, problemResponses } from '../http/schemas';
import { performWrite } from '../http/writes';
import { todayIso } from '../partners/qualification';
import { registerExpiringRegistrations } from './expiring';
import { DEVICE_CLASSES, findProduct, insertProduct, listProducts, productHasLots, TRACKING_MODES, updateProduct } from './products';
import { assertProductRegistered } from './registration';
import { NewProduct, ProductPatch } from './schemas';

export const ProductSchema = z
  .object({
    gtin: z.string().openapi({ example: '09506000134352' }),
    name: z.string(),
    model: z.string(),
    deviceClass: z.enum(DEVICE_CLASSES),
    shelfLifeDays: z.number().int().nullable(),
    tracking: z.enum(TRACKING_MODES),
    registrationNumber: z.string().nullable(),
    registrationExpiry: z.string().nullable().openapi({ format: 'date' }),
    storageConditions: z.string().nullable(),
    standardCost: z.string().nullable().openapi({ example: '12.5000' }),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Product');

const GtinParam = z.object({ gtin: gtinSchema.openapi({ param: { name: 'gtin', in: 'path' } }) });

const createProduct = createRoute({
  method: 'post',
  path: '/api/v1/products',
  tags: ['catalog'],
  summary: 'Create a product (a device model identified by its GTIN)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeProducts)] as const,
  request: { body: { required: true, content: { 'application/json': { schema: NewProduct } } } },
  responses: {
    201: { description: 'created', content: { 'application/json': { schema: ProductSchema } } },
    ...problemResponses(400, 401, 403, 409, 413, 415, 422),
  },
});

const patchProduct = createRoute({
  method: 'patch',
  path: '/api/v1/products/{gtin}',
  tags: ['catalog'],
  summary: 'Correct a product (a reason is required; tracking is fixed once the product has lots)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeProducts)] as const,
  request: { params: GtinParam, body: { required: true, content: { 'application/json': { schema: ProductPatch } } } },
  responses: {
    200: { description: 'the corrected product', content: { 'application/json': { schema: ProductSchema } } },
    ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422),
  },
});

const listProductsRoute = createRoute({
  method: 'get',
  path: '/api/v1/products',
  tags: ['catalog'],
  summary: 'List products by GTIN',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: pageQuerySchema },
  responses: {
    200: { description: 'a page of products', content: { 'application/json': { schema: pageOf(ProductSchema) } } },
    ...problemResponses(401, 403, 422),
  },
});

const getProduct = createRoute({
  method: 'get',
  path: '/api/v1/products/{gtin}',
  tags: ['catalog'],
  summary: 'Read one product',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: GtinParam },
  responses: {
    200: { description: 'the product', content: { 'application/json': { schema: ProductSchema } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

const RegistrationCheck = z
  .object({ gtin: z.string(), date: z.string().openapi({ format: 'date' }), registered: z.literal(true), registrationNumber: z.string(), registrationExpiry: z.string() })
  .openapi('RegistrationCheck');

const checkRegistration = createRoute({
  method: 'get',
  path: '/api/v1/products/{gtin}/registration',
  tags: ['catalog'],
  summary: 'Check that a product may be bought and sold on a date (default today): 422 names the expired registration',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: GtinParam, query: z.object({ date: isoDateSchema.optional() }) },
  responses: {
    200: { description: 'registered on that date', content: { 'application/json': { schema: RegistrationCheck } } },
    ...problemResponses(401, 403, 422),
  },
});

export function catalogRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(createProduct, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const product = await insertProduct(w.tx, input, w.actor);
      await w.audit({ action: 'product.create', entity: 'product', entityId: product.gtin, after: product });
      return { status: 201, body: product };
    });
    return c.json(result.body, 201);
  });

  app.openapi(patchProduct, async (c) => {
    const { gtin } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      if (w.reason === undefined) throw problems.invalidInput('reason: a correction needs a reason (X-Reason header or reason field)', 'reason');
      const { reason: _reason, ...patch } = input;
      if (Object.values(patch).every((value) => value === undefined)) throw problems.invalidInput('body: name at least one field to change', 'body');
      const before = await findProduct(w.tx, gtin, { forUpdate: true });
      if (!before) throw problems.notFound(`no product with GTIN ${gtin}`, 'gtin');
      if (patch.tracking !== undefined && patch.tracking !== before.tracking && (await productHasLots(w.tx, gtin))) {
        throw problems.conflict('product-in-use', `tracking: product ${gtin} already has lots tracked by ${before.tracking}; it cannot change to ${patch.tracking}`, {
          field: 'tracking',
        });
      }
      const number = patch.registrationNumber === undefined ? before.registrationNumber : patch.registrationNumber;
      const expiry = patch.registrationExpiry === undefined ? before.registrationExpiry : patch.registrationExpiry;
      if ((number === null) !== (expiry === null)) {
        const field = number === null ? 'registrationNumber' : 'registrationExpiry';
        throw problems.invalidInput(`${field}: registrationNumber and registrationExpiry are set or cleared together`, field);
      }
      const after = await updateProduct(w.tx, gtin, patch);
      await w.audit({ action: 'product.update', entity: 'product', entityId: gtin, before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(listProductsRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const afterGtin = decodeCursor(query.cursor, 1)?.[0];
    const rows = await listProducts(ctx.sql, { afterGtin, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? encodeCursor([items[items.length - 1].gtin]) : null;
    return c.json({ items, nextCursor }, 200);
  });

  app.openapi(getProduct, async (c) => {
    const { gtin } = c.req.valid('param');
    const product = await findProduct(ctx.sql, gtin);
    if (!product) throw problems.notFound(`no product with GTIN ${gtin}`, 'gtin');
    return c.json(product, 200);
  });

  app.openapi(checkRegistration, async (c) => {
    const { gtin } = c.req.valid('param');
    const date = c.req.valid('query').date ?? todayIso();
    await assertProductRegistered(ctx.sql, gtin, date);
    const product = (await findProduct(ctx.sql, gtin))!;
    return c.json({ gtin, date, registered: true as const, registrationNumber: product.registrationNumber!, registrationExpiry: product.registrationExpiry! }, 200);
  });

  registerExpiringRegistrations(app, ctx.sql);
  return app;
}
