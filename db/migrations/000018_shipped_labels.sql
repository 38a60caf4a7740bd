-- Whether the organisation's text matches use Tally's shipped labelled purchase lines (the code
-- prior and the example lines, counted on one US city's labels): an organisation whose purchases
-- follow other conventions can match on the catalogues and its own decisions alone.
alter table organisations add column use_shipped_labels boolean not null default true;
