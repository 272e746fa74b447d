// Certificates that block trade soon or already: for each active partner and
// certificate kind, the latest certificate (a renewal supersedes the older
// ones) when it ends within `days` of `date` or has ended. The qualification
// team works through this list before assertPartnerQualified refuses a trade.
import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { Sql } from '../db';
import type { AppEnv } from '../http/env';
import { bearerAuth } from '../http/router';
import { expiryHorizonQuerySchema, problemResponses } from '../http/schemas';
import { todayIso } from './qualification';

export interface ExpiringCertificate {
  partnerId: number;
  partnerCode: string;
  partnerName: string;
  certificateId: number;
  kind: string;
  number: string;
  validUntil: string;
  /** Days from `date` to the last valid day: negative once expired. */
  daysLeft: number;
  status: 'expired' | 'expiring';
}

export async function listExpiringCertificates(sql: Sql, options: { date: string; days: number }): Promise<ExpiringCertificate[]> {
  const rows = await sql<
    { partner_id: number; code: string; name: string; id: number; kind: string; number: string; valid_until: string; days_left: number }[]
  >`
    select p.id as partner_id, p.code, p.name, c.id, c.kind, c.number, c.valid_until::text as valid_until,
           (c.valid_until - ${options.date}::date) as days_left
    from partner_certificates c
    join partners p on p.id = c.partner_id
    where p.active
      and c.valid_until <= ${options.date}::date + ${options.days}::int
      and not exists (
        select 1 from partner_certificates newer
        where newer.partner_id = c.partner_id and newer.kind = c.kind and newer.valid_until > c.valid_until)
    order by c.valid_until, p.code, c.kind`;
  return rows.map((row) => ({
    partnerId: row.partner_id,
    partnerCode: row.code,
    partnerName: row.name,
    certificateId: row.id,
    kind: row.kind,
    number: row.number,
    validUntil: row.valid_until,
    daysLeft: row.days_left,
    status: row.days_left < 0 ? 'expired' : 'expiring',
  }));
}

const ExpiringCertificateSchema = z
  .object({
    partnerId: z.number().int(),
    partnerCode: z.string(),
    partnerName: z.string(),
    certificateId: z.number().int(),
    kind: z.string(),
    number: z.string(),
    validUntil: z.string().openapi({ format: 'date' }),
    daysLeft: z.number().int(),
    status: z.enum(['expired', 'expiring']),
  })
  .openapi('ExpiringCertificate');

const expiringRoute = createRoute({
  method: 'get',
  path: '/api/v1/partner-certificates/expiring',
  tags: ['partners'],
  summary: "Active partners' certificates (latest of each kind) that have expired or expire within `days` (default 30) of `date` (default today)",
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: {
    query: expiryHorizonQuerySchema,
  },
  responses: {
    200: { description: 'earliest expiry first', content: { 'application/json': { schema: z.object({ items: z.array(ExpiringCertificateSchema) }) } } },
    ...problemResponses(401, 403, 422),
  },
});

export function registerExpiringCertificates(app: OpenAPIHono<AppEnv>, sql: Sql): void {
  app.openapi(expiringRoute, async (c) => {
    const { days = 30, date = todayIso() } = c.req.valid('query');
    return c.json({ items: await listExpiringCertificates(sql, { date, days }) }, 200);
  });
}
