-- A mapping rule can hold for rows of one region only (the row's location, else its entity's
-- country, and regions within it: US holds for US-EGRID-CAMX): "Electricity" confirmed as the UK
-- grid for British sites should not send American sites to it. null: rows of any region (every rule
-- before this migration). Upper case, as factor regions are written.
alter table mapping_rules add column region text check (region is null or region ~ '^[A-Z0-9]+(-[A-Z0-9]+)*$' and length(region) <= 60);
drop index mapping_rules_live;
create unique index mapping_rules_live on mapping_rules (org_id, kind, field, lower(pattern), lower(coalesce(category, '')), coalesce(region, '')) where retired_at is null;
