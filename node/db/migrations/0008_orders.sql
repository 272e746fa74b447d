-- 0008: sales and fulfilment (issue 3, node/orders, node/shipments,
-- node/returns): sales orders from the API or the e-commerce webhook, their
-- lines, scan-verified picks, shipments with their lines, simple invoices, and
-- returns (RMA) with the disposition of each returned unit. Money is numeric,
-- never float. Forward only.

create table sales_orders (
  id bigint generated always as identity primary key,
  customer_id bigint not null references partners (id),
  source text not null check (source in ('api', 'webhook')),
  -- the e-commerce platform's own order id (webhook orders)
  external_id text check (length(external_id) between 1 and 100),
  status text not null default 'open'
    check (status in ('open', 'allocated', 'picked', 'partially_shipped', 'shipped', 'cancelled')),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  total numeric(14, 2) not null check (total >= 0),
  customer_reference text check (length(customer_reference) between 1 and 100),
  created_at timestamptz not null default now(),
  created_by text not null,
  updated_at timestamptz not null default now(),
  check ((source = 'webhook') = (external_id is not null))
);

create unique index sales_orders_by_external_id on sales_orders (external_id) where source = 'webhook';
create index sales_orders_open_by_customer on sales_orders (customer_id) where status in ('open', 'allocated', 'picked', 'partially_shipped');

create table order_lines (
  id bigint generated always as identity primary key,
  order_id bigint not null references sales_orders (id),
  line_no integer not null check (line_no >= 1),
  gtin text collate "C" not null references products (gtin),
  -- a lot the customer asked for; FEFO picks the lot otherwise
  lot text collate "C",
  quantity integer not null check (quantity > 0),
  unit_price numeric(14, 4) not null check (unit_price >= 0),
  unique (order_id, line_no)
);

-- One row per scan that was accepted: a serialised unit (quantity 1) or a
-- quantity of one lot of a lot-controlled product.
create table picks (
  id bigint generated always as identity primary key,
  order_id bigint not null references sales_orders (id),
  order_line_id bigint not null references order_lines (id),
  gtin text collate "C" not null,
  lot text collate "C" not null,
  serial text collate "C",
  quantity integer not null check (quantity > 0),
  scan text not null check (length(scan) between 1 and 500),
  picked_at timestamptz not null default now(),
  picked_by text not null,
  shipment_id bigint
);

create index picks_by_order on picks (order_id);
create unique index picks_one_per_unit_and_order on picks (order_id, gtin, serial) where serial is not null;

create table shipments (
  id bigint generated always as identity primary key,
  order_id bigint not null references sales_orders (id),
  customer_id bigint not null references partners (id),
  shipped_at timestamptz not null default now(),
  shipped_by text not null,
  -- the ledger seq of the shipping event (set in the transaction that creates the shipment)
  ledger_seq bigint check (ledger_seq >= 1)
);

alter table picks add foreign key (shipment_id) references shipments (id);

create table shipment_lines (
  id bigint generated always as identity primary key,
  shipment_id bigint not null references shipments (id),
  order_line_id bigint not null references order_lines (id),
  gtin text collate "C" not null,
  lot text collate "C" not null,
  serial text collate "C",
  quantity integer not null check (quantity > 0)
);

create index shipment_lines_by_shipment on shipment_lines (shipment_id);
create index shipment_lines_by_unit on shipment_lines (gtin, serial) where serial is not null;

create table invoices (
  id bigint generated always as identity primary key,
  number text not null unique,
  order_id bigint not null references sales_orders (id),
  shipment_id bigint not null unique references shipments (id),
  customer_id bigint not null references partners (id),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  total numeric(14, 2) not null check (total >= 0),
  issued_at timestamptz not null default now(),
  issued_by text not null
);

create table invoice_lines (
  id bigint generated always as identity primary key,
  invoice_id bigint not null references invoices (id),
  line_no integer not null check (line_no >= 1),
  order_line_id bigint not null references order_lines (id),
  gtin text collate "C" not null,
  quantity integer not null check (quantity > 0),
  unit_price numeric(14, 4) not null check (unit_price >= 0),
  amount numeric(14, 2) not null check (amount >= 0),
  unique (invoice_id, line_no)
);

-- Returns: an RMA authorises units shipped to that customer to come back.
create table rmas (
  id bigint generated always as identity primary key,
  customer_id bigint not null references partners (id),
  status text not null default 'authorized' check (status in ('authorized', 'received', 'closed')),
  reason text not null check (length(reason) between 1 and 1000),
  created_at timestamptz not null default now(),
  created_by text not null,
  updated_at timestamptz not null default now()
);

create table rma_lines (
  id bigint generated always as identity primary key,
  rma_id bigint not null references rmas (id),
  gtin text collate "C" not null,
  lot text collate "C" not null,
  serial text collate "C" not null,
  -- the shipment that sent the unit to the customer
  shipment_id bigint not null references shipments (id),
  status text not null default 'authorized' check (status in ('authorized', 'received', 'restocked', 'scrapped')),
  received_at timestamptz,
  received_ledger_seq bigint check (received_ledger_seq >= 1),
  inspection_result text check (inspection_result in ('pass', 'fail')),
  inspection_notes text check (length(inspection_notes) <= 1000),
  disposition_at timestamptz,
  disposition_ledger_seq bigint check (disposition_ledger_seq >= 1)
);

create index rma_lines_by_rma on rma_lines (rma_id);
-- a unit is on at most one open return at a time
create unique index rma_lines_one_open_per_unit on rma_lines (gtin, serial) where status in ('authorized', 'received');

-- E-commerce webhook deliveries: the platform's order id makes a delivery
-- idempotent; a repeat gets the stored answer back.
create table webhook_deliveries (
  external_id text primary key check (length(external_id) between 1 and 100),
  body_sha256 text not null check (body_sha256 ~ '^0x[0-9a-f]{64}$'),
  order_id bigint references sales_orders (id),
  status integer check (status between 200 and 299),
  response jsonb,
  received_at timestamptz not null default now()
);
