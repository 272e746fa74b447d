// Product catalogue API: create, list, read. Master data, so no ledger event;
// every creation lands in the audit trail.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, gtinSchema, pageOf, pageQuerySchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { DEVICE_CLASSES, findProduct, insertProduct, listProducts } from './products';

export const ProductSchema = z
  .object({
    gtin: z.string().openapi({ example: '09506000134352' }),
    name: z.string(),
    model: z.string(),
    deviceClass: z.enum(DEVICE_CLASSES),
    shelfLifeDays: z.number().int().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
  })
  .openapi('Product');

const NewProduct = z
  .strictObject({
    gtin: gtinSchema,
    name: z.string().trim().min(1, 'must not be empty').max(200),
    model: z.string().trim().min(1, 'must not be empty').max(100),
    deviceClass: z.enum(DEVICE_CLASSES, `must be one of ${DEVICE_CLASSES.join(', ')} (EU MDR 2017/745 Annex VIII)`),
    shelfLifeDays: z.number().int('must be an integer').min(1).max(36500).optional(),
    reason: reasonSchema,
  })
  .openapi('NewProduct');

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

  return app;
}
