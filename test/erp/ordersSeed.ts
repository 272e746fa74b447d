// Test data for the order and return suites. Lots are commissioned through the
// HTTP API; master data (registered products, qualified customers) and lot
// release are seeded with set-based SQL here, so these suites test orders,
// picking, shipping and returns without depending on the release workflow
// (inspection + e-signature) that other suites cover.
import type { TestApp } from '../support/app';

export const GTIN = '09506000134352';
export const LOT_GTIN = '09506000134369';

export async function seedProduct(api: TestApp, gtin: string, options: { tracking?: 'serial' | 'lot'; registrationExpiry?: string | null } = {}) {
  const res = await api.call('POST', '/api/v1/products', { body: { gtin, name: `Device ${gtin}`, model: 'M-1', deviceClass: 'IIb' } });
  if (res.status !== 201) throw new Error(`product ${gtin}: ${res.status} ${await res.text()}`);
  const expiry = options.registrationExpiry === undefined ? '2099-12-31' : options.registrationExpiry;
  await api.db.sql`
    update products set tracking = ${options.tracking ?? 'serial'},
      registration_number = ${expiry === null ? null : `REG-${gtin.slice(-4)}`}, registration_expiry = ${expiry}
    where gtin = ${gtin}`;
}

/** A customer partner with one certificate valid until `validUntil`; returns its id. */
export async function seedCustomer(api: TestApp, code: string, options: { creditLimit?: string | null; validUntil?: string } = {}): Promise<number> {
  const [row] = await api.db.sql<{ id: string }[]>`
    insert into partners (code, name, is_customer, credit_limit) values (${code}, ${`Customer ${code}`}, true, ${options.creditLimit ?? null})
    returning id`;
  await api.db.sql`
    insert into partner_certificates (partner_id, kind, number, valid_until)
    values (${row.id}, 'distribution_licence', ${`DL-${code}`}, ${options.validUntil ?? '2099-12-31'})`;
  return Number(row.id);
}

/** Commissions a serialised lot through the API (units land in quarantine). */
export async function commission(api: TestApp, gtin: string, lot: string, expiry: string, serials: string[]) {
  const res = await api.call('POST', '/api/v1/lots', { as: 'warehouse', body: { gtin, lot, productionDate: '2024-01-01', expiry, serials } });
  if (res.status !== 201) throw new Error(`lot ${lot}: ${res.status} ${await res.text()}`);
}

/** Marks the lot released and moves its quarantined units to MAIN/STOCK (what a QA release does). */
export async function release(api: TestApp, gtin: string, lot: string) {
  await api.db.sql`update lots set status = 'released' where gtin = ${gtin} and lot = ${lot}`;
  await api.db.sql`
    update units set bin_id = (select id from bins where warehouse = 'MAIN' and code = 'STOCK')
    where gtin = ${gtin} and lot = ${lot} and state = 'on_hand'`;
}

/** A lot of a lot-controlled product: the lot row and a released on-hand quantity in MAIN/STOCK. */
export async function seedLotStock(api: TestApp, gtin: string, lot: string, expiry: string, quantity: number) {
  await api.db.sql`
    insert into lots (gtin, lot, production_date, expiry, unit_count, created_by, status)
    values (${gtin}, ${lot}, '2024-01-01', ${expiry}, 0, 'seed', 'released')`;
  await api.db.sql`
    insert into lot_stock (gtin, lot, bin_id, state, quantity)
    values (${gtin}, ${lot}, (select id from bins where warehouse = 'MAIN' and code = 'STOCK'), 'on_hand', ${quantity})`;
}

export async function ledgerEvent(api: TestApp, seq: number) {
  const [row] = await api.db.sql<{ envelope: any }[]>`
    select envelope from ledger_events where participant = ${api.ctx.participant} and seq = ${seq}`;
  return row.envelope.event;
}

export async function unitSet(api: TestApp, seq: number): Promise<string[]> {
  const [set] = await api.db.sql<{ uris: string[] }[]>`
    select uris from ledger_unit_sets where participant = ${api.ctx.participant} and seq = ${seq} and field = 'epcList'`;
  return set?.uris ?? [];
}
