-- 0012: peer authentication (issue 4, node/peers): the id (jti) of every peer
-- token this node accepted, so a token is never accepted twice. A row is kept
-- until its token could no longer pass the expiry check (exp + clock skew);
-- expired rows are pruned as new tokens arrive. Forward only.

create table peer_token_jtis (
  issuer text not null,
  jti text not null,
  expires_at timestamptz not null,
  received_at timestamptz not null default now(),
  primary key (issuer, jti)
);

create index peer_token_jtis_by_expiry on peer_token_jtis (expires_at);
