// Key figures of the participant's ERP, computed from the business tables at
// the time asked (nothing stored, nothing estimated): stock by lot status and
// state with its value at standard cost, stock expiring within 30/60/90 days,
// the inspection pass rate, the on-time shipment rate, open nonconformances and
// CAPAs, and a score per supplier (on-time deliveries and incoming quality).
import type { Sql } from '../db';

export interface KpiOptions {
  /** The day the figures are taken on (YYYY-MM-DD); default today (UTC). */
  asOf?: string;
  /** An order ships on time when its first shipment leaves within this many days of the order (default 2). */
  shipWithinDays?: number;
  /** Expiry horizons in days (default 30, 60, 90). */
  horizons?: number[];
}

export interface StockFigure {
  quantity: number;
  /** Quantity × the product's standard cost, 2 decimals; stock without a standard cost is left out (see unvaluedQuantity). */
  value: string;
  unvaluedQuantity: number;
}

export interface SupplierScore {
  partnerId: number;
  code: string;
  name: string;
  /** Receipts against purchase orders with an expected date, and those received by that date. */
  receipts: number;
  onTimeReceipts: number;
  onTimeRate: number | null;
  /** Incoming inspections of the supplier's lots, and those passed. */
  incomingInspections: number;
  passedInspections: number;
  qualityRate: number | null;
  nonconformances: number;
  /** Mean of onTimeRate and qualityRate, of those known; null with neither. */
  score: number | null;
}

export interface Kpis {
  asOf: string;
  stock: {
    total: StockFigure;
    byLotStatus: Array<StockFigure & { status: string }>;
    byState: Array<StockFigure & { state: string }>;
  };
  expiring: Array<StockFigure & { withinDays: number; lots: number }>;
  expired: StockFigure & { lots: number };
  inspections: { total: number; passed: number; passRate: number | null; byKind: Array<{ kind: string; total: number; passed: number; passRate: number | null }> };
  shipments: { shipWithinDays: number; shippedOrders: number; onTime: number; onTimeRate: number | null; openOverdue: number; basis: string };
  quality: { openNonconformances: number; dispositionedNonconformances: number; openCapas: number; overdueCapaActions: number };
  suppliers: SupplierScore[];
}

const rate = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000);

function todayUtc(): string {
  return new Date().toISOString().slice(0, 10);
}

interface StockRow {
  status: string;
  state: string;
  expiry: string;
  gtin: string;
  lot: string;
  quantity: number;
  value: string;
  unvalued: number;
}

export async function computeKpis(sql: Sql, options: KpiOptions = {}): Promise<Kpis> {
  const asOf = options.asOf ?? todayUtc();
  const shipWithinDays = options.shipWithinDays ?? 2;
  const horizons = options.horizons ?? [30, 60, 90];

  // Stock on hand, allocated, picked or back from a customer: units (serialised) and lot_stock (lot-controlled).
  const rows = await sql<StockRow[]>`
    with stock as (
      select gtin, lot, state, count(*)::int as quantity from units
      where state in ('on_hand', 'allocated', 'picked', 'returned') group by gtin, lot, state
      union all
      select gtin, lot, state, sum(quantity)::int from lot_stock group by gtin, lot, state
    )
    select l.status, s.state, l.expiry::text as expiry, s.gtin, s.lot, sum(s.quantity)::int as quantity,
           coalesce(round(sum(s.quantity * p.standard_cost), 2), 0)::text as value,
           sum(case when p.standard_cost is null then s.quantity else 0 end)::int as unvalued
    from stock s join lots l on l.gtin = s.gtin and l.lot = s.lot join products p on p.gtin = s.gtin
    group by l.status, s.state, l.expiry, s.gtin, s.lot`;

  const total = sumFigures(rows);
  const group = <K extends 'status' | 'state'>(key: K) =>
    [...new Set(rows.map((r) => r[key]))].sort().map((k) => ({ [key]: k, ...sumFigures(rows.filter((r) => r[key] === k)) }) as StockFigure & Record<K, string>);
  const lotsOf = (list: StockRow[]) => new Set(list.map((r) => `${r.gtin}\u0000${r.lot}`)).size;
  const expiring = horizons.map((days) => {
    const limit = addDays(asOf, days);
    const within = rows.filter((r) => r.expiry > asOf && r.expiry <= limit);
    return { withinDays: days, lots: lotsOf(within), ...sumFigures(within) };
  });
  const expiredRows = rows.filter((r) => r.expiry <= asOf);

  const kinds = await sql<{ kind: string; total: number; passed: number }[]>`
    select kind, count(*)::int as total, count(*) filter (where result = 'pass')::int as passed
    from inspections where inspected_at < ${addDays(asOf, 1)}::date group by kind order by kind`;
  const inspectionsTotal = kinds.reduce((n, k) => n + k.total, 0);
  const inspectionsPassed = kinds.reduce((n, k) => n + k.passed, 0);

  const [shipping] = await sql<{ shipped: number; on_time: number; open_overdue: number }[]>`
    with first_shipment as (
      select o.id, o.created_at, min(s.shipped_at) as shipped_at
      from sales_orders o join shipments s on s.order_id = o.id
      where s.shipped_at < ${addDays(asOf, 1)}::date
      group by o.id, o.created_at
    )
    select
      (select count(*)::int from first_shipment) as shipped,
      (select count(*)::int from first_shipment where shipped_at <= created_at + make_interval(days => ${shipWithinDays})) as on_time,
      (select count(*)::int from sales_orders o
        where o.status in ('open', 'allocated', 'picked')
          and o.created_at + make_interval(days => ${shipWithinDays}) < ${addDays(asOf, 1)}::date
          and not exists (select 1 from shipments s where s.order_id = o.id)) as open_overdue`;

  const [quality] = await sql<{ open_nc: number; dispositioned_nc: number; open_capas: number; overdue_actions: number }[]>`
    select
      (select count(*)::int from nonconformances where status = 'open') as open_nc,
      (select count(*)::int from nonconformances where status = 'dispositioned') as dispositioned_nc,
      (select count(*)::int from capas where status = 'open') as open_capas,
      (select count(*)::int from capa_actions a join capas c on c.id = a.capa_id
        where c.status = 'open' and a.status = 'open' and a.due_date < ${asOf}::date) as overdue_actions`;

  const suppliers = await sql<
    { id: number; code: string; name: string; receipts: number; on_time: number; inspections: number; passed: number; ncs: number }[]
  >`
    select p.id, p.code, p.name,
      (select count(*)::int from receipts r join purchase_orders po on po.id = r.po_id
        where po.supplier_id = p.id and po.expected_on is not null) as receipts,
      (select count(*)::int from receipts r join purchase_orders po on po.id = r.po_id
        where po.supplier_id = p.id and po.expected_on is not null and r.received_at::date <= po.expected_on) as on_time,
      (select count(*)::int from inspections i join lots l on l.gtin = i.gtin and l.lot = i.lot
        where l.supplier_id = p.id and i.kind = 'incoming') as inspections,
      (select count(*)::int from inspections i join lots l on l.gtin = i.gtin and l.lot = i.lot
        where l.supplier_id = p.id and i.kind = 'incoming' and i.result = 'pass') as passed,
      (select count(*)::int from nonconformances n join lots l on l.gtin = n.gtin and l.lot = n.lot
        where l.supplier_id = p.id) as ncs
    from partners p where p.is_supplier
    order by p.code
    limit 500`;

  return {
    asOf,
    stock: { total, byLotStatus: group('status'), byState: group('state') },
    expiring,
    expired: { lots: lotsOf(expiredRows), ...sumFigures(expiredRows) },
    inspections: {
      total: inspectionsTotal,
      passed: inspectionsPassed,
      passRate: rate(inspectionsPassed, inspectionsTotal),
      byKind: kinds.map((k) => ({ kind: k.kind, total: k.total, passed: k.passed, passRate: rate(k.passed, k.total) })),
    },
    shipments: {
      shipWithinDays,
      shippedOrders: shipping.shipped,
      onTime: shipping.on_time,
      onTimeRate: rate(shipping.on_time, shipping.shipped),
      openOverdue: shipping.open_overdue,
      basis: `an order is on time when its first shipment left within ${shipWithinDays} days of the order (orders carry no due date)`,
    },
    quality: {
      openNonconformances: quality.open_nc,
      dispositionedNonconformances: quality.dispositioned_nc,
      openCapas: quality.open_capas,
      overdueCapaActions: quality.overdue_actions,
    },
    suppliers: suppliers.map((s) => {
      const onTimeRate = rate(s.on_time, s.receipts);
      const qualityRate = rate(s.passed, s.inspections);
      const known = [onTimeRate, qualityRate].filter((r): r is number => r !== null);
      return {
        partnerId: s.id,
        code: s.code,
        name: s.name,
        receipts: s.receipts,
        onTimeReceipts: s.on_time,
        onTimeRate,
        incomingInspections: s.inspections,
        passedInspections: s.passed,
        qualityRate,
        nonconformances: s.ncs,
        score: known.length === 0 ? null : Math.round((known.reduce((a, b) => a + b, 0) / known.length) * 10_000) / 10_000,
      };
    }),
  };
}

// Money adds up in integer cents (values come as exact 2-decimal strings from SQL).
function sumFigures(rows: Array<{ quantity: number; value: string; unvalued: number }>): StockFigure {
  let cents = 0n;
  let quantity = 0;
  let unvalued = 0;
  for (const row of rows) {
    quantity += row.quantity;
    unvalued += row.unvalued;
    cents += toCents(row.value);
  }
  return { quantity, value: fromCents(cents), unvaluedQuantity: unvalued };
}

function toCents(value: string): bigint {
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = value.replace('-', '').split('.');
  const cents = BigInt(whole) * 100n + BigInt((fraction + '00').slice(0, 2));
  return negative ? -cents : cents;
}

function fromCents(cents: bigint): string {
  const negative = cents < 0n;
  const abs = negative ? -cents : cents;
  return `${negative ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
