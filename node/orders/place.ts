// Placing an order, the same way for the API and the webhook: the checks, the
// order and its lines, and the audit entry, inside the caller's write.
import type { WriteScope } from '../http/writes';
import { checkNewOrder } from './checks';
import { findOrder, insertOrder, type NewOrder, type Order } from './orders';

export async function placeOrder(w: WriteScope, order: NewOrder): Promise<Order> {
  await checkNewOrder(w.tx, order);
  const id = await insertOrder(w.tx, order, w.actor);
  const placed = (await findOrder(w.tx, id))!;
  await w.audit({ action: 'sales_order.create', entity: 'sales_order', entityId: String(id), after: placed });
  return placed;
}
