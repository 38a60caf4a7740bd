-- Spend-based factors are per unit of a currency in one year's prices, at purchaser or producer
-- price; the conversion of an activity's spend to that basis depends on it.
alter table emission_factors add column price_basis jsonb;
