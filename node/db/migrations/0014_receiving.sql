-- 0014: receiving against evidence, reconciliation and dispensing (issue 4,
-- node/network receiving.ts, reconciliation.ts, dispensing.ts). A receipt books
-- the lines of an inbound shipment notice that still verify; whatever does not
-- match (a blocked line, a scan the notice does not name, a line never
-- received) becomes a reconciliation item, mirrored at the other company.
-- Forward only.

-- One receiving session against an inbound notice (scans booked together, one
-- receiving ledger event for what was booked). `closed`: the receiver declared
-- the delivery complete; nothing more is received against the notice.
create table inbound_receipts (
  id bigint generated always as identity primary key,
  notice_id bigint not null references inbound_notices (id),
  received_at timestamptz not null default now(),
  received_by text not null,
  closed boolean not null default false,
  -- the receiving event of what was booked (null when nothing was booked)
  ledger_seq bigint check (ledger_seq >= 1)
);

create index inbound_receipts_by_notice on inbound_receipts (notice_id, id);
create unique index inbound_receipts_one_close on inbound_receipts (notice_id) where closed;

-- What a receipt made of each notice line (and of each scan the notice does not name).
create table inbound_receipt_lines (
  id bigint generated always as identity primary key,
  receipt_id bigint not null references inbound_receipts (id),
  -- null for a scan the notice does not name
  line_no integer check (line_no >= 1),
  gtin text collate "C" not null,
  lot text collate "C",
  serial text collate "C",
  quantity integer not null check (quantity >= 0),
  outcome text not null check (outcome in ('booked', 'blocked', 'not-in-notice', 'not-received', 'short')),
  reason text
);

create index inbound_receipt_lines_by_receipt on inbound_receipt_lines (receipt_id);

-- Shipped vs received, item by item, on both sides of a shipment. The receiver
-- creates items (role 'receiver', counterpart = the sender) and sends them to the
-- sender, who stores mirrors (role 'sender', counterpart = the receiver,
-- remote_id = the receiver's item id). Resolving on either side is sent to the
-- other (remote_id on the receiver's side is the sender's mirror id).
create table reconciliation_items (
  id bigint generated always as identity primary key,
  counterpart text not null check (counterpart ~ '^0x[0-9a-f]{40}$'),
  role text not null check (role in ('receiver', 'sender')),
  -- urn:medtrace:shipment:<sender>:<shipment id> (the same on both sides)
  shipment_ref text not null check (length(shipment_ref) between 1 and 200),
  notice_id bigint references inbound_notices (id),
  shipment_id bigint references shipments (id),
  gtin text collate "C" not null,
  lot text collate "C",
  serial text collate "C",
  expected integer not null check (expected >= 0),
  received integer not null check (received >= 0),
  reason text not null check (length(reason) between 1 and 200),
  status text not null default 'open' check (status in ('open', 'resolved')),
  resolution text check (length(resolution) between 1 and 100),
  note text check (length(note) <= 2000),
  resolved_by text,
  resolved_at timestamptz,
  remote_id bigint,
  -- one item per fact: (notice, line or scan, reason) on the receiver's side, the remote id on the sender's
  item_key text not null check (length(item_key) between 1 and 500),
  created_at timestamptz not null default now(),
  unique (role, counterpart, item_key)
);

create index reconciliation_items_by_shipment on reconciliation_items (shipment_ref, id);
create index reconciliation_items_open on reconciliation_items (counterpart, id) where status = 'open';

-- Units used on a patient (no patient data: only what, when, who recorded it, and its event).
create table dispensations (
  id bigint generated always as identity primary key,
  gtin text collate "C" not null,
  lot text collate "C" not null,
  serial text collate "C" not null,
  scan text not null check (length(scan) between 1 and 500),
  dispensed_at timestamptz not null default now(),
  dispensed_by text not null,
  ledger_seq bigint not null check (ledger_seq >= 1),
  unique (gtin, serial)
);

-- Forward trace: the shipments a lot left in.
create index shipment_lines_by_lot on shipment_lines (gtin, lot);
