// Product registrations that block trade soon or already: products whose
// registration has expired or expires within `days` of `date`, so they are
// renewed before assertProductRegistered refuses a purchase or a sale.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { Sql } from '../db';
import type { AppEnv } from '../http/env';
import { bearerAuth } from '../http/router';
import { expiryHorizonQuerySchema, problemResponses } from '../http/schemas';
import { todayIso } from '../partners/qualification';

export interface ExpiringRegistration {
  gtin: string;
  name: string;
  registrationNumber: string;
  registrationExpiry: string;
  /** Days from `date` to the last valid day: negative once expired. */
  daysLeft: number;
  status: 'expired' | 'expiring';
}

export async function listExpiringRegistrations(sql: Sql, options: { date: string; days: number }): Promise<ExpiringRegistration[]> {
  const rows = await sql<{ gtin: string; name: string; registration_number: string; registration_expiry: string; days_left: number }[]>`
    select gtin, name, registration_number, registration_expiry::text as registration_expiry,
           (registration_expiry - ${options.date}::date) as days_left
    from products
    where registration_expiry <= ${options.date}::date + ${options.days}::int
    order by registration_expiry, gtin`;
  return rows.map((row) => ({
    gtin: row.gtin,
    name: row.name,
    registrationNumber: row.registration_number,
    registrationExpiry: row.registration_expiry,
    daysLeft: row.days_left,
    status: row.days_left < 0 ? 'expired' : 'expiring',
  }));
}

const ExpiringRegistrationSchema = z
  .object({
    gtin: z.string(),
    name: z.string(),
    registrationNumber: z.string(),
    registrationExpiry: z.string().openapi({ format: 'date' }),
    daysLeft: z.number().int(),
    status: z.enum(['expired', 'expiring']),
  })
  .openapi('ExpiringRegistration');

const expiringRoute = createRoute({
  method: 'get',
  path: '/api/v1/product-registrations/expiring',
  tags: ['catalog'],
  summary: 'Products whose registration has expired or expires within `days` (default 30) of `date` (default today)',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: {
    query: expiryHorizonQuerySchema,
  },
  responses: {
    200: { description: 'earliest expiry first', content: { 'application/json': { schema: z.object({ items: z.array(ExpiringRegistrationSchema) }) } } },
    ...problemResponses(401, 403, 422),
  },
});

export function registerExpiringRegistrations(app: OpenAPIHono<AppEnv>, sql: Sql): void {
  app.openapi(expiringRoute, async (c) => {
    const { days = 30, date = todayIso() } = c.req.valid('query');
    return c.json({ items: await listExpiringRegistrations(sql, { date, days }) }, 200);
  });
}
