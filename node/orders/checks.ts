// The checks every new order passes before anything is written, whichever way
// it came in (API or webhook): the customer is qualified, every product is
// registered, and the customer's open orders plus this one stay within its
// credit limit. Each refusal is a problem naming the rule and the field.
import { assertProductRegistered } from '../catalog/registration';
import type { Tx } from '../db';
import { ProblemError } from '../http/problem';
import { assertPartnerQualified, todayIso } from '../partners/qualification';
import { OPEN_STATUSES, type NewOrder, type OrderStatus } from './orders';

export async function checkNewOrder(tx: Tx, order: NewOrder, today: string = todayIso()): Promise<void> {
  await assertPartnerQualified(tx, order.customerId, 'customer', today);
  for (const [index, line] of order.lines.entries()) {
    try {
      await assertProductRegistered(tx, line.gtin, today);
    } catch (error) {
      // The same refusal, pointed at the line that carries the product.
      if (error instanceof ProblemError) {
        throw new ProblemError(error.status, error.type, error.title, `lines.${index}.gtin: ${error.detail}`, {
          ...error.extras,
          field: `lines.${index}.gtin`,
        });
      }
      throw error;
    }
  }
  await assertWithinCreditLimit(tx, order);
}

/**
 * Open orders (not shipped, not cancelled) plus this order must not exceed the
 * customer's credit limit; a customer without a limit is not limited. The
 * customer row is locked so two concurrent orders cannot both squeeze under it.
 */
async function assertWithinCreditLimit(tx: Tx, order: NewOrder): Promise<void> {
  const [row] = await tx<{ credit_limit: string | null; exposure: string; this_order: string; over: boolean | null }[]>`
    with this_order as (
      select coalesce(round(sum(q::numeric * p::numeric), 2), 0) as amount
      from unnest(${tx.array(order.lines.map((l) => l.quantity))}::int[], ${tx.array(order.lines.map((l) => l.unitPrice))}::text[]) as t(q, p)
    ), partner as (
      select credit_limit from partners where id = ${order.customerId} for update
    ), open as (
      select coalesce(sum(total), 0) as exposure from sales_orders
      where customer_id = ${order.customerId} and status in ${tx(OPEN_STATUSES as OrderStatus[])}
    )
    select partner.credit_limit::text as credit_limit, open.exposure::text as exposure, this_order.amount::text as this_order,
           (open.exposure + this_order.amount > partner.credit_limit) as over
    from partner, open, this_order`;
  if (!row || row.credit_limit === null || !row.over) return;
  throw new ProblemError(
    422,
    'credit-limit-exceeded',
    'Credit limit exceeded',
    `customer ${order.customerId}: open orders ${row.exposure} plus this order ${row.this_order} exceed the credit limit ${row.credit_limit} ${order.currency}`,
    { field: 'customerId', creditLimit: row.credit_limit, openOrders: row.exposure, thisOrder: row.this_order },
  );
}
