-- 0001: the node's core: staff users and roles, node secrets, the append-only
-- audit trail of every write, and stored responses for Idempotency-Key.
-- Owned by node/auth and node/http; forward only.

create table roles (
  name text primary key check (name ~ '^[a-z]+$'),
  description text not null
);

insert into roles (name, description) values
  ('admin', 'everything, including users'),
  ('qa', 'inspections, release, CAPA, recalls'),
  ('warehouse', 'commissioning, stock, shipments, receipts'),
  ('sales', 'customers and orders'),
  ('viewer', 'read only');

create table users (
  id bigint generated always as identity primary key,
  username text not null unique check (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  display_name text check (length(display_name) <= 200),
  -- scrypt$N$r$p$salt$hash (base64url), see node/auth/passwords.ts
  password_hash text not null check (password_hash ~ '^scrypt\$[0-9]+\$[0-9]+\$[0-9]+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$'),
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table user_roles (
  user_id bigint not null references users (id),
  role text not null references roles (name),
  primary key (user_id, role)
);

-- Secrets the node generates once and keeps (the staff JWT key).
create table node_secrets (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);

-- Who did what, when, to which record, from what to what, and why.
create table audit_trail (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor text not null,
  action text not null check (action ~ '^[a-z_]+\.[a-z_]+$'),
  entity text not null,
  entity_id text not null,
  before jsonb,
  after jsonb,
  reason text,
  request_id text,
  -- the ledger event the write recorded, when it recorded one
  ledger_seq bigint check (ledger_seq >= 1)
);

create index audit_trail_entity on audit_trail (entity, entity_id);

create function audit_trail_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit_trail is append-only' using errcode = 'P0001';
end
$$;

create trigger audit_trail_append_only before update or delete on audit_trail
  for each row execute function audit_trail_refuse_change();
create trigger audit_trail_no_truncate before truncate on audit_trail
  for each statement execute function audit_trail_refuse_change();

-- A write sent with Idempotency-Key: the request's hash and the response it got,
-- stored in the same transaction as the write itself.
create table idempotency_keys (
  actor text not null,
  key text not null check (length(key) between 1 and 255),
  method text not null,
  path text not null,
  request_sha256 text not null check (request_sha256 ~ '^0x[0-9a-f]{64}$'),
  status integer check (status between 200 and 299),
  response jsonb,
  created_at timestamptz not null default now(),
  primary key (actor, key)
);
