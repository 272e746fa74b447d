// The node's HTTP application: request plumbing, body limits, one error path,
// and each feature's sub-app mounted with app.route(). No listening here
// (main.ts serves it; tests call app.request()).
import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { auditRoutes } from './audit/routes';
import { auditTrailRoutes } from './audit/trailRoutes';
import { labelRoutes } from './labels/routes';
import { reportRoutes } from './reports/routes';
import { recallRoutes } from './recalls/routes';
import { auditorAuditRoutes } from './auditors/auditRoutes';
import { auditorTokenRoutes } from './auditors/routes';
import { createAuditorAuth } from './auditors/tokens';
import { publicRoutes } from './public/routes';
import { authRoutes } from './auth/routes';
import { createStaffAuth } from './auth/tokens';
import { catalogRoutes } from './catalog/routes';
import type { NodeContext } from './context';
import type { AppEnv } from './http/env';
import { notFound, onError, problemResponse, validationHook } from './http/errors';
import { createHttpMetrics } from './http/metrics';
import { opsRoutes } from './http/ops';
import { importRoutes } from './imports/routes';
import { warehouseRoutes } from './warehouses/routes';
import { partnerRoutes } from './partners/routes';
import { problems } from './http/problem';
import { refuseDeepJson } from './http/jsonDepth';
import { requestContext } from './http/requestContext';
import { refuseUnstorableText } from './http/storableText';
import { registerLedgerMetrics } from './ledger/metrics';
import { inventoryRoutes } from './inventory/routes';
import { lotRoutes } from './lots/routes';
import { purchasingRoutes } from './purchasing/routes';
import { signatureRoutes } from './signatures/routes';
import { qualityRoutes } from './quality/routes';
import { salesRoutes } from './orders/salesRoutes';
import { peerRoutes } from './peers/routes';
import { evidenceRoutes } from './network/evidenceRoutes';
import { noticeRoutes } from './network/noticeRoutes';
import { receivingRoutes } from './network/receivingRoutes';
import { traceRoutes } from './network/traceRoutes';
import { networkRoutes } from './web/network';
import { webRoutes } from './web/static';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Commissioning a lot carries its serials: 32 MB is about a million of them. */
export const LOT_BODY_LIMIT = 32 * 1024 * 1024;

const API_VERSION = '0.1.0';

export function createApp(ctx: NodeContext): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const metrics = createHttpMetrics();
  registerLedgerMetrics(metrics.registry, ctx);
  const auth = createStaffAuth(ctx.sql, { issuer: `urn:medtrace:node:${ctx.participant}` });
  const auditors = createAuditorAuth(ctx);

  app.use('*', requestContext(ctx.log, metrics));
  app.use('*', async (c, next) => {
    c.set('auth', auth);
    c.set('auditors', auditors);
    await next();
  });
  app.use('*', bodyLimits());
  app.use('*', refuseUnstorableText);
  app.use('*', refuseDeepJson);

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'a staff token from POST /api/v1/auth/token',
  });
  app.openAPIRegistry.registerComponent('securitySchemes', 'peerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "another node's peer token: EdDSA JWT with the caller's key in the header (jwk), iss/aud addresses, htm/htu, jti, 60 s",
  });

  app.route('/', opsRoutes(ctx, metrics));
  app.route('/', authRoutes(ctx));
  app.route('/', catalogRoutes(ctx));
  app.route('/', importRoutes(ctx));
  app.route('/', warehouseRoutes(ctx));
  app.route('/', partnerRoutes(ctx));
  app.route('/', lotRoutes(ctx));
  app.route('/', inventoryRoutes(ctx));
  app.route('/', purchasingRoutes(ctx));
  app.route('/', signatureRoutes(ctx));
  app.route('/', qualityRoutes(ctx));
  app.route('/', salesRoutes(ctx));
  app.route('/', auditRoutes(ctx));
  app.route('/', auditTrailRoutes(ctx));
  app.route('/', labelRoutes(ctx));
  app.route('/', reportRoutes(ctx));
  app.route('/', auditorTokenRoutes(ctx));
  app.route('/', auditorAuditRoutes(ctx));
  app.route('/', peerRoutes(ctx));
  app.route('/', noticeRoutes(ctx));
  app.route('/', evidenceRoutes(ctx));
  app.route('/', publicRoutes(ctx));
  app.route('/', recallRoutes(ctx));
  app.route('/', receivingRoutes(ctx));
  app.route('/', traceRoutes(ctx));
  app.route('/', networkRoutes(ctx));
  app.route('/', webRoutes());

  app.doc31('/openapi.json', (c) => ({
    openapi: '3.1.0',
    info: {
      title: 'medtrace node',
      version: API_VERSION,
      description: `The participant node of ${ctx.config.participantName} (${ctx.participant}, chain ${ctx.chainId}).`,
    },
    servers: [{ url: ctx.config.publicUrl ?? new URL(c.req.url).origin }],
  }));

  app.onError(onError);
  app.notFound(notFound);
  return app;
}

// A bigger body only where it is needed (a lot's serials); 1 MB elsewhere.
function bodyLimits(): MiddlewareHandler<AppEnv> {
  const limited = (maxSize: number) =>
    bodyLimit({ maxSize, onError: (c) => problemResponse(c, problems.payloadTooLarge(maxSize)) });
  const big = limited(LOT_BODY_LIMIT);
  const normal = limited(DEFAULT_BODY_LIMIT);
  // A receipt carries serials and certificate files (base64) too.
  const isBig = (path: string) => path === '/api/v1/lots' || path === '/peer/v1/notices' || /^\/api\/v1\/purchase-orders\/[^/]+\/receipts$/.test(path);
  return (c, next) => (c.req.method === 'POST' && isBig(c.req.path) ? big : normal)(c, next);
}
