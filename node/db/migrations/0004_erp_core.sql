-- 0004: the ERP's shared core (issue 3): product registration data, partners
-- and their qualification certificates, warehouses and bins with zones, the lot
-- status life cycle, where each unit is and what state it is in, lot-level stock
-- for lot-controlled products, the stock movement journal, and electronic
-- signatures. Feature tables (purchasing, quality records, orders, …) come in
-- later migrations and reference these. Forward only.

-- Products: the regulatory facts that gate buying and selling.
alter table products
  add column tracking text not null default 'serial' check (tracking in ('serial', 'lot')),
  add column registration_number text check (length(registration_number) between 1 and 100),
  add column registration_expiry date,
  add column storage_conditions text check (length(storage_conditions) <= 500),
  add column standard_cost numeric(14, 4) check (standard_cost >= 0),
  add column updated_at timestamptz not null default now();

-- Partners: suppliers and customers (a company may be both).
create table partners (
  id bigint generated always as identity primary key,
  code text collate "C" not null unique check (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
  name text not null check (length(name) between 1 and 200),
  is_supplier boolean not null default false,
  is_customer boolean not null default false,
  gln text check (gln ~ '^[0-9]{13}$'),
  -- the partner's medtrace participant address, when it runs a node
  participant text check (participant ~ '^0x[0-9a-f]{40}$'),
  credit_limit numeric(14, 2) check (credit_limit >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (is_supplier or is_customer)
);

-- A partner's qualification certificates (business licence, device distribution
-- or operation licence, ISO 13485 certificate, …): expired ones block trade.
create table partner_certificates (
  id bigint generated always as identity primary key,
  partner_id bigint not null references partners (id),
  kind text not null check (kind ~ '^[a-z0-9_]{1,40}$'),
  number text not null check (length(number) between 1 and 100),
  valid_from date,
  valid_until date not null,
  document_sha256 text check (document_sha256 ~ '^0x[0-9a-f]{64}$'),
  created_at timestamptz not null default now(),
  unique (partner_id, kind, number)
);

create table warehouses (
  code text collate "C" primary key check (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
  name text not null check (length(name) between 1 and 200),
  gln text check (gln ~ '^[0-9]{13}$'),
  created_at timestamptz not null default now()
);

-- Bins carry a zone: only stock in a `qualified` bin can be allocated.
create table bins (
  id bigint generated always as identity primary key,
  warehouse text collate "C" not null references warehouses (code),
  code text collate "C" not null check (code ~ '^[A-Z0-9][A-Z0-9_.-]{0,31}$'),
  zone text not null check (zone in ('quarantine', 'qualified', 'nonconforming', 'returns')),
  -- a bin holds one lot at a time unless this is set
  allow_mixed_lots boolean not null default false,
  -- where goods of this zone land by default (received, released, returned, rejected)
  is_default boolean not null default false,
  created_at timestamptz not null default now(),
  unique (warehouse, code)
);

create unique index bins_one_default_per_zone on bins (warehouse, zone) where is_default;

insert into warehouses (code, name) values ('MAIN', 'Main warehouse');
insert into bins (warehouse, code, zone, allow_mixed_lots, is_default) values
  ('MAIN', 'QUARANTINE', 'quarantine', true, true),
  ('MAIN', 'STOCK', 'qualified', true, true),
  ('MAIN', 'NONCONFORMING', 'nonconforming', true, true),
  ('MAIN', 'RETURNS', 'returns', true, true);

-- Lots: the status life cycle and where the lot came from.
--   quarantined → released | rejected; released ⇄ blocked; any → recalled;
--   quarantined/released/blocked → expired (automatically, on its expiry date).
alter table lots
  add column status text not null default 'quarantined'
    check (status in ('quarantined', 'released', 'rejected', 'blocked', 'recalled', 'expired')),
  add column status_changed_at timestamptz not null default now(),
  add column origin text not null default 'commissioned' check (origin in ('commissioned', 'received')),
  add column supplier_id bigint references partners (id),
  add column supplier_lot text check (length(supplier_lot) between 1 and 40),
  -- the e-signature that released the lot (set with status 'released')
  add column release_signature_id bigint;

create index lots_by_status_expiry on lots (gtin, status, expiry);

-- Units are the stock of serialised products: where each one is and its state.
-- No per-row foreign key to bins, like to lots (bulk inserts of 100,000 units):
-- bin ids are taken from the bins table by the code that writes them.
alter table units
  add column bin_id bigint,
  add column state text not null default 'on_hand'
    check (state in ('on_hand', 'allocated', 'picked', 'shipped', 'returned', 'scrapped', 'consumed')),
  -- the order line a unit is allocated or picked for
  add column order_line_id bigint;

create index units_available on units (gtin, lot, serial) where state = 'on_hand';
create index units_by_order_line on units (order_line_id) where order_line_id is not null;

-- Stock of lot-controlled products: a quantity of one lot in one bin, by state.
create table lot_stock (
  id bigint generated always as identity primary key,
  gtin text collate "C" not null,
  lot text collate "C" not null,
  bin_id bigint not null references bins (id),
  state text not null check (state in ('on_hand', 'allocated', 'picked')),
  order_line_id bigint,
  quantity integer not null check (quantity > 0),
  foreign key (gtin, lot) references lots (gtin, lot)
);

create unique index lot_stock_key on lot_stock (gtin, lot, bin_id, state, coalesce(order_line_id, 0));

-- The stock journal: every change of where stock is or what state it is in.
-- A bulk change (a commissioned lot, a whole lot moved) is one row with a
-- quantity and no serial.
create table stock_moves (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor text not null,
  kind text not null check (kind ~ '^[a-z_]{1,40}$'),
  gtin text collate "C" not null,
  lot text collate "C" not null,
  serial text collate "C",
  quantity integer not null check (quantity > 0),
  from_bin_id bigint references bins (id),
  to_bin_id bigint references bins (id),
  from_state text,
  to_state text,
  reason text,
  ref_type text,
  ref_id text,
  ledger_seq bigint check (ledger_seq >= 1)
);

create index stock_moves_by_lot on stock_moves (gtin, lot);

-- Electronic signatures (21 CFR Part 11): the signer re-entered credentials,
-- stated a meaning, and the signature is bound to the exact record version
-- through the SHA-256 of its canonical JSON.
create table signatures (
  id bigint generated always as identity primary key,
  signer text not null,
  meaning text not null check (meaning in ('approved', 'released', 'reviewed', 'rejected', 'closed', 'issued', 'verified')),
  entity text not null,
  entity_id text not null,
  record_sha256 text not null check (record_sha256 ~ '^0x[0-9a-f]{64}$'),
  reason text,
  signed_at timestamptz not null default now()
);

create index signatures_by_record on signatures (entity, entity_id);

alter table lots add foreign key (release_signature_id) references signatures (id);
