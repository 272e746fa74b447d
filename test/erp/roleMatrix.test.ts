// The role matrix, route by route: every operation of the OpenAPI document is
// listed here with the permission (node/auth/roles.ts ACCESS) it must need;
// for each operation and each staff role, a request with that role's token is
// 403 exactly when ACCESS does not grant the permission to the role. A route
// missing from this table fails the test: a new route must be added here.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ACCESS, type Permission } from '../../node/auth/roles';
import { startTestApp, TEST_ROLES, type TestApp } from '../support/app';

/**
 * `public`: no token needed; `peer`: only another node's peer JWT (/peer/v1, DESIGN 6), so
 * every staff token is 401; otherwise the staff permission the operation needs.
 */
type Rule = Permission | 'public' | 'peer';

const MATRIX: Record<string, Rule> = {
  // operations of the node
  'GET /health': 'public',
  'GET /ready': 'public',
  // staff authentication and users
  'POST /api/v1/auth/token': 'public',
  'GET /api/v1/auth/me': 'readErp',
  'POST /api/v1/users': 'manageUsers',
  'GET /api/v1/users': 'manageUsers',
  // master data
  'POST /api/v1/products': 'writeProducts',
  'PATCH /api/v1/products/{gtin}': 'writeProducts',
  'GET /api/v1/products': 'readErp',
  'GET /api/v1/products/{gtin}': 'readErp',
  'GET /api/v1/products/{gtin}/registration': 'readErp',
  'POST /api/v1/imports/products': 'writeProducts',
  'POST /api/v1/imports/partners': 'writeMasterData',
  'POST /api/v1/imports/opening-stock': 'writeStock',
  'POST /api/v1/partners': 'writeMasterData',
  'GET /api/v1/partners': 'readErp',
  'GET /api/v1/partners/{id}': 'readErp',
  'PATCH /api/v1/partners/{id}': 'writeMasterData',
  'POST /api/v1/partners/{id}/certificates': 'writeMasterData',
  'PATCH /api/v1/partners/{id}/certificates/{certificateId}': 'writeMasterData',
  'DELETE /api/v1/partners/{id}/certificates/{certificateId}': 'writeMasterData',
  'GET /api/v1/partners/{id}/qualification': 'readErp',
  'GET /api/v1/partner-certificates/expiring': 'readErp',
  'GET /api/v1/product-registrations/expiring': 'readErp',
  'POST /api/v1/warehouses': 'writeMasterData',
  'GET /api/v1/warehouses': 'readErp',
  'GET /api/v1/warehouses/{code}': 'readErp',
  'PATCH /api/v1/warehouses/{code}': 'writeMasterData',
  'POST /api/v1/warehouses/{code}/bins': 'writeMasterData',
  'GET /api/v1/warehouses/{code}/bins': 'readErp',
  'GET /api/v1/warehouses/{code}/bins/{bin}': 'readErp',
  'PATCH /api/v1/warehouses/{code}/bins/{bin}': 'writeMasterData',
  // lots and their status
  'POST /api/v1/lots': 'commissionLots',
  'GET /api/v1/lots': 'readErp',
  'GET /api/v1/lots/{gtin}/{lot}': 'readErp',
  'GET /api/v1/lots/{gtin}/{lot}/serials': 'readErp',
  'POST /api/v1/lots/{gtin}/{lot}/release': 'changeLotStatus',
  'POST /api/v1/lots/{gtin}/{lot}/quarantine': 'changeLotStatus',
  'POST /api/v1/lots/{gtin}/{lot}/block': 'changeLotStatus',
  'POST /api/v1/lots/{gtin}/{lot}/unblock': 'changeLotStatus',
  'POST /api/v1/lots/{gtin}/{lot}/reject': 'changeLotStatus',
  'POST /api/v1/lots/{gtin}/{lot}/recall': 'changeLotStatus',
  'POST /api/v1/lots/expire': 'changeLotStatus',
  'GET /api/v1/lots/{gtin}/{lot}/status-history': 'readErp',
  // purchasing and receiving
  'POST /api/v1/purchase-orders': 'writePurchasing',
  'GET /api/v1/purchase-orders': 'readErp',
  'GET /api/v1/purchase-orders/{id}': 'readErp',
  'POST /api/v1/purchase-orders/{id}/cancel': 'writePurchasing',
  'POST /api/v1/purchase-orders/{id}/receipts': 'receiveGoods',
  'GET /api/v1/lots/{gtin}/{lot}/certificates': 'readErp',
  'GET /api/v1/lots/{gtin}/{lot}/certificates/{certificateId}': 'readErp',
  // quality
  'POST /api/v1/lots/{gtin}/{lot}/inspections': 'recordInspections',
  'GET /api/v1/lots/{gtin}/{lot}/inspections': 'readErp',
  'POST /api/v1/nonconformances': 'writeQualityRecords',
  'POST /api/v1/nonconformances/{id}/disposition': 'writeQualityRecords',
  'POST /api/v1/nonconformances/{id}/block-lot': 'writeQualityRecords',
  'POST /api/v1/nonconformances/{id}/close': 'writeQualityRecords',
  'GET /api/v1/nonconformances': 'readErp',
  'GET /api/v1/nonconformances/{id}': 'readErp',
  'POST /api/v1/capas': 'writeQualityRecords',
  'PATCH /api/v1/capas/{id}': 'writeQualityRecords',
  'POST /api/v1/capas/{id}/actions': 'writeQualityRecords',
  'POST /api/v1/capas/{id}/actions/{actionId}/complete': 'writeQualityRecords',
  'POST /api/v1/capas/{id}/close': 'writeQualityRecords',
  'GET /api/v1/capas': 'readErp',
  'GET /api/v1/capas/{id}': 'readErp',
  'POST /api/v1/deviations': 'writeQualityRecords',
  'POST /api/v1/deviations/{id}/approve': 'writeQualityRecords',
  'GET /api/v1/deviations': 'readErp',
  'GET /api/v1/deviations/{id}': 'readErp',
  'POST /api/v1/complaints': 'writeQualityRecords',
  'POST /api/v1/complaints/{id}/close': 'writeQualityRecords',
  'GET /api/v1/complaints': 'readErp',
  'GET /api/v1/complaints/{id}': 'readErp',
  'GET /api/v1/signatures': 'readErp',
  // stock
  'GET /api/v1/stock': 'readErp',
  'GET /api/v1/stock/expiring': 'readErp',
  'GET /api/v1/stock/units/{gtin}/{serial}': 'readErp',
  'GET /api/v1/stock/moves': 'readErp',
  'POST /api/v1/stock/moves': 'writeStock',
  'POST /api/v1/cycle-counts': 'writeStock',
  'GET /api/v1/cycle-counts/{id}': 'readErp',
  'POST /api/v1/cycle-counts/{id}/count': 'writeStock',
  'POST /api/v1/cycle-counts/{id}/post': 'writeStock',
  // sales, fulfilment, returns
  'POST /webhooks/v1/orders': 'public',
  'POST /api/v1/orders': 'writeOrders',
  'GET /api/v1/orders': 'readErp',
  'GET /api/v1/orders/{id}': 'readErp',
  'POST /api/v1/orders/{id}/cancel': 'writeOrders',
  'POST /api/v1/orders/{id}/allocations': 'fulfilOrders',
  'POST /api/v1/orders/{id}/picks': 'fulfilOrders',
  'POST /api/v1/orders/{id}/shipments': 'fulfilOrders',
  'GET /api/v1/shipments/{id}': 'readErp',
  'GET /api/v1/invoices/{id}': 'readErp',
  'GET /api/v1/shipments': 'readErp',
  'GET /api/v1/invoices': 'readErp',
  'GET /api/v1/rmas': 'readErp',
  'POST /api/v1/rmas': 'writeOrders',
  'GET /api/v1/rmas/{id}': 'readErp',
  'POST /api/v1/rmas/{id}/receipts': 'receiveGoods',
  'POST /api/v1/rmas/{id}/dispositions': 'writeQualityRecords',
  // labels, reports, audit
  'GET /api/v1/labels/unit/{gtin}/{file}': 'readErp',
  'GET /api/v1/labels/lot/{gtin}/{file}': 'readErp',
  'GET /api/v1/labels/case/{gtin}/{file}': 'readErp',
  'GET /api/v1/kpis': 'readReports',
  'GET /api/v1/audit-trail': 'readReports',
  'GET /api/v1/audit-trail/verify': 'readReports',
  'GET /audit/v1/events/{seq}': 'readAudit',
  'GET /audit/v1/events': 'readAudit',
  'GET /audit/v1/anchors': 'readAudit',
  'GET /audit/v1/report': 'readAudit',
  'GET /audit/v1/export/epcis': 'readAudit',
  'GET /audit/v1/trace/forward': 'readAudit',
  'POST /api/v1/auditor-tokens': 'manageNetwork',
  'GET /api/v1/auditor-tokens': 'manageNetwork',
  'POST /api/v1/auditor-tokens/{id}/revoke': 'manageNetwork',
  // public: GS1 Digital Link resolution and unit verification
  'GET /01/{gtin}': 'public',
  'GET /01/{gtin}/10/{lot}': 'public',
  'GET /01/{gtin}/21/{serial}': 'public',
  'GET /01/{gtin}/10/{lot}/21/{serial}': 'public',
  'GET /public/v1/verify': 'public',
  'GET /public/v1/units/{gtin}/{serial}': 'public',
  'GET /public/v1/recall-status': 'public',
  'GET /public/v1/network': 'public',
  'POST /public/v1/chain-rpc': 'public',
  // peers and the participant's network settings
  'GET /peer/v1/whoami': 'peer',
  'GET /api/v1/participant': 'readNetwork',
  'POST /api/v1/participant/rotate-key': 'manageNetwork',
  'POST /api/v1/participant/endpoint': 'manageNetwork',
  // shipment notices between nodes
  'POST /peer/v1/notices': 'peer',
  'GET /peer/v1/evidence': 'peer',
  'GET /api/v1/notices': 'readNetwork',
  'GET /api/v1/notices/{id}': 'readNetwork',
  // recalls
  'POST /api/v1/recalls': 'issueRecalls',
  'GET /api/v1/recalls': 'readNetwork',
  'GET /api/v1/recalls/{id}': 'readNetwork',
  'POST /api/v1/recalls/{id}/status': 'issueRecalls',
  'GET /public/v1/recalls/{id}/notice': 'public',
  'POST /peer/v1/recall-notices': 'peer',
  'POST /peer/v1/recall-acks': 'peer',
  // receiving against evidence, reconciliation, dispensing, trace
  'POST /api/v1/notices/{id}/receipts': 'receiveGoods',
  'GET /api/v1/reconciliation': 'readNetwork',
  'POST /api/v1/reconciliation/{id}/resolve': 'reconcile',
  'POST /peer/v1/reconciliation': 'peer',
  'POST /api/v1/dispensations': 'dispenseUnits',
  'GET /api/v1/trace/unit': 'readNetwork',
  'GET /api/v1/trace/lot': 'readNetwork',
};

/** A value for a path parameter that passes its format check but names nothing (404 at most). */
function sample(param: string): string {
  if (param === 'gtin') return '09506000134352';
  if (param === 'file') return 'NOTHING.svg';
  if (param === 'seq' || /id$/i.test(param)) return '999999';
  return 'NOTHING';
}

interface Operation {
  key: string;
  method: string;
  url: string;
  secured: boolean;
}

let api: TestApp;
let operations: Operation[];
beforeAll(async () => {
  api = await startTestApp({ register: false });
  const doc = (await (await api.call('GET', '/openapi.json', { as: null })).json()) as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
      .map(([method, op]) => ({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        url: path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(sample(name))),
        secured: (op.security?.length ?? 0) > 0,
      })),
  );
}, 120_000);
afterAll(async () => {
  await api?.close();
});

describe('role matrix', () => {
  test('every route of the OpenAPI document is in the matrix, and the matrix names no route that is gone', () => {
    const documented = operations.map((op) => op.key).sort();
    expect(documented.filter((key) => !(key in MATRIX)), 'routes missing from MATRIX: add them with their permission').toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !documented.includes(key)), 'MATRIX lists routes the API no longer has').toEqual([]);
  });

  test('a route is protected in the OpenAPI document exactly when the matrix says it needs a permission', () => {
    const wrong = operations.filter((op) => op.secured !== (MATRIX[op.key] !== 'public')).map((op) => op.key);
    expect(wrong).toEqual([]);
  });

  test('each role gets 403 exactly where ACCESS does not grant the permission, route by route', async () => {
    const mismatches: string[] = [];
    for (const op of operations) {
      const rule = MATRIX[op.key];
      if (rule === undefined) continue;
      if (rule === 'peer') {
        for (const role of TEST_ROLES) {
          const res = await api.call(op.method, op.url, { as: role, body: op.method === 'GET' ? undefined : {} });
          await res.arrayBuffer();
          if (res.status !== 401) mismatches.push(`${op.key} as ${role}: ${res.status}, expected 401 (a peer route takes no staff token)`);
        }
        continue;
      }
      for (const role of TEST_ROLES) {
        const res = await api.call(op.method, op.url, { as: role, body: op.method === 'GET' ? undefined : {} });
        await res.arrayBuffer();
        const allowed = rule === 'public' || (ACCESS[rule] as readonly string[]).includes(role);
        if ((res.status === 403) === allowed) mismatches.push(`${op.key} as ${role}: ${res.status}, expected ${allowed ? 'not 403' : '403'} (${rule})`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  test('without a token every protected route is 401', async () => {
    const wrong: string[] = [];
    for (const op of operations) {
      if (MATRIX[op.key] === 'public' || MATRIX[op.key] === undefined) continue;
      const res = await api.call(op.method, op.url, { as: null, body: op.method === 'GET' ? undefined : {} });
      await res.arrayBuffer();
      if (res.status !== 401) wrong.push(`${op.key}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });
});
