// Request and response shapes of orders, picks, shipments, invoices and returns.
import { z } from '@hono/zod-openapi';
import { gtinSchema, lotSchema, reasonSchema } from '../http/schemas';
import { ORDER_STATUSES } from './orders';

/** Money as a decimal string ("12.50"): numeric in SQL, never a float. */
export const moneySchema = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,4})?$/, 'must be a decimal string like "12.50" (at most 4 decimals)')
  .openapi({ type: 'string', example: '12.50' });

export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like EUR')
  .openapi({ type: 'string', example: 'EUR' });

export const idSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

export const IdParams = z.object({ id: z.string().regex(/^\d{1,15}$/, 'must be a positive integer').transform(Number).openapi({ param: { name: 'id', in: 'path' }, type: 'string' }) });

export const OrderLineInput = z.strictObject({
  gtin: gtinSchema,
  lot: lotSchema.optional().openapi({ description: 'a lot the customer asked for; FEFO chooses otherwise' }),
  quantity: z.number().int('must be an integer').min(1).max(1_000_000),
  unitPrice: moneySchema,
});

export const NewOrderBody = z
  .strictObject({
    customerId: z.number().int().min(1),
    currency: currencySchema.default('EUR'),
    customerReference: z.string().min(1).max(100).optional(),
    lines: z.array(OrderLineInput).min(1, 'must hold at least one line').max(1000),
    reason: reasonSchema,
  })
  .openapi('NewOrder');

export const OrderLineSchema = z.object({
  id: z.number().int(),
  lineNo: z.number().int(),
  gtin: z.string(),
  lot: z.string().nullable(),
  quantity: z.number().int(),
  unitPrice: z.string(),
  allocated: z.number().int(),
  picked: z.number().int(),
  shipped: z.number().int(),
});

export const OrderSchema = z
  .object({
    id: z.number().int(),
    customerId: z.number().int(),
    source: z.enum(['api', 'webhook']),
    externalId: z.string().nullable(),
    status: z.enum(ORDER_STATUSES),
    currency: z.string(),
    total: z.string().openapi({ example: '125.00' }),
    customerReference: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string(),
    lines: z.array(OrderLineSchema),
  })
  .openapi('Order');

/** The e-commerce platform's order: its own id, the customer by partner code, lines with prices. */
export const WebhookOrderBody = z
  .object({
    orderId: z.string().min(1).max(100).openapi({ description: "the platform's order id; a repeat delivery is idempotent", example: 'SHOP-1001' }),
    customerCode: z.string().min(1).max(32).openapi({ description: 'the customer partner code', example: 'CITYHOSP' }),
    currency: currencySchema.default('EUR'),
    lines: z.array(OrderLineInput).min(1, 'must hold at least one line').max(1000),
  })
  .openapi('WebhookOrder');
