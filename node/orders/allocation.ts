// An order's stock: FEFO allocation of what its lines still need (H4's
// allocateFefo, the one availability rule), and giving stock back when an
// order is cancelled (allocated and picked stock return on hand).
import type { Tx } from '../db';
import { addLotStock, allocateFefo, releaseAllocation, type LineAllocation } from '../inventory/allocate';
import type { Order } from './orders';

/**
 * Allocates what each line still needs (quantity − allocated, picked or shipped).
 * Returns one entry per line that needed stock: what it got and its shortfall.
 */
export async function allocateOrder(tx: Tx, order: Order, actor: string): Promise<LineAllocation[]> {
  const wanted = order.lines
    .map((line) => ({ lineId: line.id, gtin: line.gtin, quantity: line.quantity - line.allocated, ...(line.lot === null ? {} : { lot: line.lot }) }))
    .filter((line) => line.quantity > 0);
  if (wanted.length === 0) return [];
  return allocateFefo(tx, wanted, { actor });
}

/** Every line's allocated stock back on hand (H4's releaseAllocation) and its picked stock too. */
export async function releaseOrderStock(tx: Tx, orderId: number, actor: string): Promise<void> {
  const lines = await tx<{ id: string }[]>`select id from order_lines where order_id = ${orderId} order by id`;
  for (const line of lines) {
    const lineId = Number(line.id);
    await releaseAllocation(tx, lineId, { actor });
    const units = await tx<{ gtin: string; lot: string; bin_id: number; n: number }[]>`
      with back as (
        update units set state = 'on_hand', order_line_id = null
        where order_line_id = ${lineId} and state = 'picked'
        returning gtin, lot, bin_id
      )
      select gtin, lot, bin_id, count(*)::int as n from back group by gtin, lot, bin_id`;
    const rows = await tx<{ gtin: string; lot: string; bin_id: number; quantity: number }[]>`
      delete from lot_stock where order_line_id = ${lineId} and state = 'picked' returning gtin, lot, bin_id, quantity`;
    for (const row of rows) await addLotStock(tx, { gtin: row.gtin, lot: row.lot, binId: row.bin_id, state: 'on_hand', quantity: row.quantity });
    for (const row of [...units.map((u) => ({ ...u, quantity: u.n })), ...rows]) {
      await tx`
        insert into stock_moves (actor, kind, gtin, lot, quantity, from_bin_id, to_bin_id, from_state, to_state, ref_type, ref_id)
        values (${actor}, 'unpick', ${row.gtin}, ${row.lot}, ${row.quantity}, ${row.bin_id}, ${row.bin_id}, 'picked', 'on_hand', 'order_line', ${String(lineId)})`;
    }
  }
}
