// Receiving against evidence, reconciliation and dispensing over HTTP:
//   POST /api/v1/notices/{id}/receipts        (receiveGoods)  book a delivery against a notice
//   GET  /api/v1/reconciliation               (readNetwork)   items and totals, filters company/shipment/status
//   POST /api/v1/reconciliation/{id}/resolve  (reconcile)     resolve an item (the other side is told)
//   POST /peer/v1/reconciliation              (peer)          items from a receiver / a resolution from the other side
//   POST /api/v1/dispensations                (dispenseUnits) a unit used on a patient
import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../auth/auditTrail';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, gtinSchema, lotSchema, pageQuerySchema, problemResponses, reasonSchema } from '../http/schemas';
import { performWrite } from '../http/writes';
import { localDate } from '../lots/expiry';
import { peerAuth, requirePeer } from '../peers';
import { checkNotice } from './checkNotice';
import { dispenseUnit } from './dispensing';
import { noticeDocument } from './inbound';
import { receiveAgainstNotice } from './receiving';
import { listItems, receiveItems, receiveResolution, reconciliationTotals, resolveItem, RECONCILIATION_PATH } from './reconciliation';

const IdParams = z.object({ id: z.string().regex(/^\d{1,18}$/, 'must be a numeric id').transform(Number).openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '1' }) });

const ItemSchema = z
  .object({
    id: z.number().int(),
    counterpart: z.string(),
    counterpartName: z.string().nullable(),
    role: z.enum(['receiver', 'sender']),
    shipmentRef: z.string(),
    noticeId: z.number().int().nullable(),
    shipmentId: z.number().int().nullable(),
    gtin: z.string(),
    lot: z.string().nullable(),
    serial: z.string().nullable(),
    expected: z.number().int(),
    received: z.number().int(),
    reason: z.string(),
    status: z.enum(['open', 'resolved']),
    resolution: z.string().nullable(),
    note: z.string().nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    remoteId: z.number().int().nullable(),
    createdAt: z.string(),
  })
  .openapi('ReconciliationItem');

const ReceiptBody = z
  .strictObject({
    scans: z.array(z.string().min(1).max(500)).max(20_000).openapi({ description: 'scanned codes: Digital Link, element string (raw or bracketed)' }),
    quantities: z
      .array(z.strictObject({ gtin: gtinSchema, lot: lotSchema, quantity: z.number().int().min(1).max(10_000_000) }))
      .max(10_000)
      .optional()
      .openapi({ description: 'lot-controlled goods: quantity received per lot (else each scan of the lot counts one)' }),
    close: z.boolean().optional().openapi({ description: 'the delivery is complete: lines never received become reconciliation items' }),
    reason: reasonSchema,
  })
  .openapi('InboundReceiptRequest');

const ReceiptSchema = z
  .object({
    id: z.number().int(),
    noticeId: z.number().int(),
    sender: z.string(),
    shipmentRef: z.string(),
    receivedAt: z.string(),
    receivedBy: z.string(),
    closed: z.boolean(),
    ledgerSeq: z.number().int().nullable().openapi({ description: 'the receiving event (null when nothing was booked)' }),
    lines: z.array(
      z.object({
        lineNo: z.number().int(),
        gtin: z.string(),
        lot: z.string(),
        serial: z.string().nullable(),
        quantity: z.number().int(),
        outcome: z.enum(['booked', 'blocked', 'not-received', 'short', 'already-received']),
        reason: z.string().nullable(),
      }),
    ),
    unmatched: z.array(
      z.object({ scan: z.string().nullable(), gtin: z.string(), lot: z.string().nullable(), serial: z.string().nullable(), quantity: z.number().int(), reason: z.string() }),
    ),
    reconciliation: z.array(ItemSchema),
  })
  .openapi('InboundReceipt');

const receiveRoute = createRoute({
  method: 'post',
  path: '/api/v1/notices/{id}/receipts',
  tags: ['network'],
  summary: 'Receive goods against a shipment notice: the evidence is checked again, ok lines booked into quarantine, the rest listed for reconciliation',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.receiveGoods)] as const,
  request: { params: IdParams, body: { content: { 'application/json': { schema: ReceiptBody } }, required: true } },
  responses: {
    201: { description: 'the receipt, line by line', content: { 'application/json': { schema: ReceiptSchema } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const ListQuery = pageQuerySchema.extend({
  company: z.string().max(100).optional().openapi({ description: 'participant address or partner code' }),
  shipment: z.string().max(200).optional().openapi({ description: 'shipment ref (urn:medtrace:shipment:<sender>:<id>) or own shipment id' }),
  status: z.enum(['open', 'resolved']).optional(),
  role: z.enum(['receiver', 'sender']).optional(),
});

const TotalsSchema = z.object({
  byCompany: z.array(
    z.object({ counterpart: z.string(), name: z.string().nullable(), open: z.number().int(), resolved: z.number().int(), expected: z.number().int(), received: z.number().int() }),
  ),
  byShipment: z.array(
    z.object({
      shipmentRef: z.string(),
      counterpart: z.string(),
      role: z.enum(['receiver', 'sender']),
      shipped: z.number().int(),
      received: z.number().int(),
      open: z.number().int(),
      resolved: z.number().int(),
    }),
  ),
});

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/reconciliation',
  tags: ['network'],
  summary: 'Reconciliation items (shipped vs received) with totals by company and by shipment',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readNetwork)] as const,
  request: { query: ListQuery },
  responses: {
    200: {
      description: 'a page of items and the totals of the filter',
      content: { 'application/json': { schema: z.object({ items: z.array(ItemSchema), nextCursor: z.string().nullable(), totals: TotalsSchema }).openapi('ReconciliationPage') } },
    },
    ...problemResponses(401, 403, 422),
  },
});

const ResolveBody = z
  .strictObject({
    resolution: z.string().min(1).max(100).openapi({ example: 'credit-note' }),
    note: z.string().max(2000).optional(),
    reason: reasonSchema,
  })
  .openapi('ResolveReconciliationItem');

const resolveRoute = createRoute({
  method: 'post',
  path: '/api/v1/reconciliation/{id}/resolve',
  tags: ['network'],
  summary: 'Resolve a reconciliation item; the other company is told',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.reconcile)] as const,
  request: { params: IdParams, body: { content: { 'application/json': { schema: ResolveBody } }, required: true } },
  responses: {
    200: { description: 'the resolved item', content: { 'application/json': { schema: ItemSchema } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

const WireItem = z.object({
  id: z.number().int().min(1),
  gtin: gtinSchema,
  lot: lotSchema.nullable(),
  serial: z.string().min(1).max(20).nullable(),
  expected: z.number().int().min(0),
  received: z.number().int().min(0),
  reason: z.string().min(1).max(200),
});

const PeerBody = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('items'),
      shipmentId: z.number().int().min(1),
      shipmentRef: z.string().min(1).max(200),
      items: z.array(WireItem).min(1).max(100_000),
    }),
    z.object({
      type: z.literal('resolution'),
      id: z.number().int().min(1),
      remoteId: z.number().int().min(1).nullable(),
      resolution: z.string().min(1).max(100),
      note: z.string().max(2000).nullable(),
      resolvedBy: z.string().min(1).max(200),
      resolvedAt: z.string().datetime({ offset: true }),
    }),
  ])
  .openapi('ReconciliationMessage');

const peerRoute = (ctx: NodeContext) =>
  createRoute({
    method: 'post',
    path: RECONCILIATION_PATH,
    tags: ['network'],
    summary: "Reconciliation between nodes: a receiver's items about a shipment of ours, or the other side's resolution of an item",
    security: peerAuth,
    middleware: [requirePeer(ctx)] as const,
    request: { body: { content: { 'application/json': { schema: PeerBody } }, required: true } },
    responses: {
      200: { description: 'stored', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } },
      ...problemResponses(400, 401, 403, 409, 422),
    },
  });

const DispenseBody = z.strictObject({ scan: z.string().min(1).max(500).openapi({ description: "the unit's UDI as scanned" }), reason: reasonSchema }).openapi('DispenseRequest');

const DispensationSchema = z
  .object({
    id: z.number().int(),
    gtin: z.string(),
    lot: z.string(),
    serial: z.string(),
    uri: z.string(),
    dispensedAt: z.string(),
    dispensedBy: z.string(),
    ledgerSeq: z.number().int(),
  })
  .openapi('Dispensation');

const dispenseRoute = createRoute({
  method: 'post',
  path: '/api/v1/dispensations',
  tags: ['network'],
  summary: 'Dispense a unit (used on a patient; no patient data): on hand, lot released, not expired, not recalled',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.dispenseUnits)] as const,
  request: { body: { content: { 'application/json': { schema: DispenseBody } }, required: true } },
  responses: {
    201: { description: 'the unit is consumed', content: { 'application/json': { schema: DispensationSchema } } },
    ...problemResponses(401, 403, 404, 409, 422),
  },
});

export function receivingRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(receiveRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const notice = await noticeDocument(ctx.sql, id);
    if (!notice) throw problems.notFound(`no notice ${id}`, 'id');
    // The evidence again, now (reads the chain: before the transaction).
    const today = localDate(ctx.config.eventTimeZoneOffset);
    const check = await checkNotice(ctx, notice, { today });
    const result = await performWrite(c, ctx.sql, { id, ...body }, async (w) => {
      const receipt = await receiveAgainstNotice(w, ctx, id, notice, check, body, today);
      await w.audit({
        action: 'inbound_receipt.create',
        entity: 'inbound_receipt',
        entityId: String(receipt.id),
        after: { noticeId: id, closed: receipt.closed, lines: receipt.lines.map((l) => ({ lineNo: l.lineNo, outcome: l.outcome, reason: l.reason })), unmatched: receipt.unmatched.length },
        ...(receipt.ledgerSeq === null ? {} : { ledgerSeq: receipt.ledgerSeq }),
      });
      return { status: 201, body: receipt };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(query.cursor, 1);
    const afterId = after === undefined ? undefined : Number(after[0]);
    if (afterId !== undefined && !Number.isSafeInteger(afterId)) throw problems.invalidInput('cursor: not a cursor this server returned', 'cursor');
    const filter = { company: query.company, shipment: query.shipment, status: query.status, role: query.role };
    const items = await listItems(ctx.sql, filter, { limit, afterId });
    const nextCursor = items.length === limit ? encodeCursor([String(items[items.length - 1].id)]) : null;
    return c.json({ items, nextCursor, totals: await reconciliationTotals(ctx.sql, filter) }, 200);
  });

  app.openapi(resolveRoute, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, { id, ...body }, async (w) => {
      const { before, after } = await resolveItem(w.tx, id, { resolution: body.resolution, note: body.note }, w.actor);
      await w.audit({ action: 'reconciliation.resolve', entity: 'reconciliation_item', entityId: String(id), before: { status: before.status }, after: { status: after.status, resolution: after.resolution, note: after.note } });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(peerRoute(ctx), async (c) => {
    const peer = c.get('peer');
    const body = c.req.valid('json');
    const answer = await ctx.sql.begin(async (tx) => {
      if (body.type === 'items') {
        const stored = await receiveItems(tx, peer.address, body);
        await recordAudit(tx, {
          actor: `peer:${peer.address}`,
          action: 'reconciliation.receive',
          entity: 'shipment',
          entityId: String(body.shipmentId),
          after: { items: stored.items.length, shipmentRef: body.shipmentRef },
          requestId: c.get('requestId'),
        });
        return stored;
      }
      const resolved = await receiveResolution(tx, peer.address, body);
      if (resolved.changed) {
        await recordAudit(tx, {
          actor: `peer:${peer.address}`,
          action: 'reconciliation.resolve',
          entity: 'reconciliation_item',
          entityId: String(resolved.id),
          before: { status: 'open' },
          after: { status: 'resolved', resolution: body.resolution, note: body.note, resolvedBy: body.resolvedBy },
          requestId: c.get('requestId'),
        });
      }
      return resolved;
    });
    return c.json(answer as Record<string, unknown>, 200);
  });

  app.openapi(dispenseRoute, async (c) => {
    const body = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, body, async (w) => {
      const dispensation = await dispenseUnit(w.tx, body.scan, {
        actor: w.actor,
        ledger: { participant: ctx.participant, chainId: ctx.chainId },
        eventTimeZoneOffset: ctx.config.eventTimeZoneOffset,
        chain: ctx.chain,
        today: localDate(ctx.config.eventTimeZoneOffset),
      });
      await w.audit({
        action: 'unit.dispense',
        entity: 'unit',
        entityId: `${dispensation.gtin}/${dispensation.serial}`,
        before: { state: 'on_hand' },
        after: { state: 'consumed', dispensationId: dispensation.id },
        ledgerSeq: dispensation.ledgerSeq,
      });
      return { status: 201, body: dispensation };
    });
    return c.json(result.body, 201);
  });

  return app;
}

