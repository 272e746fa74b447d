// The app's one error path: every failure becomes problem+json (RFC 9457).
// Domain errors keep their status and field; unknown errors are a bare 500,
// logged with the request id, that tells the client nothing about the inside.
import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ZodError } from 'zod';
import { isMedtraceError } from '../../sdk/errors';
import { isDatabaseUnavailable } from '../db/unavailable';
import type { AppEnv } from './env';
import { PROBLEM_CONTENT_TYPE, ProblemError, problems } from './problem';

export function problemResponse(c: Context, problem: ProblemError): Response {
  const requestId = c.get('requestId') as string | undefined;
  const body = problem.toBody(c.req.path, requestId);
  const headers: Record<string, string> = { 'content-type': PROBLEM_CONTENT_TYPE };
  if (problem.status === 401) headers['www-authenticate'] = 'Bearer';
  if (typeof problem.extras.retryAfter === 'number') headers['retry-after'] = String(problem.extras.retryAfter);
  return new Response(JSON.stringify(body), { status: problem.status, headers });
}

// Unique keys whose violation has a name of its own (constraint → problem).
const UNIQUE_KEYS: Record<string, { slug: string; field: string; detail: string }> = {
  users_username_key: { slug: 'user-exists', field: 'username', detail: 'a user with this username already exists' },
  products_pkey: { slug: 'product-exists', field: 'gtin', detail: 'a product with this GTIN already exists' },
  lots_pkey: { slug: 'lot-exists', field: 'lot', detail: 'this lot of this GTIN already exists' },
  units_pkey: { slug: 'serial-exists', field: 'serials', detail: 'a serial of this lot is already commissioned for this GTIN' },
};

/** Maps any thrown value to the problem the client sees; null for an unexpected error. */
export function toProblem(error: unknown): ProblemError | null {
  if (error instanceof ProblemError) return error;
  if (isMedtraceError(error, 'GS1_INVALID')) return problems.invalidIdentifier(error.message, error.field);
  if (isMedtraceError(error, 'INVALID_INPUT')) return problems.invalidInput(error.message, error.field);
  if (error instanceof HTTPException) {
    if (error.status === 400 && /json/i.test(error.message)) return problems.invalidJson('the request body is not valid JSON');
    if (error.status === 413) return problems.payloadTooLarge();
    if (error.status === 415) return problems.unsupportedMediaType('send the body as application/json');
    return new ProblemError(error.status, `http-${error.status}`, error.message || 'HTTP error', error.message || 'HTTP error');
  }
  if (isDatabaseUnavailable(error)) return problems.databaseUnavailable();
  const pg = error as { code?: unknown; constraint_name?: unknown };
  if (pg && typeof pg === 'object' && pg.code === '23505') {
    const known = UNIQUE_KEYS[String(pg.constraint_name)];
    if (known) return problems.conflict(known.slug, known.detail, { field: known.field });
    return problems.conflict('duplicate', 'a record with this key already exists');
  }
  return null;
}

export const onError: ErrorHandler<AppEnv> = (error, c) => {
  const problem = toProblem(error);
  if (problem) return problemResponse(c, problem);
  const log = c.get('log');
  log?.error('unhandled error', { error, method: c.req.method, path: c.req.path });
  return problemResponse(
    c,
    new ProblemError(500, 'internal', 'Internal server error', `the server failed to handle the request; quote request id ${c.get('requestId')}`),
  );
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(c, problems.notFound(`no route for ${c.req.method} ${c.req.path}`));

/** `a.b.3.c`, or the validation target's name for a top-level problem. */
export function issuePath(path: readonly PropertyKey[], target: string): string {
  return path.length === 0 ? target : path.map(String).join('.');
}

/** The zod validation hook every OpenAPIHono sub-app uses: a problem naming the first bad field. */
export function validationHook(
  result: { success: true; data: unknown; target: string } | { success: false; error: ZodError; target: string },
  c: Context,
): Response | undefined {
  if (result.success) return undefined;
  const target = result.target === 'json' ? 'body' : result.target;
  const errors = result.error.issues.map((issue) => {
    // An unknown key is the field at fault, not its parent object.
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    return { field: issuePath(path, target), message: issue.message };
  });
  const first = errors[0];
  const detail = first.field === 'body' ? first.message : `${first.field}: ${first.message}`;
  return problemResponse(c, problems.invalidInput(detail, first.field, { errors }));
}
