-- 0003: ERP-lite: the product catalogue (GTIN = UDI-DI), lots, their serialised
-- units and quality inspections. Owned by node/catalog, node/lots and
-- node/quality; forward only. Identifiers are stored in their canonical form:
-- GTIN-14, lot and serial in GS1 character set 82, 1-20 characters, compared
-- byte by byte (collate "C": UTF-8 byte order, and several times faster to
-- index than a linguistic collation when a lot brings 100,000 serials).

create table products (
  gtin text collate "C" primary key check (gtin ~ '^[0-9]{14}$'),
  name text not null check (length(name) between 1 and 200),
  model text not null check (length(model) between 1 and 100),
  -- EU MDR 2017/745 Annex VIII classes
  device_class text not null check (device_class in ('I', 'IIa', 'IIb', 'III')),
  shelf_life_days integer check (shelf_life_days between 1 and 36500),
  created_at timestamptz not null default now(),
  created_by text not null
);

create table lots (
  gtin text collate "C" not null references products (gtin),
  lot text collate "C" not null check (lot ~ '^[!"%&''()*+,./0-9:;<=>?A-Z_a-z-]{1,20}$'),
  production_date date not null,
  expiry date not null,
  unit_count integer not null check (unit_count >= 0),
  -- the ledger seq of the lot's commissioning event; set in the transaction that
  -- creates the lot, after its units (so the ledger head is locked briefly)
  commissioning_seq bigint check (commissioning_seq >= 1),
  created_at timestamptz not null default now(),
  created_by text not null,
  primary key (gtin, lot),
  check (expiry > production_date)
);

-- One row per serialised unit; a unit is (gtin, serial), whatever its lot.
-- Bulk table: a lot of 100,000 serials is one insert. The serial's character
-- set is checked by the SDK before the insert, here only its length; and units
-- have no per-row foreign key to lots (it doubled the insert time): they are
-- written only by insertLotWithUnits, in the transaction that creates their lot.
create table units (
  gtin text collate "C" not null,
  serial text collate "C" not null check (length(serial) between 1 and 20),
  lot text collate "C" not null,
  primary key (gtin, serial)
);

create index units_by_lot on units (gtin, lot);

create table inspections (
  id bigint generated always as identity primary key,
  gtin text collate "C" not null,
  lot text collate "C" not null,
  kind text not null check (kind in ('incoming', 'final')),
  result text not null check (result in ('pass', 'fail')),
  method text not null check (length(method) between 1 and 200),
  report_sha256 text check (report_sha256 ~ '^0x[0-9a-f]{64}$'),
  -- the ledger seq of the inspecting event
  ledger_seq bigint not null check (ledger_seq >= 1),
  inspected_at timestamptz not null default now(),
  inspected_by text not null,
  foreign key (gtin, lot) references lots (gtin, lot)
);

create index inspections_by_lot on inspections (gtin, lot);
