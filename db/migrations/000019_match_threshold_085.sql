-- New organisations take matches without review from a confidence of 0.85 (AUTO_ACCEPT_THRESHOLD
-- in packages/core/src/matching/engine.ts), where 0.8 took answers of which fewer than 95% were
-- right. Organisations that exist keep the threshold they have: it may be one they chose.
alter table organisations alter column match_threshold set default 0.85;
