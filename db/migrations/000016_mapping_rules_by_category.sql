-- A mapping rule can hold for one of the organisation's categories only: the same terse text can
-- name different things in different categories, and the review queue shows it per category.
-- null: rows of any category (every rule before this migration).
alter table mapping_rules add column category text check (category is null or length(category) between 1 and 500);
drop index mapping_rules_live;
create unique index mapping_rules_live on mapping_rules (org_id, kind, field, lower(pattern), lower(coalesce(category, ''))) where retired_at is null;
