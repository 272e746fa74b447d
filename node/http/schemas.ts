// Schema pieces shared by the routes: GS1 identifiers checked by the SDK (the
// one implementation), ISO dates, pagination, and the problem shape for OpenAPI.
import { z } from '@hono/zod-openapi';
import { formatGs1Date, validateGtin, validateLotOrSerial } from '../../sdk';
import { isMedtraceError } from '../../sdk/errors';
import { problems } from './problem';

/** Runs an SDK check inside zod, turning its coded error into an issue on the current path. */
function sdkCheck<T>(check: (value: string) => T) {
  return (value: string, ctx: z.RefinementCtx): T => {
    try {
      return check(value);
    } catch (error) {
      if (!isMedtraceError(error)) throw error;
      // The SDK prefixes its message with the field; zod's path already names it.
      const message = error.field && error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
  };
}

export const gtinSchema = z
  .string()
  .transform(sdkCheck((value) => validateGtin(value)))
  .openapi({ type: 'string', description: 'GTIN-8/12/13/14 with a valid check digit; stored and returned as 14 digits', example: '09506000134352' });

export const lotSchema = z
  .string()
  .transform(sdkCheck((value) => validateLotOrSerial(value, 'lot')))
  .openapi({ type: 'string', description: 'lot (AI 10): 1-20 characters of GS1 character set 82', example: 'L2611A' });

export const serialSchema = z
  .string()
  .transform(sdkCheck((value) => validateLotOrSerial(value, 'serial')))
  .openapi({ type: 'string', description: 'serial (AI 21): 1-20 characters of GS1 character set 82', example: 'SN000001' });

/** A calendar date `YYYY-MM-DD` that a GS1 label can carry (AI 11 / 17 century window). */
export const isoDateSchema = z
  .string()
  .transform(
    sdkCheck((value) => {
      formatGs1Date(value);
      return value;
    }),
  )
  .openapi({ type: 'string', format: 'date', example: '2026-11-20' });

export const sha256HexSchema = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'must be 0x followed by 64 hex digits (SHA-256)')
  .transform((value) => value.toLowerCase())
  .openapi({ type: 'string', example: '0xf65fdb506bcae90353f4a4e1c68a80964ae26a26169e09318d17f8ad1bd4f294' });

/** Optional `reason` on every write body: the "why" of the audit trail (X-Reason works too). */
export const reasonSchema = z.string().min(1).max(1000).optional().openapi({ description: 'why this change is made (audit trail)' });

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'https://medtrace.dev/problems/invalid-input' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    field: z.string().optional().openapi({ description: 'the request field at fault' }),
    instance: z.string().optional(),
    requestId: z.string().optional(),
  })
  .openapi('Problem');

const problemContent = { 'application/problem+json': { schema: ProblemSchema } };

/** OpenAPI responses for the usual failures of a route. */
export function problemResponses(...statuses: number[]) {
  const described: Record<number, string> = {
    400: 'malformed request (bad JSON)',
    401: 'missing or invalid bearer token',
    403: 'the caller lacks the role',
    404: 'not found',
    409: 'conflicts with an existing record',
    413: 'request body too large',
    415: 'body is not application/json',
    422: 'invalid input, or an Idempotency-Key reused with a different body',
  };
  return Object.fromEntries(statuses.map((status) => [status, { description: described[status] ?? 'error', content: problemContent }]));
}

export const pageQuerySchema = z.object({
  limit: z
    .string()
    .regex(/^\d+$/, 'must be an integer 1-500')
    .transform(Number)
    .refine((n) => n >= 1 && n <= 500, 'must be an integer 1-500')
    .optional()
    .openapi({ type: 'string', description: 'page size, 1-500 (default 50)', example: '50' }),
  cursor: z.string().max(500).optional().openapi({ description: 'nextCursor of the previous page' }),
});

export function pageOf<T extends z.ZodTypeAny>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** An opaque keyset cursor: the sort key of the last item of a page. */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** A cursor this server never returned: a 422 naming `cursor`. */
export function notOurCursor() {
  return problems.invalidInput('cursor: not a cursor this server returned', 'cursor');
}

export function decodeCursor(cursor: string | undefined, parts: number): string[] | undefined {
  if (cursor === undefined) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    // No sort key this server returns holds NUL (which PostgreSQL refuses in text).
    if (Array.isArray(key) && key.length === parts && key.every((part) => typeof part === 'string' && !part.includes('\u0000'))) return key as string[];
  } catch {
    // fall through
  }
  throw notOurCursor();
}

/** Whether a cursor part is a row id or seq as this server writes them (a safe integer, -1 for "before the first"). */
export function isCursorId(part: string): boolean {
  return /^-?[0-9]{1,16}$/.test(part) && Number.isSafeInteger(Number(part));
}

/** A one-part cursor holding a row id or seq; anything else is the same 422 as a forged cursor. */
export function decodeIdCursor(cursor: string | undefined): number | undefined {
  const part = decodeCursor(cursor, 1)?.[0];
  if (part === undefined) return undefined;
  if (!isCursorId(part)) throw notOurCursor();
  return Number(part);
}

export const DEFAULT_PAGE_SIZE = 50;

/** `?days=&date=` of the "expiring within `days` of `date`" reports (days 0-3650; both optional). */
export const expiryHorizonQuerySchema = z.object({
  days: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number of days 0-3650')
    .transform(Number)
    .refine((n) => n <= 3650, 'must be a whole number of days 0-3650')
    .optional()
    .openapi({ type: 'string', example: '30' }),
  date: isoDateSchema.optional(),
});
