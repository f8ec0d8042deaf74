-- Migration 7: figures a report takes from the registers.
--
-- value_overrides: a figure of a report's working copy that differs from the
-- value counted from the unit's registers (an indicator's `source`), with the
-- counted value at the time, the typed value and the reporter's written reason.
-- The office's review page lists them. A row goes away when the typed value is
-- brought back to the counted one.
CREATE TABLE value_overrides (
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    indicator TEXT NOT NULL,
    counted BIGINT NOT NULL,
    typed BIGINT NULL,
    reason TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (submission_id, indicator));
