-- Migration 5: a deadline for one recipient (the issuing office extends it for a
-- unit, with the reason in the round's history). NULL: the round's deadline.
-- The unit's deadline counts only when it is later than the round's.
ALTER TABLE submissions ADD COLUMN deadline TEXT NULL;
-- the few recipients with their own deadline, found without reading the round
CREATE INDEX submissions_own_deadline ON submissions(round_id) WHERE deadline IS NOT NULL;
