-- 0018: a company's acknowledgement of a recall also says how many affected
-- units it shipped to customers running a node that have not acknowledged yet
-- (`awaiting`), so the issuer knows when the reach is complete downstream.
alter table recall_acks add column awaiting integer not null default 0 check (awaiting >= 0);
