-- Migration 4: user administration (an optional e-mail address, a temporary
-- password that must be changed at the next sign-in; accounts are disabled with
-- the existing users.active) and reminders: a schedule per round (a round
-- without a row follows the defaults of app::reminders), every reminder sent
-- (its unique key makes a scheduled reminder go out once, even with two
-- servers), and the in-app notices of each user.
ALTER TABLE users ADD COLUMN email TEXT NULL;
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
CREATE TABLE reminder_schedules (
    round_id BIGINT PRIMARY KEY REFERENCES rounds(id),
    enabled BIGINT NOT NULL,
    days_before BIGINT NOT NULL,
    on_the_day BIGINT NOT NULL,
    overdue_every BIGINT NOT NULL,
    overdue_max BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL);
CREATE TABLE reminders (
    id BIGSERIAL PRIMARY KEY,
    reminder_key TEXT NOT NULL UNIQUE,
    round_id BIGINT NOT NULL REFERENCES rounds(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    sent_by TEXT NOT NULL);
CREATE INDEX reminders_round_unit ON reminders(round_id, unit_id);
CREATE TABLE notices (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    round_id BIGINT NULL REFERENCES rounds(id),
    unit_id BIGINT NULL REFERENCES units(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT NULL);
CREATE INDEX notices_user ON notices(user_id, read_at);
