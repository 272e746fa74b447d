// /audit/v1 is read from auditor consoles served by other nodes (an auditor
// opens the console of one node and audits another), so every /audit/v1 answer,
// refusals included, is readable cross-origin. Auditors send bearer tokens,
// never cookies: any origin may read, credentials are never allowed.
import { cors } from 'hono/cors';

export const auditCors = cors({
  origin: '*',
  allowMethods: ['GET', 'OPTIONS'],
  allowHeaders: ['authorization', 'accept'],
  exposeHeaders: ['content-type', 'x-request-id'],
  maxAge: 600,
});
