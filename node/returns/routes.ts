// Returns API: authorise a return (RMA) of units or lot quantities shipped to
// the customer, receive it, disposition what came back after inspection
// (restock or scrap), read and list RMAs.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { gtinSchema, lotSchema, pageOf, problemResponses, reasonSchema, serialSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { IdParams } from '../orders/schemas';
import { pageById } from '../quality/paging';
import { listRmas, RmaSummarySchema, SalesListQuery, salesListFilter } from '../shipments/lists';
import { createRma, dispositionRma, findRma, receiveRma } from './returns';

const RmaSchema = z
  .object({
    id: z.number().int(),
    customerId: z.number().int(),
    status: z.enum(['authorized', 'received', 'closed']),
    reason: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    lines: z.array(
      z.object({
        id: z.number().int(),
        gtin: z.string(),
        lot: z.string(),
        serial: z.string().nullable().openapi({ description: 'null on a lot line (lot-controlled goods)' }),
        quantity: z.number().int().openapi({ description: '1 for a unit' }),
        shipmentId: z.number().int(),
        status: z.enum(['authorized', 'received', 'restocked', 'scrapped']),
        inspectionResult: z.enum(['pass', 'fail']).nullable(),
        inspectionNotes: z.string().nullable(),
        receivedLedgerSeq: z.number().int().nullable(),
        dispositionLedgerSeq: z.number().int().nullable(),
      }),
    ),
  })
  .openapi('Rma');

const UnitRef = z.strictObject({ gtin: gtinSchema, serial: serialSchema });
const quantitySchema = z.number().int().min(1).max(99_999_999);
const LotRef = z.strictObject({ gtin: gtinSchema, lot: lotSchema, quantity: quantitySchema });

const NewRma = z
  .strictObject({
    customerId: z.number().int().min(1),
    reason: z.string().trim().min(1, 'must say why the customer returns the units').max(1000),
    units: z.array(UnitRef).max(10_000).optional().openapi({ description: 'serialised goods, by unit' }),
    lots: z.array(LotRef).max(1_000).optional().openapi({ description: 'lot-controlled goods: a quantity of a lot shipped to this customer' }),
  })
  .superRefine((value, ctx) => {
    if ((value.units?.length ?? 0) + (value.lots?.length ?? 0) === 0) ctx.addIssue({ code: 'custom', path: ['units'], message: 'name the units or lot quantities to return' });
  })
  .openapi('NewRma');

const decision = {
  result: z.enum(['pass', 'fail']),
  notes: z.string().max(1000).optional(),
  disposition: z.enum(['restock', 'scrap']),
};

const DispositionBody = z
  .strictObject({
    units: z.array(UnitRef.extend(decision)).max(10_000).optional(),
    lots: z
      .array(LotRef.extend(decision))
      .max(1_000)
      .optional()
      .openapi({ description: 'decisions on received lot quantities: together they cover each lot line exactly (e.g. 8 restock + 2 scrap of 10)' }),
    reason: reasonSchema,
  })
  .superRefine((value, ctx) => {
    if ((value.units?.length ?? 0) + (value.lots?.length ?? 0) === 0) ctx.addIssue({ code: 'custom', path: ['units'], message: 'decide on at least one unit or lot quantity' });
  })
  .openapi('RmaDisposition');

const json = <T extends z.ZodTypeAny>(schema: T) => ({ 'application/json': { schema } });

const createRmaRoute = createRoute({
  method: 'post',
  path: '/api/v1/rmas',
  tags: ['returns'],
  summary: 'Authorise a return of units shipped to this customer',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeOrders)] as const,
  request: { body: { required: true, content: json(NewRma) } },
  responses: { 201: { description: 'authorised', content: json(RmaSchema) }, ...problemResponses(400, 401, 403, 409, 415, 422) },
});

const getRmaRoute = createRoute({
  method: 'get',
  path: '/api/v1/rmas/{id}',
  tags: ['returns'],
  summary: 'Read an RMA with its units',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: IdParams },
  responses: { 200: { description: 'the RMA', content: json(RmaSchema) }, ...problemResponses(401, 403, 404, 422) },
});

const receiveRoute = createRoute({
  method: 'post',
  path: '/api/v1/rmas/{id}/receipts',
  tags: ['returns'],
  summary: 'Receive the returned units into the RETURNS bin (receiving/returned event)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.receiveGoods)] as const,
  request: { params: IdParams, body: { required: false, content: json(z.strictObject({ reason: reasonSchema })) } },
  responses: { 201: { description: 'received', content: json(RmaSchema) }, ...problemResponses(401, 403, 404, 409, 422) },
});

const dispositionRoute = createRoute({
  method: 'post',
  path: '/api/v1/rmas/{id}/dispositions',
  tags: ['returns'],
  summary: 'Inspect received units and restock (qualified, on hand) or scrap (destroyed) each one',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeQualityRecords)] as const,
  request: { params: IdParams, body: { required: true, content: json(DispositionBody) } },
  responses: { 201: { description: 'dispositioned', content: json(RmaSchema) }, ...problemResponses(400, 401, 403, 404, 409, 415, 422) },
});

const listRmasRoute = createRoute({
  method: 'get',
  path: '/api/v1/rmas',
  tags: ['returns'],
  summary: 'List RMAs, oldest first, by customer, order (of the shipments returned from) and day authorised (keyset pages)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { query: SalesListQuery },
  responses: { 200: { description: 'a page of RMAs', content: json(pageOf(RmaSummarySchema)) }, ...problemResponses(401, 403, 422) },
});

export function returnRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(listRmasRoute, async (c) => {
    const query = c.req.valid('query');
    const filter = salesListFilter(query);
    return c.json(await pageById(query, (page) => listRmas(ctx.sql, filter, page)), 200);
  });
  const events = () => ({ ledger: { participant: ctx.participant, chainId: ctx.chainId }, eventTimeZoneOffset: ctx.config.eventTimeZoneOffset });

  app.openapi(createRmaRoute, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      const [customer] = await w.tx`select 1 from partners where id = ${input.customerId} and is_customer`;
      if (!customer) throw problems.invalidInput(`customerId: no customer with id ${input.customerId}`, 'customerId');
      const id = await createRma(w.tx, input, w.actor);
      const rma = (await findRma(w.tx, id))!;
      await w.audit({ action: 'rma.create', entity: 'rma', entityId: String(id), after: rma });
      return { status: 201, body: rma };
    });
    return c.json(result.body, 201);
  });

  app.openapi(getRmaRoute, async (c) => {
    const { id } = c.req.valid('param');
    const rma = await findRma(ctx.sql, id);
    if (!rma) throw problems.notFound(`no RMA ${id}`, 'id');
    return c.json(rma, 200);
  });

  app.openapi(receiveRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.header('content-type')?.includes('json') ? c.req.valid('json') : {};
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const before = await findRma(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no RMA ${id}`, 'id');
      const seq = await receiveRma(w.tx, before, w.actor, events());
      const after = (await findRma(w.tx, id))!;
      await w.audit({ action: 'rma.receive', entity: 'rma', entityId: String(id), before, after, ledgerSeq: seq });
      return { status: 201, body: after };
    });
    return c.json(result.body, 201);
  });

  app.openapi(dispositionRoute, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...input }, async (w) => {
      const before = await findRma(w.tx, id, { lock: true });
      if (!before) throw problems.notFound(`no RMA ${id}`, 'id');
      const seqs = await dispositionRma(w.tx, before, { units: input.units, lots: input.lots, actor: w.actor, reason: w.reason, events: events() });
      const after = (await findRma(w.tx, id))!;
      await w.audit({ action: 'rma.disposition', entity: 'rma', entityId: String(id), before, after, ledgerSeq: seqs[seqs.length - 1] });
      return { status: 201, body: after };
    });
    return c.json(result.body, 201);
  });

  return app;
}
