-- Market-based Scope 2 (GET …/reports/inventory, scope2.marketBased): where the energy was used
-- (the activity's location, else its entity's country), the activity's supplier, and its quantity
-- and unit, so the report groups Scope 2 consumption by entity, region, month and supplier exactly
-- as Postgres does (Decimal128 sums of the quantities as written). Written by the run's export
-- (export_version 4): a copy made before this file is read from Postgres until exported again.
ALTER TABLE emission_results
    ADD COLUMN IF NOT EXISTS activity_region LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS supplier        String DEFAULT '',
    ADD COLUMN IF NOT EXISTS quantity        Decimal128(12) DEFAULT 0,
    ADD COLUMN IF NOT EXISTS quantity_unit   LowCardinality(String) DEFAULT ''
