// Purchase orders and their lines: the queries. Prices are numeric in SQL and
// decimal strings in JSON.
import type { Sql, Tx } from '../db';

export const PO_STATUSES = ['open', 'received', 'cancelled'] as const;
export type PoStatus = (typeof PO_STATUSES)[number];

export interface PurchaseOrderLine {
  lineNo: number;
  gtin: string;
  quantity: number;
  receivedQuantity: number;
  unitPrice: string | null;
}

export interface PurchaseOrder {
  id: number;
  supplierId: number;
  status: PoStatus;
  expectedOn: string | null;
  note: string | null;
  lines: PurchaseOrderLine[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

interface PoRow {
  id: number;
  supplier_id: number;
  status: PoStatus;
  expected_on: string | null;
  note: string | null;
  created_at: Date;
  created_by: string;
  updated_at: Date;
}

interface LineRow {
  id: number;
  po_id: number;
  line_no: number;
  gtin: string;
  quantity: number;
  received_quantity: number;
  unit_price: string | null;
}

function toLine(row: LineRow): PurchaseOrderLine {
  return { lineNo: row.line_no, gtin: row.gtin, quantity: row.quantity, receivedQuantity: row.received_quantity, unitPrice: row.unit_price };
}

function toOrder(row: PoRow, lines: LineRow[]): PurchaseOrder {
  return {
    id: Number(row.id),
    supplierId: Number(row.supplier_id),
    status: row.status,
    expectedOn: row.expected_on,
    note: row.note,
    lines: lines.filter((line) => Number(line.po_id) === Number(row.id)).map(toLine),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
  };
}

const PO_COLUMNS = `id, supplier_id, status, expected_on::text as expected_on, note, created_at, created_by, updated_at`;
const LINE_COLUMNS = `id, po_id, line_no, gtin, quantity, received_quantity, unit_price::text as unit_price`;

export async function insertPurchaseOrder(
  tx: Tx,
  order: { supplierId: number; expectedOn?: string; note?: string; lines: { gtin: string; quantity: number; unitPrice?: string }[] },
  createdBy: string,
): Promise<PurchaseOrder> {
  const [row] = await tx<{ id: number }[]>`
    insert into purchase_orders (supplier_id, expected_on, note, created_by)
    values (${order.supplierId}, ${order.expectedOn ?? null}, ${order.note ?? null}, ${createdBy})
    returning id`;
  let lineNo = 0;
  for (const line of order.lines) {
    lineNo += 1;
    await tx`
      insert into purchase_order_lines (po_id, line_no, gtin, quantity, unit_price)
      values (${row.id}, ${lineNo}, ${line.gtin}, ${line.quantity}, ${line.unitPrice ?? null})`;
  }
  return (await findPurchaseOrder(tx, Number(row.id)))!;
}

export async function findPurchaseOrder(sql: Sql | Tx, id: number, options: { forUpdate?: boolean } = {}): Promise<PurchaseOrder | undefined> {
  const [row] = await sql<PoRow[]>`
    select ${sql.unsafe(PO_COLUMNS)} from purchase_orders where id = ${id} ${options.forUpdate ? sql`for update` : sql``}`;
  if (!row) return undefined;
  const lines = await sql<LineRow[]>`select ${sql.unsafe(LINE_COLUMNS)} from purchase_order_lines where po_id = ${id} order by line_no`;
  return toOrder(row, lines);
}

export async function listPurchaseOrders(
  sql: Sql,
  filter: { supplierId?: number; status?: PoStatus; afterId?: number; limit: number },
): Promise<PurchaseOrder[]> {
  const rows = await sql<PoRow[]>`
    select ${sql.unsafe(PO_COLUMNS)} from purchase_orders
    where ${filter.supplierId === undefined ? sql`true` : sql`supplier_id = ${filter.supplierId}`}
      and ${filter.status === undefined ? sql`true` : sql`status = ${filter.status}`}
      and ${filter.afterId === undefined ? sql`true` : sql`id > ${filter.afterId}`}
    order by id
    limit ${filter.limit}`;
  if (rows.length === 0) return [];
  const lines = await sql<LineRow[]>`
    select ${sql.unsafe(LINE_COLUMNS)} from purchase_order_lines
    where po_id = any(${sql.array(rows.map((row) => Number(row.id)))}::bigint[]) order by po_id, line_no`;
  return rows.map((row) => toOrder(row, lines));
}

/** The line's id and figures, locked for a receipt. */
export async function lockLines(tx: Tx, poId: number): Promise<Map<number, LineRow>> {
  const rows = await tx<LineRow[]>`select ${tx.unsafe(LINE_COLUMNS)} from purchase_order_lines where po_id = ${poId} order by line_no for update`;
  return new Map(rows.map((row) => [row.line_no, row]));
}
