-- One activity key can have a factor per region and year (grid electricity per country, eGRID
-- subregions...): the natural key of a factor within its set includes both.
alter table emission_factors drop constraint emission_factors_factor_set_id_activity_key_unit_key;
alter table emission_factors add constraint emission_factors_natural_key unique (factor_set_id, activity_key, unit, region, year);

-- How the factor was resolved for the activity (region path, year choice), for the auditor.
alter table calculation_results add column resolution text;
