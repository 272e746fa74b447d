-- 0007: inventory (issue 3, H4): cycle counts, and the indexes FEFO
-- allocation and the bin rules read. Forward only.

-- FEFO walks a product's released lots by expiry, then each lot's on-hand units
-- (units_available of 0004, ordered by serial): released lots in FEFO order.
create index lots_fefo on lots (gtin, expiry, lot) where status = 'released';

-- What a bin holds (the lot-mixing rule, cycle counts, stock by bin): units on
-- hand or returned, by bin. Allocated and picked units are found through
-- units_by_order_line (few at a time); leaving them out of this index keeps an
-- allocation's update of thousands of units to three index insertions per unit.
create index units_in_bin on units (bin_id, gtin, lot) where state in ('on_hand', 'returned');

-- Lot-controlled stock by bin.
create index lot_stock_by_bin on lot_stock (bin_id, gtin, lot);

-- A lot's journal, newest first, and the journal of an order line.
create index stock_moves_by_ref on stock_moves (ref_type, ref_id) where ref_type is not null;

-- Cycle counts: a count of one bin. Opened with the stock expected in the bin
-- (a snapshot), counted (the lines get the counted figures, the variance), then
-- posted: every line with a variance needs a reason; posting adjusts the stock
-- (missing units scrapped with kind count_loss, found units moved into the bin,
-- lot quantities set to the counted figure) and journals each adjustment.
create table cycle_counts (
  id bigint generated always as identity primary key,
  bin_id bigint not null references bins (id),
  status text not null default 'open' check (status in ('open', 'counted', 'posted', 'cancelled')),
  opened_by text not null,
  opened_at timestamptz not null default now(),
  counted_by text,
  counted_at timestamptz,
  posted_by text,
  posted_at timestamptz,
  note text check (length(note) <= 1000)
);

-- One count per bin at a time.
create unique index cycle_counts_one_open_per_bin on cycle_counts (bin_id) where status in ('open', 'counted');

-- A line per serialised unit (serial set, quantities 0/1) or per lot of a
-- lot-controlled product (serial null).
create table cycle_count_lines (
  id bigint generated always as identity primary key,
  count_id bigint not null references cycle_counts (id),
  gtin text collate "C" not null,
  lot text collate "C" not null,
  serial text collate "C",
  expected integer not null check (expected >= 0),
  counted integer check (counted >= 0),
  -- counted − expected, once counted
  variance integer,
  reason text check (length(reason) between 1 and 1000)
);

create unique index cycle_count_lines_key on cycle_count_lines (count_id, gtin, lot, coalesce(serial, ''));
