// JSON over fetch for the pages. Every error answer of a node is RFC 9457
// problem+json; it becomes an ApiError whose message is the problem's detail,
// with the field at fault when the node names one.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly field?: string,
    readonly type?: string,
    readonly body?: unknown,
  ) {
    super(field ? `${detail} (${field})` : detail);
    this.name = 'ApiError';
  }
}

export interface ApiOptions {
  /** The node's origin; '' for the page's own. */
  baseUrl?: string;
  /** A bearer token, read on every call (it may change after sign-in). */
  token?: () => string | null | undefined;
  /** Called on a 401 that ends the session (not a refused e-signature). */
  onUnauthorized?: () => void;
}

export interface Api {
  get<T = unknown>(path: string, query?: Record<string, string | number | boolean | undefined | null>): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  /** The raw response (for text, CSV, SVG, downloads). */
  raw(path: string, init?: RequestInit): Promise<Response>;
  url(path: string, query?: Record<string, string | number | boolean | undefined | null>): string;
}

export function createApi(options: ApiOptions = {}): Api {
  const base = (options.baseUrl ?? '').replace(/\/$/, '');
  const url = (path: string, query?: Record<string, string | number | boolean | undefined | null>) => {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    const s = qs.toString();
    return `${base}${path}${s ? `?${s}` : ''}`;
  };
  const raw = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    const token = options.token?.();
    if (token && !headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    const res = await fetch(path.startsWith('http') ? path : `${base}${path}`, { ...init, headers });
    // A refused e-signature is a 401 too (signature-invalid), but the session is fine.
    if (res.status === 401 && options.onUnauthorized) {
      const problem = (await res.clone().json().catch(() => null)) as { type?: string } | null;
      if (!String(problem?.type ?? '').endsWith('/signature-invalid')) options.onUnauthorized();
    }
    return res;
  };
  const json = async <T>(res: Response): Promise<T> => {
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    if (!res.ok) throw toApiError(res.status, body);
    return body as T;
  };
  return {
    url,
    raw,
    async get(path, query) {
      return json(await raw(url(path, query), { headers: { accept: 'application/json' } }));
    },
    async post(path, body, headers = {}) {
      return json(
        await raw(url(path), {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        }),
      );
    },
  };
}

export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === 'object' && 'title' in body) {
    const p = body as { title: string; detail?: string; field?: string; type?: string };
    return new ApiError(status, p.title, p.detail ?? p.title, p.field, p.type, body);
  }
  return new ApiError(status, `HTTP ${status}`, typeof body === 'string' && body ? body.slice(0, 200) : `HTTP ${status}`, undefined, undefined, body);
}

/** A fresh Idempotency-Key for one user action (retries of that action reuse it). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}
