-- Inventory report dimensions (GET …/reports/inventory): the entity tree (codes from the root to the
-- row's entity, for roll-up; its parent and legal entity), the entity's country, the month, the
-- factor's source and edition, the calculation method, how the factor was chosen, the row's
-- data-quality rating (1 very good … 5 very poor; 0 = not rated: not calculated) and, for rows
-- measured in money, the currency and amount. Written by the same one export as the rest of the
-- row (export_version 2): ReplacingMergeTree on the unchanged full key, so re-exporting a run copied
-- before this file replaces its rows in place. Report queries filter on (org_id, run_id), the
-- leading columns of the sort key.
ALTER TABLE emission_results
    ADD COLUMN IF NOT EXISTS export_version     UInt8 DEFAULT 1,
    ADD COLUMN IF NOT EXISTS entity_code        String DEFAULT '',
    ADD COLUMN IF NOT EXISTS entity_path        Array(String),
    ADD COLUMN IF NOT EXISTS parent_code        String DEFAULT '',
    ADD COLUMN IF NOT EXISTS legal_entity_code  String DEFAULT '',
    ADD COLUMN IF NOT EXISTS country            LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS month              Date MATERIALIZED toStartOfMonth(period_start),
    ADD COLUMN IF NOT EXISTS factor_source      LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS factor_edition     LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS calculation_method LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS match_method       LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS dq_technological   UInt8 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS dq_geographical    UInt8 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS dq_temporal        UInt8 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS spend_currency     LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS spend_amount       Decimal128(12) DEFAULT 0
