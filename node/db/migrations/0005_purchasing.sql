-- 0005 (issue 3), owned by node/lots (status history) and node/purchasing:
-- the history of every lot status change, purchase orders and their lines,
-- receipts against them, and the certificates received with a lot (files
-- kept here, their SHA-256 bound to the lot and to its receiving event).
-- Forward only.

-- Every status change of a lot: from, to, why, who, the signature (release)
-- and the ledger event it wrote. The latest row is the lot's current status.
create table lot_status_changes (
  id bigint generated always as identity primary key,
  gtin text collate "C" not null,
  lot text collate "C" not null,
  from_status text not null,
  to_status text not null,
  reason text,
  actor text not null,
  signature_id bigint references signatures (id),
  ledger_seq bigint not null check (ledger_seq >= 1),
  changed_at timestamptz not null default now(),
  foreign key (gtin, lot) references lots (gtin, lot)
);

create index lot_status_changes_by_lot on lot_status_changes (gtin, lot, id);
create index lots_expiring on lots (expiry) where status in ('quarantined', 'released', 'blocked');

create table purchase_orders (
  id bigint generated always as identity primary key,
  supplier_id bigint not null references partners (id),
  status text not null default 'open' check (status in ('open', 'received', 'cancelled')),
  expected_on date,
  note text check (length(note) <= 2000),
  created_at timestamptz not null default now(),
  created_by text not null,
  updated_at timestamptz not null default now()
);

create index purchase_orders_by_supplier on purchase_orders (supplier_id, id);

create table purchase_order_lines (
  id bigint generated always as identity primary key,
  po_id bigint not null references purchase_orders (id),
  line_no integer not null check (line_no >= 1),
  gtin text collate "C" not null references products (gtin),
  quantity integer not null check (quantity > 0),
  received_quantity integer not null default 0 check (received_quantity >= 0),
  unit_price numeric(14, 4) check (unit_price >= 0),
  unique (po_id, line_no),
  check (received_quantity <= quantity)
);

-- One delivery against a purchase order: one lot per receipt line.
create table receipts (
  id bigint generated always as identity primary key,
  po_id bigint not null references purchase_orders (id),
  received_at timestamptz not null default now(),
  received_by text not null,
  note text check (length(note) <= 2000)
);

create table receipt_lines (
  id bigint generated always as identity primary key,
  receipt_id bigint not null references receipts (id),
  po_line_id bigint not null references purchase_order_lines (id),
  gtin text collate "C" not null,
  lot text collate "C" not null,
  supplier_lot text,
  quantity integer not null check (quantity > 0),
  bin_id bigint not null references bins (id),
  -- the ledger seq of the receiving event of this line
  ledger_seq bigint not null check (ledger_seq >= 1),
  foreign key (gtin, lot) references lots (gtin, lot)
);

create index receipt_lines_by_receipt on receipt_lines (receipt_id);

-- The certificates of a lot (certificate of conformity, test report, …): the
-- file itself and its SHA-256, which the receiving event lists.
create table lot_certificates (
  id bigint generated always as identity primary key,
  gtin text collate "C" not null,
  lot text collate "C" not null,
  receipt_id bigint references receipts (id),
  kind text not null check (kind ~ '^[a-z0-9_]{1,40}$'),
  filename text not null check (length(filename) between 1 and 255),
  media_type text not null check (length(media_type) between 1 and 100),
  size integer not null check (size >= 0),
  sha256 text not null check (sha256 ~ '^0x[0-9a-f]{64}$'),
  content bytea not null,
  created_at timestamptz not null default now(),
  created_by text not null,
  foreign key (gtin, lot) references lots (gtin, lot)
);

create index lot_certificates_by_lot on lot_certificates (gtin, lot, id);
