-- Report rollup (GET …/reports/inventory from ClickHouse): every line the inventory report groups
-- by, summed per run at insert time, so a report reads a few thousand rows instead of scanning the
-- run's millions (`pnpm bench:report`). One row per (run, breakdown, key, scope, ownership): the
-- report weights by ownership (equity share) after reading, so one rollup serves every approach.
-- Lines: each breakdown of calculated rows (the entity tree: one line per node of the row's path),
-- the data-quality rating and gases of calculated rows inside the scopes, every row by status and
-- reason, spend by currency and whether calculated, Scope 2 consumption as the market-based
-- allocation groups it. co2e: kg CO2e (gas lines: kg of the gas); amount: spend or quantity.
-- A retried export batch (same deduplication token) is dropped here too: the client sets
-- deduplicate_blocks_in_dependent_materialized_views. A materialized view sees inserts only, not
-- ReplacingMergeTree's replacements: a reader uses it only when the run's rows and the rollup's
-- count agree (no duplicate or missing copy), else it scans emission_results FINAL as before.
CREATE MATERIALIZED VIEW IF NOT EXISTS report_lines
ENGINE = SummingMergeTree
ORDER BY (org_id, run_id, breakdown, key, scope_key, ownership_pct)
SETTINGS non_replicated_deduplication_window = 1000
AS SELECT
    org_id,
    run_id,
    tupleElement(line, 1) AS breakdown,
    tupleElement(line, 2) AS key,
    ifNull(toInt16(scope), -1) AS scope_key,
    ownership_pct,
    sum(tupleElement(line, 3)) AS co2e,
    sum(tupleElement(line, 4)) AS amount,
    count() AS activities
FROM emission_results
ARRAY JOIN arrayConcat(
    if(status = 'calculated', [
        ('category', category, co2e_kg, toDecimal128(0, 12)),
        ('country', country, co2e_kg, toDecimal128(0, 12)),
        ('month', formatDateTime(month, '%Y-%m'), co2e_kg, toDecimal128(0, 12)),
        ('factor_source', if(factor_source = '', factor_set_id, concat(factor_source, ' ', factor_edition)), co2e_kg, toDecimal128(0, 12)),
        ('match_method', match_method, co2e_kg, toDecimal128(0, 12)),
        ('calculation_method', calculation_method, co2e_kg, toDecimal128(0, 12))], []),
    if(status = 'calculated', arrayMap(n -> ('entity', n, co2e_kg, toDecimal128(0, 12)), entity_path), []),
    if(status = 'calculated' AND scope IS NOT NULL, [('quality', concat(toString(dq_technological), ',', toString(dq_geographical), ',', toString(dq_temporal)), co2e_kg, toDecimal128(0, 12))], []),
    if(status = 'calculated' AND scope IS NOT NULL, arrayMap((g, kg) -> ('gas', g, kg, toDecimal128(0, 12)), mapKeys(gas_kg), mapValues(gas_kg)), []),
    [('status', concat(status, '\0', reason), toDecimal128(0, 12), toDecimal128(0, 12))],
    if(spend_currency != '', [('spend', concat(spend_currency, '\0', toString(status = 'calculated')), toDecimal128(0, 12), spend_amount)], []),
    if(status = 'calculated' AND scope = 2,
       [('scope2', concat(entity_code, '\0', activity_region, '\0', formatDateTime(month, '%Y-%m'), '\0', supplier, '\0', category, '\0', quantity_unit), co2e_kg, quantity)], [])
) AS line
GROUP BY org_id, run_id, breakdown, key, scope_key, ownership_pct
