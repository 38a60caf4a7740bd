-- Analytics copy of calculation results (one row per run and activity), written when a run
-- completes. ReplacingMergeTree on the full key plus FINAL in reads makes a retried export
-- harmless; inserts also carry a deduplication token per batch.
CREATE TABLE IF NOT EXISTS emission_results
(
    run_id          UUID,
    org_id          UUID,
    activity_id     UInt64,
    entity_id       UUID,
    ownership_pct   Decimal(7, 4),
    period_start    Date,
    status          LowCardinality(String),
    scope           Nullable(UInt8),
    category        LowCardinality(String),
    factor_id       String,
    factor_set_id   LowCardinality(String),
    gwp_set_id      LowCardinality(String),
    co2e_kg         Decimal128(12),
    gas_kg          Map(LowCardinality(String), Decimal128(12)),
    reason          LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (org_id, run_id, activity_id)
SETTINGS non_replicated_deduplication_window = 1000
