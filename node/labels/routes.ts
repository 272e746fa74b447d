// Labels API: GS1 DataMatrix with human-readable text, as SVG or PNG, for a
// unit (GTIN, production date, expiry, lot, serial), a lot (the same without
// the serial) and a case of one lot: a logistic unit with its SSCC (00), the
// GTIN of the contained units (02), their count (37), dates and lot.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Gs1CaseData, Gs1Data } from '../../sdk';
import { validateLotOrSerial, validateSscc } from '../../sdk';
import { isMedtraceError } from '../../sdk/errors';
import { requireRole } from '../auth/requireRole';
import { ACCESS } from '../auth/roles';
import type { NodeContext } from '../context';
import type { AppEnv } from '../http/env';
import { ProblemError, problems } from '../http/problem';
import { bearerAuth, createRouter } from '../http/router';
import { gtinSchema, problemResponses } from '../http/schemas';
import { labelPng, labelSvg } from './render';

const FILE_RE = /^(.+)\.(svg|png)$/;

/** `<value>.svg` or `<value>.png`: the value checked as a lot or serial by the SDK. */
function fileParam(kind: 'lot' | 'serial', example: string) {
  return z
    .string()
    .transform((file, ctx) => {
      const match = FILE_RE.exec(file);
      if (!match) {
        ctx.addIssue({ code: 'custom', message: `must be the ${kind} followed by .svg or .png` });
        return z.NEVER;
      }
      try {
        return { value: validateLotOrSerial(match[1], kind), format: match[2] as 'svg' | 'png' };
      } catch (error) {
        if (!isMedtraceError(error)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    })
    .openapi({ type: 'string', description: `the ${kind}, then .svg or .png`, example });
}

const UnitParams = z.object({
  gtin: gtinSchema.openapi({ param: { name: 'gtin', in: 'path' } }),
  file: fileParam('serial', 'SN-0001.svg').openapi({ param: { name: 'file', in: 'path' } }),
});
const LotParams = z.object({
  gtin: gtinSchema.openapi({ param: { name: 'gtin', in: 'path' } }),
  file: fileParam('lot', 'L2611A.png').openapi({ param: { name: 'file', in: 'path' } }),
});
const CaseQuery = z.object({
  quantity: z
    .string()
    .regex(/^[1-9]\d{0,7}$/, 'must be an integer 1-99999999')
    .transform(Number)
    .openapi({ type: 'string', description: 'units of the lot in the case (AI 37)', example: '20' }),
  sscc: z
    .string()
    .transform((sscc, ctx) => {
      try {
        return validateSscc(sscc, 'sscc');
      } catch (error) {
        if (!isMedtraceError(error)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
        return z.NEVER;
      }
    })
    .openapi({ type: 'string', description: 'the SSCC of the case (AI 00): 18 digits with its check digit', example: '095060001000000012' }),
});

const imageResponses = {
  200: {
    description: 'the label',
    content: {
      'image/svg+xml': { schema: z.string().openapi({ description: 'SVG document' }) },
      'image/png': { schema: z.string().openapi({ format: 'binary' }) },
    },
  },
};

const unitLabel = createRoute({
  method: 'get',
  path: '/api/v1/labels/unit/{gtin}/{file}',
  tags: ['labels'],
  summary: 'The label of one unit: GS1 DataMatrix (01)(11)(17)(10)(21) with its text, as {serial}.svg or {serial}.png',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: UnitParams },
  responses: { ...imageResponses, ...problemResponses(401, 403, 404, 422) },
});

const lotLabel = createRoute({
  method: 'get',
  path: '/api/v1/labels/lot/{gtin}/{file}',
  tags: ['labels'],
  summary: 'The label of a lot: GS1 DataMatrix (01)(11)(17)(10) with its text, as {lot}.svg or {lot}.png',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: LotParams },
  responses: { ...imageResponses, ...problemResponses(401, 403, 404, 422) },
});

const caseLabel = createRoute({
  method: 'get',
  path: '/api/v1/labels/case/{gtin}/{file}',
  tags: ['labels'],
  summary: 'The label of a case of one lot: GS1 DataMatrix (00)(02)(11)(17)(37)(10) with its text, as {lot}.svg or {lot}.png',
  security: bearerAuth,
  middleware: [requireRole(...ACCESS.readErp)] as const,
  request: { params: LotParams, query: CaseQuery },
  responses: { ...imageResponses, ...problemResponses(401, 403, 404, 422) },
});

interface LotRow {
  lot: string;
  production_date: Date | string;
  expiry: Date | string;
  name: string;
  model: string;
}

function isoDate(value: Date | string): string {
  return value instanceof Date ? `${value.getUTCFullYear()}-${String(value.getUTCMonth() + 1).padStart(2, '0')}-${String(value.getUTCDate()).padStart(2, '0')}` : value.slice(0, 10);
}

async function findLotRow(ctx: NodeContext, gtin: string, lot: string): Promise<LotRow | undefined> {
  const [row] = await ctx.sql<LotRow[]>`
    select l.lot, l.production_date::text as production_date, l.expiry::text as expiry, p.name, p.model
    from lots l join products p on p.gtin = l.gtin
    where l.gtin = ${gtin} and l.lot = ${lot}`;
  return row;
}

async function respond(c: Context<AppEnv>, format: 'svg' | 'png', content: { data?: Gs1Data; caseData?: Gs1CaseData }, lines: string[]) {
  let body: string | Buffer;
  try {
    body = format === 'svg' ? labelSvg({ ...content, lines }) : await labelPng({ ...content, lines });
  } catch (error) {
    if (isMedtraceError(error)) throw problems.invalidIdentifier(error.message, error.field);
    // bwip-js refuses what it cannot encode with a message naming the rule.
    throw new ProblemError(422, 'label-unencodable', 'Cannot encode the label', `the encoder refused the data: ${(error as Error).message}`);
  }
  c.header('cache-control', 'private, max-age=60');
  return c.body(body as never, 200, { 'content-type': format === 'svg' ? 'image/svg+xml; charset=utf-8' : 'image/png' });
}

function productLine(row: LotRow): string {
  return `${row.name} ${row.model}`.slice(0, 80);
}

export function labelRoutes(ctx: NodeContext) {
  const app = createRouter();

  app.openapi(unitLabel, async (c) => {
    const { gtin, file } = c.req.valid('param');
    const [unit] = await ctx.sql<{ lot: string }[]>`select lot from units where gtin = ${gtin} and serial = ${file.value}`;
    if (!unit) throw problems.notFound(`no unit ${file.value} of GTIN ${gtin}`, 'file');
    const lot = await findLotRow(ctx, gtin, unit.lot);
    if (!lot) throw problems.notFound(`no lot ${unit.lot} of GTIN ${gtin}`, 'file');
    const data: Gs1Data = { gtin, lot: unit.lot, serial: file.value, expiry: isoDate(lot.expiry), productionDate: isoDate(lot.production_date) };
    return respond(c, file.format, { data }, [productLine(lot), `LOT ${unit.lot}  SN ${file.value}`, `MFG ${data.productionDate}  EXP ${data.expiry}`]) as never;
  });

  app.openapi(lotLabel, async (c) => {
    const { gtin, file } = c.req.valid('param');
    const lot = await findLotRow(ctx, gtin, file.value);
    if (!lot) throw problems.notFound(`no lot ${file.value} of GTIN ${gtin}`, 'file');
    const data: Gs1Data = { gtin, lot: file.value, expiry: isoDate(lot.expiry), productionDate: isoDate(lot.production_date) };
    return respond(c, file.format, { data }, [productLine(lot), `LOT ${file.value}`, `MFG ${data.productionDate}  EXP ${data.expiry}`]) as never;
  });

  app.openapi(caseLabel, async (c) => {
    const { gtin, file } = c.req.valid('param');
    const { quantity, sscc } = c.req.valid('query');
    const lot = await findLotRow(ctx, gtin, file.value);
    if (!lot) throw problems.notFound(`no lot ${file.value} of GTIN ${gtin}`, 'file');
    // The case is a logistic unit, not a trade item of its own: its contents in (02) and (37), with the SSCC.
    const caseData: Gs1CaseData = { sscc, content: gtin, count: quantity, lot: file.value, expiry: isoDate(lot.expiry), productionDate: isoDate(lot.production_date) };
    return respond(c, file.format, { caseData }, [
      productLine(lot),
      `SSCC ${sscc}`,
      `CONTENT ${gtin}  COUNT ${quantity}  LOT ${file.value}`,
      `MFG ${caseData.productionDate}  EXP ${caseData.expiry}`,
    ]) as never;
  });

  return app;
}
