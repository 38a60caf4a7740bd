-- Method fields of an activity (cabin class, trips, origin/destination, location, price basis),
-- validated by packages/core before they are stored.
alter table activities add column attributes jsonb;

-- Exchange rates and price indices for spend-based factors, loaded per year by an operator.
-- Every result that used one records the value in its conversion chain, so an auditor can
-- reproduce it even after a rate is corrected.
create table exchange_rates (
  currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
  year int not null check (year between 1950 and 2100),
  usd_per_unit numeric not null check (usd_per_unit > 0),
  source text not null,
  loaded_at timestamptz not null default now(),
  primary key (currency, year)
);

create table price_indices (
  index_id text not null check (length(index_id) between 1 and 50),
  year int not null check (year between 1950 and 2100),
  value numeric not null check (value > 0),
  currency char(3) not null,
  source text not null,
  loaded_at timestamptz not null default now(),
  primary key (index_id, year)
);

-- A run resolves factors in several sets in priority order (the organisation's own first); null
-- means the single set factor_set_id (runs created before this column).
alter table calculation_runs add column factor_set_ids text[] check (cardinality(factor_set_ids) between 1 and 20);
-- Run options, e.g. {"radiativeForcing": "with"}.
alter table calculation_runs add column options jsonb not null default '{}';

-- The method that expanded the activity (air travel...), the unit/currency conversion chain
-- step by step, and the CO2e of each variant the source publishes (with and without RF).
alter table calculation_results add column method text;
alter table calculation_results add column conversion jsonb;
alter table calculation_results add column co2e_variants jsonb;
