// Signatures API: the e-signatures made on one record (lot, CAPA, deviation, …),
// oldest first, each with its meaning, signer, time and the SHA-256 of the
// record version it is bound to.
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { bearerAuth, createRouter } from '../http/router';
import { problemResponses } from '../http/schemas';
import { listSignatures, SignatureSchema } from './sign';

const listRoute = createRoute({
  method: 'get',
  path: '/api/v1/signatures',
  tags: ['signatures'],
  summary: 'The e-signatures of one record, oldest first',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: {
    query: z.object({
      entity: z.string().min(1).max(100).openapi({ example: 'lot' }),
      entityId: z.string().min(1).max(200).openapi({ example: '09506000134352/L2611A' }),
    }),
  },
  responses: {
    200: { description: 'the signatures', content: { 'application/json': { schema: z.object({ items: z.array(SignatureSchema) }) } } },
    ...problemResponses(401, 403, 422),
  },
});

export function signatureRoutes(ctx: NodeContext) {
  const app = createRouter();
  app.openapi(listRoute, async (c) => {
    const { entity, entityId } = c.req.valid('query');
    return c.json({ items: await listSignatures(ctx.sql, entity, entityId) }, 200);
  });
  return app;
}
