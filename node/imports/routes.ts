// CSV import API (products, partners, opening stock): POST a text/csv file; the answer is a
// validation report naming row, field and rule for every error. A file with
// errors imports nothing (422 `import-invalid` carrying the report) unless
// `?validRowsOnly=true`, which imports the valid rows and reports the rest;
// `?dryRun=true` only validates. File-level errors (CSV syntax, unknown or
// missing columns) always refuse the whole file. One transaction per file;
// each created record and the import itself are in the audit trail.
import { createRoute, z } from '@hono/zod-openapi';
import { sha256, toHex, utf8 } from '../../sdk';
import type { Context } from 'hono';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import type { AppEnv } from '../http/env';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { problemResponses } from '../http/schemas';
import { performWrite, type WriteScope } from '../http/writes';
import { findPartner } from '../partners/partners';
import { importOpeningStock, OPENING_STOCK_COLUMNS, planOpeningStock } from './openingStock';
import { importPartners, PARTNER_COLUMNS, planPartners } from './partners';
import { importProducts, planProducts, PRODUCT_COLUMNS } from './products';
import type { ImportError } from './table';

const ImportErrorSchema = z
  .object({
    row: z.number().int().openapi({ description: 'spreadsheet row: the header is row 1' }),
    field: z.string().openapi({ description: 'the column at fault, or `file`' }),
    rule: z.string().openapi({ example: 'invalid' }),
    message: z.string(),
  })
  .openapi('ImportError');

export const ImportReportSchema = z
  .object({
    kind: z.enum(['products', 'partners', 'opening-stock']),
    fileSha256: z.string(),
    rows: z.number().int().openapi({ description: 'data rows in the file' }),
    imported: z.number().int().openapi({ description: 'records created (0 on a dry run)' }),
    skipped: z.number().int().openapi({ description: 'rows not imported' }),
    dryRun: z.boolean(),
    validRowsOnly: z.boolean(),
    errors: z.array(ImportErrorSchema),
    created: z.array(z.string()).openapi({ description: 'keys of the created records (GTINs, partner codes)' }),
  })
  .openapi('ImportReport');

const flag = z.enum(['true', 'false'], 'must be true or false').optional();
const ImportQuery = z.object({
  validRowsOnly: flag.openapi({ description: 'import the valid rows of a file that has errors' }),
  dryRun: flag.openapi({ description: 'validate only; nothing is written' }),
});

const csvBody = (columns: readonly string[]) => ({
  required: true,
  description: `RFC 4180 CSV with a header row; columns: ${columns.join(', ')}`,
  content: { 'text/csv': { schema: z.string() } },
});

const importProductsRoute = createRoute({
  method: 'post',
  path: '/api/v1/imports/products',
  tags: ['imports'],
  summary: 'Import products from CSV, with a validation report',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeProducts)] as const,
  request: { query: ImportQuery, body: csvBody(PRODUCT_COLUMNS) },
  responses: {
    200: { description: 'dry run: the report', content: { 'application/json': { schema: ImportReportSchema } } },
    201: { description: 'imported: the report', content: { 'application/json': { schema: ImportReportSchema } } },
    ...problemResponses(401, 403, 413, 415, 422),
  },
});

const importPartnersRoute = createRoute({
  method: 'post',
  path: '/api/v1/imports/partners',
  tags: ['imports'],
  summary: 'Import partners and their certificates from CSV (one row per certificate), with a validation report',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeMasterData)] as const,
  request: { query: ImportQuery, body: csvBody(PARTNER_COLUMNS) },
  responses: {
    200: { description: 'dry run: the report', content: { 'application/json': { schema: ImportReportSchema } } },
    201: { description: 'imported: the report', content: { 'application/json': { schema: ImportReportSchema } } },
    ...problemResponses(401, 403, 413, 415, 422),
  },
});

const importOpeningStockRoute = createRoute({
  method: 'post',
  path: '/api/v1/imports/opening-stock',
  tags: ['imports'],
  summary: 'Import opening stock from CSV: new quarantined lots, their stock in a quarantine bin, one receiving event per lot',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.writeStock)] as const,
  request: { query: ImportQuery, body: csvBody(OPENING_STOCK_COLUMNS) },
  responses: {
    200: { description: 'dry run: the report', content: { 'application/json': { schema: ImportReportSchema } } },
    201: { description: 'imported: the report', content: { 'application/json': { schema: ImportReportSchema } } },
    ...problemResponses(401, 403, 413, 415, 422),
  },
});

type Report = z.infer<typeof ImportReportSchema>;

interface Plan<T> {
  rows: number;
  valid: T[];
  errors: ImportError[];
  fileErrors: boolean;
}

async function readCsv(c: Context<AppEnv>): Promise<string> {
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'text/csv' && type !== 'text/plain') throw problems.unsupportedMediaType('send the file as text/csv');
  return c.req.text();
}

async function runImport<T>(
  c: Context<AppEnv>,
  ctx: NodeContext,
  kind: Report['kind'],
  plan: (tx: WriteScope['tx'], text: string) => Promise<Plan<T>>,
  write: (w: WriteScope, valid: T[], fileSha256: string) => Promise<{ created: string[]; rowsImported: number; errors?: ImportError[] }>,
) {
  const query = c.req.valid('query' as never) as z.infer<typeof ImportQuery>;
  const validRowsOnly = query.validRowsOnly === 'true';
  const dryRun = query.dryRun === 'true';
  const text = await readCsv(c);
  const fileSha256 = toHex(sha256(utf8(text)));
  const request = { kind, fileSha256, validRowsOnly, dryRun };
  const result = await performWrite(c, ctx.sql, request, async (w) => {
    const planned = await plan(w.tx, text);
    const report: Report = {
      kind,
      fileSha256,
      rows: planned.rows,
      imported: 0,
      skipped: planned.rows,
      dryRun,
      validRowsOnly,
      errors: planned.errors,
      created: [],
    };
    if (dryRun) return { status: 200, body: report };
    const refuse = (errors: ImportError[]) => {
      const first = errors[0];
      const rowsWithErrors = new Set(errors.map((e) => e.row)).size;
      return new ProblemError(
        422,
        'import-invalid',
        'Import file has errors',
        planned.fileErrors
          ? `the file cannot be imported: row ${first.row}, ${first.field}: ${first.message}`
          : `${errors.length} error(s) on ${rowsWithErrors} row(s), first: row ${first.row}, ${first.field}: ${first.message}; nothing was imported (fix the file, or send ?validRowsOnly=true to import the valid rows)`,
        { field: first.field, row: first.row, errors, report: { ...report, errors } },
      );
    };
    if (planned.fileErrors || (planned.errors.length > 0 && !validRowsOnly)) throw refuse(planned.errors);
    const written = await write(w, planned.valid, fileSha256);
    if (written.errors && written.errors.length > 0) {
      report.errors = [...report.errors, ...written.errors].sort((a, b) => a.row - b.row);
      if (!validRowsOnly) throw refuse(report.errors);
    }
    report.created = written.created;
    report.imported = written.created.length;
    report.skipped = planned.rows - written.rowsImported;
    await w.audit({ action: `import.${kind.replace('-', '_')}`, entity: 'import', entityId: fileSha256, after: { ...report, errors: report.errors.slice(0, 100) } });
    return { status: 201, body: report };
  });
  return result;
}

export function importRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(importProductsRoute, async (c) => {
    const result = await runImport(c, ctx, 'products', planProducts, async (w, valid) => {
      const products = await importProducts(w.tx, valid, w.actor);
      for (const product of products) await w.audit({ action: 'product.create', entity: 'product', entityId: product.gtin, after: product });
      return { created: products.map((p) => p.gtin), rowsImported: products.length };
    });
    return c.json(result.body, result.status);
  });

  app.openapi(importPartnersRoute, async (c) => {
    const result = await runImport(c, ctx, 'partners', planPartners, async (w, valid) => {
      const created = await importPartners(w.tx, valid);
      for (const { id } of created) {
        await w.audit({ action: 'partner.create', entity: 'partner', entityId: String(id), after: await findPartner(w.tx, id) });
      }
      return { created: created.map((p) => p.code), rowsImported: valid.reduce((n, p) => n + p.rows.length, 0) };
    });
    return c.json(result.body, result.status);
  });

  app.openapi(importOpeningStockRoute, async (c) => {
    const result = await runImport(c, ctx, 'opening-stock', planOpeningStock, async (w, valid, fileSha256) => {
      const { created, errors } = await importOpeningStock(w.tx, valid, {
        actor: w.actor,
        ledger: { participant: ctx.participant, chainId: ctx.chainId },
        fileSha256,
        eventTimeZoneOffset: ctx.config.eventTimeZoneOffset,
        reason: w.reason,
      });
      for (const lot of created) {
        const entityId = `${lot.gtin}/${lot.lot}`;
        await w.audit({ action: 'lot.opening_stock', entity: 'lot', entityId, after: { ...lot, rows: undefined }, ledgerSeq: lot.ledgerSeq });
      }
      return { created: created.map((l) => `${l.gtin}/${l.lot}`), rowsImported: created.reduce((n, l) => n + l.rows.length, 0), errors };
    });
    return c.json(result.body, result.status);
  });

  return app;
}
