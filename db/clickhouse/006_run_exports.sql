-- One row per completed export of a run: written after the export's last batch, with the number
-- of rows the run has in Postgres. A report reads the report_lines rollup when the rollup counts
-- exactly that many rows of the run at this export version (every row once: a copy inserted twice
-- would count twice), without scanning emission_results FINAL to learn the run's size.
-- ReplacingMergeTree: exporting a run again replaces its row.
CREATE TABLE IF NOT EXISTS run_exports
(
    org_id          UUID,
    run_id          UUID,
    export_version  UInt8,
    rows            UInt64,
    exported_at     DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(exported_at)
ORDER BY (org_id, run_id, export_version)
