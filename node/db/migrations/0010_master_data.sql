-- 0010: master data (issue 3, node/partners, node/warehouses, node/catalog):
-- partners can be deactivated instead of deleted (their rows are referenced by
-- lots, purchase and sales orders), warehouses and bins keep who changed them
-- last. Forward only.

alter table partners
  add column active boolean not null default true;

create index partner_certificates_by_partner on partner_certificates (partner_id, kind, valid_until);

alter table warehouses
  add column updated_at timestamptz not null default now();

alter table bins
  add column updated_at timestamptz not null default now();
