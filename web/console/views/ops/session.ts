// What the operations views need of the signed-in session beyond ConsoleContext:
// the bearer token for XMLHttpRequest uploads (fetch reports no upload progress),
// and a client that does not end the session on a 401. The node answers a wrong
// e-signature password with 401 signature-invalid; the shell's client would take
// that for an expired session and sign the user out, losing the refusal.
import { ApiError, createApi, toApiError, type Api } from '../../../lib/api';

/** The key the shell (console/main.ts) keeps the token under in sessionStorage. */
const TOKEN_KEY = 'medtrace.console.token';

export function consoleToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Headers of an authenticated request. */
export function authHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const token = consoleToken();
  return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

/** For writes carrying an e-signature: a 401 is the node's answer about the signature, shown like any refusal. */
export const signingApi: Api = createApi({ token: consoleToken });

/** A refusal of the node as the views show it: the problem's slug, title, detail and field. */
export interface Refusal {
  slug: string;
  title: string;
  detail: string;
  field?: string;
  status?: number;
  body?: unknown;
}

export function refusalOf(err: unknown): Refusal {
  if (err instanceof ApiError) {
    const slug = err.type ? err.type.replace(/^.*\//, '') : `http-${err.status}`;
    return { slug, title: err.title, detail: err.detail, field: err.field, status: err.status, body: err.body };
  }
  return { slug: 'error', title: err instanceof Error ? err.name : 'Error', detail: err instanceof Error ? err.message : String(err) };
}

/** An HTTP answer that is not 2xx as the ApiError the shell's client would have thrown. */
export function answerError(status: number, body: unknown): ApiError {
  return toApiError(status, body);
}
