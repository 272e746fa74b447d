// The e-commerce webhook: POST /webhooks/v1/orders places an order sent by the
// shop platform. The raw body is authenticated by HMAC-SHA256 with the shared
// secret (X-Medtrace-Signature: sha256=<hex>), and a delivery is idempotent by
// the platform's order id: a repeat gets the stored answer, the same id with a
// different body is refused. The order passes the same checks as one from the API.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createRoute } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { NodeContext } from '../context';
import type { AppEnv } from '../http/env';
import { ProblemError, problems } from '../http/problem';
import { createRouter } from '../http/router';
import { problemResponses } from '../http/schemas';
import { performWrite } from '../http/writes';
import { placeOrder } from './place';
import { OrderSchema, WebhookOrderBody } from './schemas';
import type { Order } from './orders';

/** The actor the audit trail names for orders placed by the platform. */
export const WEBHOOK_ACTOR = 'ecommerce-webhook';
export const SIGNATURE_HEADER = 'x-medtrace-signature';

/** `sha256=<hex>` of `body` under `secret`: what the platform sends (and tests sign with). */
export function signWebhookBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

// Runs before the body is validated: an unsigned request learns nothing about its body.
function verifySignature(ctx: NodeContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const secret = ctx.config.ecommerceWebhookSecret;
    if (secret === undefined) {
      throw new ProblemError(503, 'webhook-not-configured', 'Webhook not configured', 'the e-commerce webhook is off: ECOMMERCE_WEBHOOK_SECRET is not set on this node');
    }
    const header = c.req.header(SIGNATURE_HEADER) ?? '';
    const raw = await c.req.text();
    const expected = Buffer.from(signWebhookBody(secret, raw), 'utf8');
    const given = Buffer.from(header.trim().toLowerCase(), 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ProblemError(401, 'webhook-signature-invalid', 'Webhook signature invalid', `${SIGNATURE_HEADER} must be sha256=<hex HMAC-SHA256 of the raw body with the shared secret>`, {
        field: SIGNATURE_HEADER,
      });
    }
    c.set('user', { username: WEBHOOK_ACTOR, roles: [] });
    await next();
  };
}

const webhookRoute = createRoute({
  method: 'post',
  path: '/webhooks/v1/orders',
  tags: ['webhooks'],
  summary: 'E-commerce order webhook: HMAC-signed, idempotent by the platform order id',
  description: 'Signed with X-Medtrace-Signature: sha256=<hex HMAC-SHA256 of the raw body>. 201 when placed; 200 with Idempotent-Replayed: true for a repeat.',
  middleware: [] as const,
  request: { body: { required: true, content: { 'application/json': { schema: WebhookOrderBody } } } },
  responses: {
    200: { description: 'a repeat delivery: the stored answer', content: { 'application/json': { schema: OrderSchema } } },
    201: { description: 'placed', content: { 'application/json': { schema: OrderSchema } } },
    ...problemResponses(400, 401, 409, 415, 422),
    503: { description: 'the webhook secret is not configured' },
  },
});

class DeliveryTaken extends Error {}

export function webhookRoutes(ctx: NodeContext) {
  const app = createRouter();
  // The signature check runs before zod reads the body (route middleware would too, but only after
  // the OpenAPI validators are registered in this order; an explicit use() makes it certain).
  app.use('/webhooks/v1/orders', verifySignature(ctx));

  app.openapi(webhookRoute, async (c) => {
    const input = c.req.valid('json');
    // The raw body was read (and cached) by the signature check.
    const bodySha256 = '0x' + createHash('sha256').update(await c.req.text(), 'utf8').digest('hex');
    const replay = async (): Promise<Response | undefined> => {
      const [row] = await ctx.sql<{ body_sha256: string; response: Order | null }[]>`
        select body_sha256, response from webhook_deliveries where external_id = ${input.orderId}`;
      if (!row) return undefined;
      if (row.body_sha256 !== bodySha256) {
        throw problems.conflict('webhook-order-conflict', `order ${input.orderId} was already delivered with a different body; the platform order id identifies one order`, {
          field: 'orderId',
        });
      }
      if (row.response === null) return undefined;
      c.header('idempotent-replayed', 'true');
      return c.json(row.response, 200);
    };

    const earlier = await replay();
    if (earlier) return earlier as never;
    try {
      const result = await performWrite(c, ctx.sql, input, async (w) => {
        const customer = await w.tx<{ id: string }[]>`select id from partners where code = ${input.customerCode}`;
        if (customer.length === 0) throw problems.invalidInput(`customerCode: no partner with code ${input.customerCode}`, 'customerCode');
        const claimed = await w.tx`
          insert into webhook_deliveries (external_id, body_sha256) values (${input.orderId}, ${bodySha256})
          on conflict (external_id) do nothing returning external_id`;
        if (claimed.length === 0) throw new DeliveryTaken();
        const order = await placeOrder(w, {
          source: 'webhook',
          externalId: input.orderId,
          customerId: Number(customer[0].id),
          currency: input.currency,
          lines: input.lines,
        });
        await w.tx`
          update webhook_deliveries set order_id = ${order.id}, status = 201, response = ${w.tx.json(order as never)}
          where external_id = ${input.orderId}`;
        return { status: 201, body: order };
      });
      return c.json(result.body, 201);
    } catch (error) {
      if (!(error instanceof DeliveryTaken)) throw error;
      const stored = await replay();
      if (stored) return stored as never;
      throw problems.conflict('webhook-delivery-in-progress', `order ${input.orderId} is being placed by a concurrent delivery`, { field: 'orderId' });
    }
  });

  return app;
}
