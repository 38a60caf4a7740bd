-- The chunk each row came from (-1: carried forward by an incremental run). The worker copies a
-- chunk as soon as it commits; finalisation counts rows per chunk to copy only what is missing.
ALTER TABLE emission_results
    ADD COLUMN IF NOT EXISTS chunk_no Int32 DEFAULT 0
