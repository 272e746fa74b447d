// Sales and fulfilment, mounted as one sub-app: orders (API and webhook),
// allocation and scan-verified picking, shipments and invoices, returns.
import type { NodeContext } from '../context';
import { createRouter } from '../http/router';
import { returnRoutes } from '../returns/routes';
import { shipmentRoutes } from '../shipments/routes';
import { fulfilmentRoutes } from './fulfilmentRoutes';
import { orderRoutes } from './routes';
import { webhookRoutes } from './webhook';

export function salesRoutes(ctx: NodeContext) {
  const app = createRouter();
  app.route('/', orderRoutes(ctx));
  app.route('/', fulfilmentRoutes(ctx));
  app.route('/', shipmentRoutes(ctx));
  app.route('/', returnRoutes(ctx));
  app.route('/', webhookRoutes(ctx));
  return app;
}
