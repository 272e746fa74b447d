// GET /peer/v1/evidence: a customer's node asks this node again for the
// evidence about goods this node shipped to it (the shipping event and the
// pedigree, as in the shipment notice, restricted to the goods asked about), for
// instance to rebuild its pedigree or to answer an auditor. Only a participant
// this node shipped those goods to gets an answer: another company's goods, or
// goods never shipped to the caller, are refused with 403 `not-a-recipient`.
import { createRoute, z } from '@hono/zod-openapi';
import type { NodeContext } from '../context';
import { ProblemError } from '../http/problem';
import { createRouter } from '../http/router';
import { gtinSchema, lotSchema, problemResponses, serialSchema } from '../http/schemas';
import { peerAuth, requirePeer } from '../peers';
import { itemKeys, mergeBundles, noticeBundlesFor } from './evidence';
import { buildNotice } from './notice';

const EvidenceQuery = z.object({
  gtin: gtinSchema.openapi({ param: { name: 'gtin', in: 'query' } }),
  lot: lotSchema.openapi({ param: { name: 'lot', in: 'query' } }),
  serial: serialSchema.optional().openapi({ param: { name: 'serial', in: 'query' }, description: 'one unit; omitted: every unit of the lot shipped to the caller' }),
});

const Evidence = z
  .object({
    gtin: z.string(),
    lot: z.string(),
    serial: z.string().optional(),
    shipments: z.array(z.number().int()).openapi({ description: "this node's shipments of the goods to the caller" }),
    bundles: z.array(z.record(z.string(), z.unknown())).openapi({ description: 'proof bundles (DESIGN 4.6): shipping events and pedigree, one per event' }),
  })
  .openapi('PeerEvidence');

export function evidenceRoutes(ctx: NodeContext) {
  const app = createRouter();
  const route = createRoute({
    method: 'get',
    path: '/peer/v1/evidence',
    tags: ['peer'],
    summary: 'Evidence about goods this node shipped to the calling participant (shipping event and pedigree, with proofs)',
    security: peerAuth,
    middleware: [requirePeer(ctx)] as const,
    request: { query: EvidenceQuery },
    responses: {
      200: { description: 'the bundles', content: { 'application/json': { schema: Evidence } } },
      409: { description: 'the evidence is not anchored yet; ask again shortly' },
      ...problemResponses(400, 401, 403),
    },
  });

  app.openapi(route, async (c) => {
    const { gtin, lot, serial } = c.req.valid('query');
    const caller = c.get('peer').address;
    const shipped = await ctx.sql<{ shipment_id: string; serials: (string | null)[] }[]>`
      select sl.shipment_id, array_agg(sl.serial) as serials
      from shipment_lines sl
      join shipments s on s.id = sl.shipment_id
      join partners p on p.id = s.customer_id
      where p.participant = ${caller} and sl.gtin = ${gtin} and sl.lot = ${lot}
        ${serial === undefined ? ctx.sql`` : ctx.sql`and sl.serial = ${serial}`}
      group by sl.shipment_id
      order by sl.shipment_id`;
    if (shipped.length === 0) {
      const what = serial === undefined ? `lot ${lot} of GTIN ${gtin}` : `unit ${serial} of GTIN ${gtin} (lot ${lot})`;
      throw new ProblemError(403, 'not-a-recipient', 'Not a recipient', `this node shipped no ${what} to ${caller}: it gives evidence only about goods it shipped to the caller`, {
        field: serial === undefined ? 'lot' : 'serial',
      });
    }
    const bundles = [];
    for (const row of shipped) {
      const notice = await buildNotice(ctx, Number(row.shipment_id));
      if (!notice) {
        throw new ProblemError(409, 'not-anchored', 'Not anchored yet', `shipment ${row.shipment_id} or its evidence is not anchored yet; ask again shortly`, { field: 'lot' });
      }
      const items = row.serials.map((s) => ({ gtin, lot, serial: s }));
      bundles.push(...noticeBundlesFor(notice, itemKeys(items)));
    }
    return c.json(
      {
        gtin,
        lot,
        ...(serial === undefined ? {} : { serial }),
        shipments: shipped.map((row) => Number(row.shipment_id)),
        bundles: mergeBundles(bundles) as unknown as Record<string, unknown>[],
      },
      200,
    );
  });
  return app;
}
