-- Migration 10: the details of the simple registers.
--
-- Dialogues: the leader who held it (name, position), issues raised and
-- answered. Inspections and supervision: the body that carried it out (a code of
-- core::registers::entries::InspectionBody), the team, the units inspected,
-- findings, recommendations made and carried out. "Dân vận khéo" models: the
-- holder (collective / individual), level (commune / district / province /
-- national), year registered, commended and by whom.
--
-- Entries recorded before this migration did not know these details: texts
-- default to '' and codes, counts, years and the commended flag stay NULL
-- (unknown), which the pages show as "—".
ALTER TABLE dialogues ADD COLUMN leader_name TEXT NOT NULL DEFAULT '';
ALTER TABLE dialogues ADD COLUMN leader_position TEXT NOT NULL DEFAULT '';
ALTER TABLE dialogues ADD COLUMN issues_raised BIGINT NULL;
ALTER TABLE dialogues ADD COLUMN issues_answered BIGINT NULL;
ALTER TABLE inspections ADD COLUMN body TEXT NULL;
ALTER TABLE inspections ADD COLUMN team TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN inspected TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN findings TEXT NOT NULL DEFAULT '';
ALTER TABLE inspections ADD COLUMN recommendations_made BIGINT NULL;
ALTER TABLE inspections ADD COLUMN recommendations_done BIGINT NULL;
ALTER TABLE mobilisation_models ADD COLUMN holder TEXT NULL;
ALTER TABLE mobilisation_models ADD COLUMN level TEXT NULL;
ALTER TABLE mobilisation_models ADD COLUMN registered_year BIGINT NULL;
ALTER TABLE mobilisation_models ADD COLUMN commended BIGINT NULL;
ALTER TABLE mobilisation_models ADD COLUMN commended_by TEXT NOT NULL DEFAULT '';
