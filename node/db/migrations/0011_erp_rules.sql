-- 0011: issue 3 completion. Returns of lot-controlled goods (an RMA line names a
-- lot quantity instead of a serial); failed e-signature attempts, counted per
-- username over a sliding window to lock out guessing; indexes for the
-- shipment, invoice and RMA lists. Forward only.

alter table rma_lines alter column serial drop not null;
alter table rma_lines add column quantity integer not null default 1 check (quantity > 0);
-- a serialised line is one unit; a lot line is a quantity of one lot
alter table rma_lines add constraint rma_lines_unit_is_one check (serial is null or quantity = 1);
create index rma_lines_by_lot on rma_lines (gtin, lot) where serial is null;

-- One row per refused signature (wrong password, unknown or disabled signer).
-- Kept outside the refused write's transaction, so a rollback does not erase it.
create table signature_failures (
  id bigint generated always as identity primary key,
  username text not null check (length(username) between 1 and 64),
  failed_at timestamptz not null default now(),
  request_id text
);
create index signature_failures_by_user on signature_failures (username, failed_at);

create index shipments_by_customer on shipments (customer_id, id);
create index shipments_by_order on shipments (order_id, id);
create index invoices_by_customer on invoices (customer_id, id);
create index invoices_by_order on invoices (order_id, id);
create index rmas_by_customer on rmas (customer_id, id);
