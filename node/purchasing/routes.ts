// Purchasing API: purchase orders (qualified supplier, registered products),
// receipts against them (lots into quarantine with their certificates and a
// receiving event each), and the certificates of a lot.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import { assertProductRegistered } from '../catalog/registration';
import type { NodeContext } from '../context';
import { ProblemError, problems } from '../http/problem';
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
import { localDate } from '../lots/expiry';
import { assertPartnerQualified } from '../partners/qualification';
import { findPurchaseOrder, insertPurchaseOrder, listPurchaseOrders, PO_STATUSES } from './orders';
import { listLotCertificates, readLotCertificate, receiveAgainstPo } from './receipts';

const moneySchema = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,4})?$/, 'must be a decimal amount like "12.50" (up to 10 digits and 4 decimals, not negative)')
  .openapi({ type: 'string', example: '12.50' });

const idSchema = z.string().regex(/^[1-9][0-9]{0,14}$/, 'must be a positive integer id').transform(Number);

const PoLineSchema = z.object({
  lineNo: z.number().int(),
  gtin: z.string(),
  quantity: z.number().int(),
  receivedQuantity: z.number().int(),
  unitPrice: z.string().nullable(),
});

export const PurchaseOrderSchema = z
  .object({
    id: z.number().int(),
    supplierId: z.number().int(),
    status: z.enum(PO_STATUSES),
    expectedOn: z.string().nullable(),
    note: z.string().nullable(),
    lines: z.array(PoLineSchema),
    createdAt: z.string(),
    createdBy: z.string(),
    updatedAt: z.string(),
  })
  .openapi('PurchaseOrder');

const NewPurchaseOrder = z
  .strictObject({
    supplierId: z.number().int().positive(),
    expectedOn: isoDateSchema.optional(),
    note: z.string().max(2000).optional(),
    lines: z
      .array(z.strictObject({ gtin: gtinSchema, quantity: z.number().int('must be an integer').min(1).max(10_000_000), unitPrice: moneySchema.optional() }))
      .min(1, 'must hold at least one line')
      .max(500),
    reason: reasonSchema,
  })
  .openapi('NewPurchaseOrder');

const CertificateFileSchema = z.strictObject({
  kind: z.string().regex(/^[a-z0-9_]{1,40}$/, 'must be 1-40 characters a-z, 0-9 and _ (e.g. certificate_of_conformity, test_report)'),
  filename: z.string().min(1).max(255),
  mediaType: z.string().min(1).max(100).optional().openapi({ example: 'application/pdf' }),
  contentBase64: z.string().min(1, 'must not be empty').openapi({ description: 'the file, base64' }),
});

const NewReceipt = z
  .strictObject({
    note: z.string().max(2000).optional(),
    lines: z
      .array(
        z
          .strictObject({
            lineNo: z.number().int().min(1).openapi({ description: 'the purchase order line received against' }),
            lot: lotSchema.openapi({ description: 'our lot code (AI 10)' }),
            supplierLot: z.string().min(1).max(40).optional().openapi({ description: "the supplier's own lot number" }),
            productionDate: isoDateSchema,
            expiry: isoDateSchema,
            quantity: z.number().int('must be an integer').min(1).optional().openapi({ description: 'lot-controlled products' }),
            serials: z.array(serialSchema).min(1).max(100_000).optional().openapi({ description: 'serialised products' }),
            certificates: z.array(CertificateFileSchema).max(20).optional(),
          })
          .superRefine((value, ctx) => {
            if (value.expiry <= value.productionDate) {
              ctx.addIssue({ code: 'custom', path: ['expiry'], message: `must be after productionDate ${value.productionDate}, got ${value.expiry}` });
            }
            if ((value.quantity === undefined) === (value.serials === undefined)) {
              ctx.addIssue({ code: 'custom', path: ['quantity'], message: 'give either quantity (lot-controlled) or serials (serialised), not both, not neither' });
            }
          }),
      )
      .min(1, 'must hold at least one line')
      .max(500),
    reason: reasonSchema,
  })
  .openapi('NewReceipt');

const CertificateRefSchema = z.object({
  id: z.number().int(),
  kind: z.string(),
  filename: z.string(),
  mediaType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
});

const ReceiptSchema = z
  .object({
    id: z.number().int(),
    poId: z.number().int(),
    receivedAt: z.string(),
    receivedBy: z.string(),
    note: z.string().nullable(),
    lines: z.array(
      z.object({
        lineNo: z.number().int(),
        gtin: z.string(),
        lot: z.string(),
        supplierLot: z.string().nullable(),
        productionDate: z.string(),
        expiry: z.string(),
        quantity: z.number().int(),
        bin: z.string(),
        ledgerSeq: z.number().int().openapi({ description: 'ledger seq of the receiving event of this lot' }),
        certificates: z.array(CertificateRefSchema),
      }),
    ),
    purchaseOrder: PurchaseOrderSchema,
  })
  .openapi('Receipt');

const PoParam = z.object({ id: idSchema.openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '1' }) });
const LotParams = z.object({
  gtin: gtinSchema.openapi({ param: { name: 'gtin', in: 'path' } }),
  lot: lotSchema.openapi({ param: { name: 'lot', in: 'path' } }),
});

const json = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const ok = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });

const createPo = createRoute({
  method: 'post',
  path: '/api/v1/purchase-orders',
  tags: ['purchasing'],
  summary: 'Create a purchase order: the supplier must be qualified and every product registered',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writePurchasing)] as const,
  request: { body: json(NewPurchaseOrder) },
  responses: { 201: ok('created', PurchaseOrderSchema), ...problemResponses(400, 401, 403, 413, 415, 422) },
});

const listPos = createRoute({
  method: 'get',
  path: '/api/v1/purchase-orders',
  tags: ['purchasing'],
  summary: 'List purchase orders by id, optionally of one supplier or status',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: {
    query: pageQuerySchema.extend({
      supplierId: idSchema.optional().openapi({ type: 'string' }),
      status: z.enum(PO_STATUSES).optional(),
    }),
  },
  responses: { 200: ok('a page of purchase orders', pageOf(PurchaseOrderSchema)), ...problemResponses(401, 403, 422) },
});

const getPo = createRoute({
  method: 'get',
  path: '/api/v1/purchase-orders/{id}',
  tags: ['purchasing'],
  summary: 'Read a purchase order with its lines and received quantities',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: PoParam },
  responses: { 200: ok('the purchase order', PurchaseOrderSchema), ...problemResponses(401, 403, 404, 422) },
});

const cancelPo = createRoute({
  method: 'post',
  path: '/api/v1/purchase-orders/{id}/cancel',
  tags: ['purchasing'],
  summary: 'Cancel an open purchase order nothing was received against (reason required)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writePurchasing)] as const,
  request: { params: PoParam, body: { required: false, content: { 'application/json': { schema: z.strictObject({ reason: reasonSchema }) } } } },
  responses: { 200: ok('cancelled', PurchaseOrderSchema), ...problemResponses(401, 403, 404, 409, 422) },
});

const receive = createRoute({
  method: 'post',
  path: '/api/v1/purchase-orders/{id}/receipts',
  tags: ['purchasing'],
  summary: 'Receive goods against a purchase order: lots into quarantine with their certificates, a receiving event per lot',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.receiveGoods)] as const,
  request: { params: PoParam, body: json(NewReceipt) },
  responses: { 201: ok('received', ReceiptSchema), ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) },
});

const listCertificates = createRoute({
  method: 'get',
  path: '/api/v1/lots/{gtin}/{lot}/certificates',
  tags: ['purchasing'],
  summary: "A lot's certificates (kind, file name, SHA-256)",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: LotParams },
  responses: {
    200: ok('the certificates', z.object({ items: z.array(CertificateRefSchema.extend({ receiptId: z.number().int().nullable(), createdAt: z.string() })) })),
    ...problemResponses(401, 403, 404, 422),
  },
});

const getCertificate = createRoute({
  method: 'get',
  path: '/api/v1/lots/{gtin}/{lot}/certificates/{certificateId}',
  tags: ['purchasing'],
  summary: 'Download a certificate file (its SHA-256 in the X-Content-SHA256 header)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: LotParams.extend({ certificateId: idSchema.openapi({ param: { name: 'certificateId', in: 'path' }, type: 'string' }) }) },
  responses: {
    200: { description: 'the file', content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
    ...problemResponses(401, 403, 404, 422),
  },
});

export function purchasingRoutes(ctx: NodeContext) {
  const app = createRouter();
  const today = () => localDate(ctx.config.eventTimeZoneOffset);

  app.openapi(createPo, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      await assertPartnerQualified(w.tx, input.supplierId, 'supplier', today());
      for (const [index, line] of input.lines.entries()) {
        try {
          await assertProductRegistered(w.tx, line.gtin, today());
        } catch (error) {
          if (error instanceof ProblemError) error.extras.field = `lines.${index}.gtin`;
          throw error;
        }
      }
      const order = await insertPurchaseOrder(w.tx, input, w.actor);
      await w.audit({ action: 'purchase_order.create', entity: 'purchase_order', entityId: String(order.id), after: order });
      return { status: 201, body: order };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listPos, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const cursor = decodeCursor(query.cursor, 1)?.[0];
    const afterId = cursor === undefined ? undefined : Number(cursor);
    if (afterId !== undefined && !Number.isSafeInteger(afterId)) throw problems.invalidInput('cursor: not a cursor this server returned', 'cursor');
    const rows = await listPurchaseOrders(ctx.sql, { supplierId: query.supplierId, status: query.status, afterId, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([String(items[items.length - 1].id)]) : null }, 200);
  });

  app.openapi(getPo, async (c) => {
    const { id } = c.req.valid('param');
    const order = await findPurchaseOrder(ctx.sql, id);
    if (!order) throw problems.notFound(`no purchase order ${id}`, 'id');
    return c.json(order, 200);
  });

  app.openapi(cancelPo, async (c) => {
    const { id } = c.req.valid('param');
    const input = (c.req.valid('json') ?? {}) as { reason?: string };
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const order = await findPurchaseOrder(w.tx, id, { forUpdate: true });
      if (!order) throw problems.notFound(`no purchase order ${id}`, 'id');
      if (w.reason === undefined) throw problems.invalidInput('reason: cancelling a purchase order needs a reason (X-Reason header or reason field)', 'reason');
      if (order.status !== 'open' || order.lines.some((line) => line.receivedQuantity > 0)) {
        throw problems.conflict('purchase-order-not-cancellable', `purchase order ${id} is ${order.status}${order.status === 'open' ? ' with goods received' : ''}: it cannot be cancelled`, {
          field: 'id',
        });
      }
      await w.tx`update purchase_orders set status = 'cancelled', updated_at = now() where id = ${id}`;
      const after = (await findPurchaseOrder(w.tx, id))!;
      await w.audit({ action: 'purchase_order.cancel', entity: 'purchase_order', entityId: String(id), before: order, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(receive, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const receipt = await receiveAgainstPo(
        w,
        { participant: ctx.participant, chainId: ctx.chainId, eventTimeZoneOffset: ctx.config.eventTimeZoneOffset },
        id,
        input,
        today(),
      );
      // The audit entry names the files by hash; their content stays in lot_certificates.
      await w.audit({
        action: 'receipt.create',
        entity: 'receipt',
        entityId: String(receipt.id),
        after: { ...receipt, purchaseOrder: undefined },
        ledgerSeq: receipt.lines[receipt.lines.length - 1]?.ledgerSeq,
      });
      return { status: 201, body: receipt };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listCertificates, async (c) => {
    const { gtin, lot } = c.req.valid('param');
    const [found] = await ctx.sql`select 1 from lots where gtin = ${gtin} and lot = ${lot}`;
    if (!found) throw problems.notFound(`no lot ${lot} of GTIN ${gtin}`, 'lot');
    return c.json({ items: await listLotCertificates(ctx.sql, gtin, lot) }, 200);
  });

  app.openapi(getCertificate, async (c) => {
    const { gtin, lot, certificateId } = c.req.valid('param');
    const file = await readLotCertificate(ctx.sql, gtin, lot, certificateId);
    if (!file) throw problems.notFound(`no certificate ${certificateId} of lot ${lot} of GTIN ${gtin}`, 'certificateId');
    return new Response(new Uint8Array(file.content), {
      status: 200,
      headers: {
        'content-type': file.mediaType,
        'content-disposition': `attachment; filename="${file.filename.replace(/["\\\r\n]/g, '_')}"`,
        'x-content-sha256': file.sha256,
      },
    }) as never;
  });

  return app;
}
