// Partners API: suppliers and customers with their qualification certificates.
// Master data, so no ledger event; every change is in the audit trail (before,
// after, why). Corrections (PATCH, certificate removal) need a reason; a
// partner is deactivated, never deleted (orders and lots point at it).
import { createRoute, z } from '@hono/zod-openapi';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import { problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { decodeIdCursor, DEFAULT_PAGE_SIZE, encodeCursor, isoDateSchema, pageOf, pageQuerySchema, problemResponses } from '../http/schemas';
import { performWrite, type WriteScope } from '../http/writes';
import {
  certificateExists,
  deleteCertificate,
  findCertificate,
  findPartner,
  findPartnerByCode,
  insertCertificate,
  insertPartner,
  listPartners,
  touchPartner,
  updateCertificate,
  updatePartner,
  type Partner,
} from './partners';
import { registerExpiringCertificates } from './expiring';
import { assertPartnerQualified, todayIso } from './qualification';
import { CertificatePatch, NewCertificate, NewPartner, PartnerPatch } from './schemas';

export const CertificateSchema = z
  .object({
    id: z.number().int(),
    partnerId: z.number().int(),
    kind: z.string().openapi({ example: 'distribution_licence' }),
    number: z.string(),
    validFrom: z.string().nullable().openapi({ format: 'date' }),
    validUntil: z.string().openapi({ format: 'date' }),
    documentSha256: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Certificate');

export const PartnerSchema = z
  .object({
    id: z.number().int(),
    code: z.string(),
    name: z.string(),
    isSupplier: z.boolean(),
    isCustomer: z.boolean(),
    gln: z.string().nullable(),
    participant: z.string().nullable(),
    creditLimit: z.string().nullable().openapi({ example: '5000.00' }),
    active: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    certificates: z.array(CertificateSchema),
  })
  .openapi('Partner');

const idSchema = z
  .string()
  .regex(/^[1-9][0-9]{0,14}$/, 'must be a positive integer id')
  .transform(Number);

const PartnerParam = z.object({ id: idSchema.openapi({ param: { name: 'id', in: 'path' }, type: 'string', example: '1' }) });
const CertificateParams = PartnerParam.extend({
  certificateId: idSchema.openapi({ param: { name: 'certificateId', in: 'path' }, type: 'string', example: '1' }),
});

const roleSchema = z.enum(['supplier', 'customer'], 'must be supplier or customer');

const route = <T extends Parameters<typeof createRoute>[0]>(config: T) => createRoute({ tags: ['partners'], security: bearerAuth, ...config });
const json = <T extends z.ZodTypeAny>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
const ok = <T extends z.ZodTypeAny>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });

const createPartner = route({
  method: 'post',
  path: '/api/v1/partners',
  summary: 'Create a partner (supplier, customer or both), optionally with its certificates',
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { body: json(NewPartner) },
  responses: { 201: ok('created', PartnerSchema), ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
});

const listPartnersRoute = route({
  method: 'get',
  path: '/api/v1/partners',
  summary: 'List partners by id, optionally of one role or activity',
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: {
    query: pageQuerySchema.extend({
      role: roleSchema.optional(),
      active: z.enum(['true', 'false']).optional(),
    }),
  },
  responses: { 200: ok('a page of partners', pageOf(PartnerSchema)), ...problemResponses(401, 403, 422) },
});

const getPartner = route({
  method: 'get',
  path: '/api/v1/partners/{id}',
  summary: 'Read one partner with its certificates',
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: PartnerParam },
  responses: { 200: ok('the partner', PartnerSchema), ...problemResponses(401, 403, 404, 422) },
});

const patchPartner = route({
  method: 'patch',
  path: '/api/v1/partners/{id}',
  summary: 'Correct a partner or (de)activate it (a reason is required)',
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { params: PartnerParam, body: json(PartnerPatch) },
  responses: { 200: ok('the corrected partner', PartnerSchema), ...problemResponses(400, 401, 403, 404, 413, 415, 422) },
});

const addCertificate = route({
  method: 'post',
  path: '/api/v1/partners/{id}/certificates',
  summary: 'Record a qualification certificate of a partner',
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { params: PartnerParam, body: json(NewCertificate) },
  responses: { 201: ok('recorded', CertificateSchema), ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) },
});

const patchCertificate = route({
  method: 'patch',
  path: '/api/v1/partners/{id}/certificates/{certificateId}',
  summary: 'Correct a certificate (a reason is required)',
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { params: CertificateParams, body: json(CertificatePatch) },
  responses: { 200: ok('the corrected certificate', CertificateSchema), ...problemResponses(400, 401, 403, 404, 409, 413, 415, 422) },
});

const removeCertificate = route({
  method: 'delete',
  path: '/api/v1/partners/{id}/certificates/{certificateId}',
  summary: 'Remove a certificate recorded by mistake (a reason is required: X-Reason)',
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { params: CertificateParams },
  responses: { 200: ok('the partner without it', PartnerSchema), ...problemResponses(401, 403, 404, 422) },
});

const QualificationCheck = z
  .object({ partnerId: z.number().int(), role: roleSchema, date: z.string().openapi({ format: 'date' }), qualified: z.literal(true) })
  .openapi('QualificationCheck');

const checkQualification = route({
  method: 'get',
  path: '/api/v1/partners/{id}/qualification',
  summary: 'Check that a partner may be bought from (supplier) or sold to (customer) on a date: 422 names the certificate at fault',
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: PartnerParam, query: z.object({ role: roleSchema, date: isoDateSchema.optional() }) },
  responses: { 200: ok('qualified on that date', QualificationCheck), ...problemResponses(401, 403, 422) },
});

function requireReason(w: WriteScope, what: string): void {
  if (w.reason === undefined) throw problems.invalidInput(`reason: ${what} needs a reason (X-Reason header or reason field)`, 'reason');
}

async function lockPartner(w: WriteScope, id: number): Promise<Partner> {
  const partner = await findPartner(w.tx, id, { forUpdate: true });
  if (!partner) throw problems.notFound(`no partner with id ${id}`, 'id');
  return partner;
}

async function refuseDuplicateCertificate(w: WriteScope, partnerId: number, kind: string, number: string, field: string, exceptId?: number) {
  if (await certificateExists(w.tx, partnerId, kind, number, exceptId)) {
    throw problems.conflict('certificate-exists', `partner ${partnerId} already has ${kind} certificate ${number}`, { field });
  }
}

export function partnerRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(createPartner, async (c) => {
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      if (await findPartnerByCode(w.tx, input.code)) {
        throw problems.conflict('partner-exists', `a partner with code ${input.code} already exists`, { field: 'code' });
      }
      const { certificates = [], reason: _reason, ...fields } = input;
      const id = await insertPartner(w.tx, fields);
      const seen = new Set<string>();
      for (const [index, certificate] of certificates.entries()) {
        const key = `${certificate.kind}\u0000${certificate.number}`;
        if (seen.has(key)) {
          throw problems.conflict('certificate-exists', `certificates.${index}: ${certificate.kind} certificate ${certificate.number} is listed twice`, {
            field: `certificates.${index}.number`,
          });
        }
        seen.add(key);
        await insertCertificate(w.tx, id, certificate);
      }
      const partner = (await findPartner(w.tx, id))!;
      await w.audit({ action: 'partner.create', entity: 'partner', entityId: String(id), after: partner });
      return { status: 201, body: partner };
    });
    return c.json(result.body, 201);
  });

  app.openapi(listPartnersRoute, async (c) => {
    const query = c.req.valid('query');
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const afterId = decodeIdCursor(query.cursor);
    const rows = await listPartners(ctx.sql, {
      role: query.role,
      active: query.active === undefined ? undefined : query.active === 'true',
      afterId,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit);
    return c.json({ items, nextCursor: rows.length > limit ? encodeCursor([String(items[items.length - 1].id)]) : null }, 200);
  });

  app.openapi(getPartner, async (c) => {
    const { id } = c.req.valid('param');
    const partner = await findPartner(ctx.sql, id);
    if (!partner) throw problems.notFound(`no partner with id ${id}`, 'id');
    return c.json(partner, 200);
  });

  app.openapi(patchPartner, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      requireReason(w, 'a change to a partner');
      const { reason: _reason, ...patch } = input;
      if (Object.values(patch).every((value) => value === undefined)) throw problems.invalidInput('body: name at least one field to change', 'body');
      const before = await lockPartner(w, id);
      const isSupplier = patch.isSupplier ?? before.isSupplier;
      const isCustomer = patch.isCustomer ?? before.isCustomer;
      if (!isSupplier && !isCustomer) {
        throw problems.invalidInput('isSupplier: a partner is a supplier, a customer or both; deactivate it (active: false) instead', 'isSupplier');
      }
      await updatePartner(w.tx, id, patch);
      const after = (await findPartner(w.tx, id))!;
      const action = patch.active === false && before.active ? 'partner.deactivate' : patch.active === true && !before.active ? 'partner.activate' : 'partner.update';
      await w.audit({ action, entity: 'partner', entityId: String(id), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(addCertificate, async (c) => {
    const { id } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      await lockPartner(w, id);
      const { reason: _reason, ...fields } = input;
      await refuseDuplicateCertificate(w, id, fields.kind, fields.number, 'number');
      const certificate = await insertCertificate(w.tx, id, fields);
      await touchPartner(w.tx, id);
      await w.audit({ action: 'partner_certificate.create', entity: 'partner_certificate', entityId: String(certificate.id), after: certificate });
      return { status: 201, body: certificate };
    });
    return c.json(result.body, 201);
  });

  app.openapi(patchCertificate, async (c) => {
    const { id, certificateId } = c.req.valid('param');
    const input = c.req.valid('json');
    const result = await performWrite(c, ctx.sql, input, async (w) => {
      requireReason(w, 'a correction of a certificate');
      const { reason: _reason, ...patch } = input;
      if (Object.values(patch).every((value) => value === undefined)) throw problems.invalidInput('body: name at least one field to change', 'body');
      await lockPartner(w, id);
      const before = await findCertificate(w.tx, id, certificateId);
      if (!before) throw problems.notFound(`partner ${id} has no certificate ${certificateId}`, 'certificateId');
      const validFrom = patch.validFrom === undefined ? before.validFrom : patch.validFrom;
      const validUntil = patch.validUntil ?? before.validUntil;
      if (validFrom !== null && validUntil < validFrom) {
        throw problems.invalidInput(`validUntil: ${validUntil} is before validFrom ${validFrom}`, patch.validUntil ? 'validUntil' : 'validFrom');
      }
      await refuseDuplicateCertificate(w, id, patch.kind ?? before.kind, patch.number ?? before.number, 'number', certificateId);
      const after = await updateCertificate(w.tx, certificateId, patch);
      await touchPartner(w.tx, id);
      await w.audit({ action: 'partner_certificate.update', entity: 'partner_certificate', entityId: String(certificateId), before, after });
      return { status: 200, body: after };
    });
    return c.json(result.body, 200);
  });

  app.openapi(removeCertificate, async (c) => {
    const { id, certificateId } = c.req.valid('param');
    const result = await performWrite(c, ctx.sql, { id, certificateId }, async (w) => {
      requireReason(w, 'removing a certificate');
      await lockPartner(w, id);
      const before = await findCertificate(w.tx, id, certificateId);
      if (!before) throw problems.notFound(`partner ${id} has no certificate ${certificateId}`, 'certificateId');
      await deleteCertificate(w.tx, certificateId);
      await touchPartner(w.tx, id);
      await w.audit({ action: 'partner_certificate.delete', entity: 'partner_certificate', entityId: String(certificateId), before });
      return { status: 200, body: (await findPartner(w.tx, id))! };
    });
    return c.json(result.body, 200);
  });

  app.openapi(checkQualification, async (c) => {
    const { id } = c.req.valid('param');
    const { role, date = todayIso() } = c.req.valid('query');
    await assertPartnerQualified(ctx.sql, id, role, date);
    return c.json({ partnerId: id, role, date, qualified: true as const }, 200);
  });

  registerExpiringCertificates(app, ctx.sql);
  return app;
}
