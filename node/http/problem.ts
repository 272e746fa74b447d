// RFC 9457 problem details: the one shape of every error this node answers with.
// `type` is a stable URI per kind of problem; `field` names the input at fault.

export const PROBLEM_BASE = 'https://medtrace.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemExtras {
  /** The request field at fault: a JSON path (`serials.3`), a path parameter, a header name. */
  field?: string;
  [key: string]: unknown;
}

export interface ProblemBody extends ProblemExtras {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
}

export class ProblemError extends Error {
  readonly status: number;
  /** The full type URI. */
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly extras: ProblemExtras;

  /** `type` is a slug (`lot-exists`) under PROBLEM_BASE or a full URI. */
  constructor(status: number, type: string, title: string, detail: string, extras: ProblemExtras = {}) {
    super(detail);
    this.name = 'ProblemError';
    this.status = status;
    this.type = type.includes(':') ? type : PROBLEM_BASE + type;
    this.title = title;
    this.detail = detail;
    this.extras = extras;
  }

  toBody(instance?: string, requestId?: string): ProblemBody {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...this.extras,
      ...(instance === undefined ? {} : { instance }),
      ...(requestId === undefined ? {} : { requestId }),
    };
  }
}

/** The common problems, so every route words them the same way. */
export const problems = {
  invalidInput: (detail: string, field?: string, extras: ProblemExtras = {}) =>
    new ProblemError(422, 'invalid-input', 'Invalid input', detail, { ...extras, field }),
  invalidIdentifier: (detail: string, field?: string) =>
    new ProblemError(422, 'invalid-identifier', 'Invalid GS1 identifier', detail, { field }),
  invalidJson: (detail: string) => new ProblemError(400, 'invalid-json', 'Malformed JSON body', detail, { field: 'body' }),
  badRequest: (detail: string, field?: string) => new ProblemError(400, 'bad-request', 'Bad request', detail, { field }),
  unauthorized: (detail: string) => new ProblemError(401, 'unauthorized', 'Authentication required', detail),
  forbidden: (detail: string, extras: ProblemExtras = {}) => new ProblemError(403, 'forbidden', 'Forbidden', detail, extras),
  notFound: (detail: string, field?: string) => new ProblemError(404, 'not-found', 'Not found', detail, { field }),
  conflict: (slug: string, detail: string, extras: ProblemExtras = {}) => new ProblemError(409, slug, 'Conflict', detail, extras),
  payloadTooLarge: (limit?: number) =>
    new ProblemError(
      413,
      'payload-too-large',
      'Request body too large',
      limit === undefined ? 'the request body is too large' : `the request body exceeds the limit of ${limit} bytes`,
      limit === undefined ? { field: 'body' } : { field: 'body', limit },
    ),
  /** The database cannot be reached: retryable, after `retryAfter` seconds (sent as Retry-After too). */
  databaseUnavailable: (retryAfter = 2) =>
    new ProblemError(
      503,
      'database-unavailable',
      'Database unavailable',
      'the database is unavailable (down or restarting): retry shortly; a write cut off at its commit may have been saved, so retry writes with the same Idempotency-Key',
      { retryAfter },
    ),
  unsupportedMediaType: (detail: string) =>
    new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', detail, { field: 'content-type' }),
};
