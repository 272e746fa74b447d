// One in-process node with a little of everything (products, a released
// serialised lot, lot-controlled stock, a customer, an order, an auditor token,
// an open cycle count, anchored events) for the API fuzzing suites, and how they send a request and
// judge the answer: below 500, an error as problem+json with its status, and
// Object.prototype untouched (the app runs in this process).
import { signWebhookBody, SIGNATURE_HEADER } from '../../../node/orders/webhook';
import { signPeerToken } from '../../../node/peers';
import { toDigitalLink, unitUri } from '../../../sdk';
import { commission, LOT_GTIN, release, seedCustomer, seedLotStock, seedProduct } from '../../erp/ordersSeed';
import { startTestApp, type TestApp } from '../../support/app';
import { operationsOf, type FuzzBody, type OpenApiDocument, type Operation } from './openapi';

export const GTIN = '09506000134352';
const WEBHOOK_SECRET = 'fuzz-webhook-secret';

export interface FuzzRequest {
  /** Path with parameters, percent-encoded. */
  path: string;
  /** `?…` or empty. */
  query: string;
  body?: FuzzBody;
  idempotencyKey?: string;
}

export interface SeededNode {
  api: TestApp;
  doc: OpenApiDocument;
  operations: Operation[];
  /** Values of path and query parameters that name seeded records. */
  known: Record<string, string[]>;
  /**
   * Sends a request the way a client of each kind would: staff routes with the admin's token,
   * peer routes with a fresh peer token of the node itself (past the guard, to the checks
   * behind it), the shop webhook signed; every request from a client address of its own, so
   * the public routes' rate limit lets it through.
   */
  send(op: Operation, req: FuzzRequest): Promise<Response>;
  /** Requests sent and answers by status so far. */
  stats: { sent: number; statuses: Record<number, number> };
  close(): Promise<void>;
}

export async function startSeededNode(): Promise<SeededNode> {
  const api = await startTestApp({ env: { ECOMMERCE_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  try {
    await seedProduct(api, GTIN);
    await commission(api, GTIN, 'L1', '2031-01-31', ['S1', 'S2', 'S3']);
    await release(api, GTIN, 'L1');
    await seedProduct(api, LOT_GTIN, { tracking: 'lot' });
    await seedLotStock(api, LOT_GTIN, 'B1', '2031-03-31', 100);
    const customer = await seedCustomer(api, 'CUST');
    const order = await api.call('POST', '/api/v1/orders', { as: 'sales', body: { customerId: customer, currency: 'EUR', lines: [{ gtin: GTIN, quantity: 1, unitPrice: '10.00' }] } });
    if (order.status !== 201) throw new Error(`order: ${order.status} ${await order.text()}`);
    const token = await api.call('POST', '/api/v1/auditor-tokens', { body: { auditor: 'Fuzz Auditor', scopes: ['ledger'], expiresInHours: 1 } });
    if (token.status !== 201) throw new Error(`auditor token: ${token.status} ${await token.text()}`);
    const [bin] = await api.db.sql<{ id: string }[]>`select id from bins where warehouse = 'MAIN' and code = 'STOCK'`;
    const count = await api.call('POST', '/api/v1/cycle-counts', { as: 'warehouse', body: { binId: Number(bin.id) } });
    if (count.status !== 201) throw new Error(`cycle count: ${count.status} ${await count.text()}`);
    await api.anchorAll();
    const doc = (await (await api.call('GET', '/openapi.json', { as: null })).json()) as OpenApiDocument;
    const known: Record<string, string[]> = {
      gtin: [GTIN, LOT_GTIN, '9506000134352'],
      lot: ['L1', 'B1'],
      serial: ['S1'],
      code: ['MAIN'],
      bin: ['STOCK'],
      id: ['1', '2'],
      certificateId: ['1'],
      actionId: ['1'],
      seq: ['1', '2'],
      file: ['S1.svg', 'L1.png', 'B1.svg'],
      udi: [toDigitalLink({ gtin: GTIN, lot: 'L1', serial: 'S1' }), unitUri(GTIN, 'S1'), `(01)${GTIN}(21)S1`],
      unit: [unitUri(GTIN, 'S1')],
      customerId: [String(customer)],
      orderId: [String(((await order.json()) as { id: number }).id)],
      limit: ['1', '500'],
      date: ['2026-11-20'],
      from: ['2026-01-01'],
      to: ['2031-12-31'],
      // body properties
      binId: [String(bin.id)],
      toBinId: [String(bin.id)],
      fromBinId: [String(bin.id)],
      scan: [toDigitalLink({ gtin: GTIN, lot: 'L1', serial: 'S2' })],
    };
    const stats = { sent: 0, statuses: {} as Record<number, number> };
    const send: SeededNode['send'] = async (op, req) => {
      const headers: Record<string, string> = {};
      headers.authorization =
        op.auth === 'peer'
          ? `Bearer ${await signPeerToken(api.ctx, { audience: api.ctx.participant, method: op.method, path: req.path })}`
          : `Bearer ${api.tokens.admin}`;
      if (req.body) headers['content-type'] = req.body.contentType;
      if (op.key === 'POST /webhooks/v1/orders') headers[SIGNATURE_HEADER] = signWebhookBody(WEBHOOK_SECRET, req.body?.text ?? '');
      if (req.idempotencyKey !== undefined) headers['idempotency-key'] = req.idempotencyKey;
      const n = ++stats.sent;
      const env = { incoming: { socket: { remoteAddress: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, remotePort: 40000, remoteFamily: 'IPv4' } } };
      const res = await api.app.request(`${req.path}${req.query}`, { method: op.method, headers, body: req.body?.text }, env);
      stats.statuses[res.status] = (stats.statuses[res.status] ?? 0) + 1;
      return res;
    };
    return { api, doc, operations: operationsOf(doc), known, send, stats, close: () => api.close() };
  } catch (error) {
    await api.close();
    throw error;
  }
}

/** What is wrong with an answer, or undefined. */
export async function checkAnswer(res: Response): Promise<string | undefined> {
  const text = await res.text();
  if (res.status >= 500) return `status ${res.status}: ${text.slice(0, 300)}`;
  if (res.status >= 400) {
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('application/problem+json')) return `status ${res.status} with content type ${type}: ${text.slice(0, 200)}`;
    let problem: { type?: unknown; status?: unknown };
    try {
      problem = JSON.parse(text);
    } catch {
      return `status ${res.status}: problem+json that is not JSON`;
    }
    if (problem.status !== res.status || typeof problem.type !== 'string') return `status ${res.status}: problem ${text.slice(0, 200)}`;
  }
  const polluted = [...Object.keys(Object.prototype), ...Object.keys(Array.prototype)];
  if (polluted.length > 0 || ({} as Record<string, unknown>).polluted !== undefined) return `Object.prototype polluted: ${polluted.join(', ')}`;
  return undefined;
}

export function describeRequest(op: Operation, req: FuzzRequest): string {
  const text = req.body?.text ?? '';
  const body = req.body ? ` body (${req.body.kind}, ${req.body.contentType}) ${JSON.stringify(text.slice(0, 200))}${text.length > 200 ? `… ${text.length} chars` : ''}` : '';
  return `${op.method} ${req.path.slice(0, 200)}${req.query.slice(0, 200)}${body}`;
}

/** MEDTRACE_FUZZ_OPS (a regular expression on `METHOD /path`) narrows a run to some operations. */
export function selectedByEnvironment(op: Operation): boolean {
  const only = process.env.MEDTRACE_FUZZ_OPS;
  return !only || new RegExp(only).test(op.key);
}
