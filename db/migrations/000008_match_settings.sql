-- The organisation's confidence threshold: matched rows below it are held for review.
alter table organisations add column match_threshold numeric(5, 4) not null default 0.8 check (match_threshold between 0 and 1);
-- Ledger fields purchase lines carry; mapping rules and matching read them.
alter table activities add column account text check (length(account) <= 200);
alter table activities add column category text check (length(category) <= 500);
