-- Run diff lineage (GET …/reports/diff): the activity's quantity, unit, amount and currency as
-- exported (decimal strings, exact whatever their scale), the row's unit
-- conversion, the factor's key (the mapping), the mapping rule that chose it, the method that
-- expanded the activity, how CO2e was obtained and each published variant's CO2e (radiative
-- forcing with/without), the activity's type and file line. Written by the run's export
-- (export_version 3 on): a copy made before this file is read from Postgres until exported again.
ALTER TABLE emission_results
    ADD COLUMN IF NOT EXISTS activity_quantity  String DEFAULT '',
    ADD COLUMN IF NOT EXISTS activity_unit      LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS activity_amount    String DEFAULT '',
    ADD COLUMN IF NOT EXISTS activity_currency  LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS unit_from          LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS unit_to            LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS unit_multiplier    String DEFAULT '',
    ADD COLUMN IF NOT EXISTS factor_key         String DEFAULT '',
    ADD COLUMN IF NOT EXISTS match_rule_id      String DEFAULT '',
    ADD COLUMN IF NOT EXISTS calc_method        LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS co2e_method        LowCardinality(String) DEFAULT '',
    ADD COLUMN IF NOT EXISTS co2e_variants      Map(LowCardinality(String), Decimal128(12)),
    ADD COLUMN IF NOT EXISTS activity_type      String DEFAULT '',
    ADD COLUMN IF NOT EXISTS line_no            UInt32 DEFAULT 0
