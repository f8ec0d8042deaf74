-- Migration 2 (foundation): Vietnamese sort keys for paginated lists in SQL,
-- folded search text for users, indexes for the round and consolidation pages.
-- The data steps (sort keys, search text, running totals of every indicator)
-- run in Rust right after this migration (store::migrate::after_v2).
ALTER TABLE units ADD COLUMN sort_key BLOB NULL;
CREATE INDEX units_sort ON units(sort_key);
CREATE INDEX units_kind ON units(kind);
ALTER TABLE users ADD COLUMN search_folded TEXT NOT NULL DEFAULT '';
CREATE INDEX submissions_round_status ON submissions(round_id, status);
CREATE INDEX submissions_round_accepted ON submissions(round_id, accepted_at);
CREATE INDEX user_roles_unit ON user_roles(unit_id);
CREATE INDEX rounds_template_period ON rounds(template_id, period);
CREATE INDEX audit_actor ON audit_log(actor);
