// A small typed client for a medtrace node's HTTP API, built on fetch so it
// runs in Node and in the browser. Errors come back as MedtraceError
// HTTP_ERROR carrying the RFC 9457 problem document.
import type { ProofBundle } from './bundle';
import { MedtraceError } from './errors';

export interface NodeClientOptions {
  /** Base URL of the node, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Bearer token (staff or auditor JWT). */
  token?: string;
  fetch?: typeof fetch;
}

/** An RFC 9457 problem document as a node returns it. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  field?: string;
  [key: string]: unknown;
}

export class NodeHttpError extends MedtraceError {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
    message: string,
  ) {
    super('HTTP_ERROR', message, { field: problem?.field });
  }
}

export type EventBundleResponse = { status: 'anchored'; bundle: ProofBundle };

export interface NodeClient {
  request<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  health(): Promise<{ status: string }>;
  /** The proof bundle of ledger event `seq`, optionally disclosing one unit (`unit`: Digital Link or EPC URI). */
  eventBundle(seq: number, opts?: { unit?: string }): Promise<EventBundleResponse>;
}

export function createNodeClient(options: NodeClientOptions): NodeClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const h: Record<string, string> = { accept: 'application/json, application/problem+json', ...headers };
    if (options.token) h.authorization = `Bearer ${options.token}`;
    if (body !== undefined) h['content-type'] = 'application/json';
    const res = await doFetch(`${base}${path}`, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const problem = typeof parsed === 'object' && parsed !== null ? (parsed as Problem) : undefined;
      throw new NodeHttpError(res.status, problem, `${method} ${path}: ${res.status} ${problem?.detail ?? problem?.title ?? res.statusText}`);
    }
    return parsed as T;
  }

  return {
    request,
    health: () => request('GET', '/health'),
    eventBundle: (seq, opts) =>
      request('GET', `/audit/v1/events/${seq}${opts?.unit ? `?unit=${encodeURIComponent(opts.unit)}` : ''}`),
  };
}
