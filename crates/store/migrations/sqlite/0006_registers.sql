-- Migration 6: registers (sổ theo dõi). Version 5 is reserved for another change;
-- the migrator accepts the gap.
--
-- holiday_years / holidays: the working-day calendar of the years an admin has
-- stored (a year not stored follows data/holidays.toml; a stored year replaces
-- it whole). reception_sessions: citizen reception. cases / petitions /
-- petition_steps: petitions (đơn), the case (vụ việc) several petitions may be
-- linked into, and their dated steps (seq orders them; the domain replays them).
-- dialogues, inspections, mobilisation_models ("Dân vận khéo"): simple registers.
-- Every row belongs to the unit that keeps the register.
CREATE TABLE holiday_years (
    year BIGINT PRIMARY KEY,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL);
CREATE TABLE holidays (
    day TEXT PRIMARY KEY,
    year BIGINT NOT NULL REFERENCES holiday_years(year),
    day_type TEXT NOT NULL,
    name TEXT NOT NULL,
    provisional BIGINT NOT NULL DEFAULT 0);
CREATE TABLE reception_sessions (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    held_on TEXT NOT NULL,
    receiver TEXT NOT NULL,
    receiver_name TEXT NOT NULL,
    turns BIGINT NOT NULL,
    people BIGINT NOT NULL,
    delegations BIGINT NOT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL);
CREATE INDEX reception_sessions_unit ON reception_sessions(unit_id, held_on);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL);
CREATE TABLE petitions (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    case_id BIGINT NULL REFERENCES cases(id),
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    received_on TEXT NOT NULL,
    petitioners TEXT NOT NULL,
    petitioners_folded TEXT NOT NULL,
    summary TEXT NOT NULL,
    content TEXT NOT NULL,
    forwarded_from TEXT NOT NULL,
    remote BIGINT NOT NULL,
    complexity TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL);
CREATE INDEX petitions_unit ON petitions(unit_id, received_on);
CREATE INDEX petitions_case ON petitions(case_id);
CREATE TABLE petition_steps (
    id INTEGER PRIMARY KEY,
    petition_id BIGINT NOT NULL REFERENCES petitions(id),
    seq BIGINT NOT NULL,
    step_on TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NULL,
    result TEXT NULL,
    note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    UNIQUE (petition_id, seq));
CREATE TABLE dialogues (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    held_on TEXT NOT NULL,
    topic TEXT NOT NULL,
    participants BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL);
CREATE INDEX dialogues_unit ON dialogues(unit_id, held_on);
CREATE TABLE inspections (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    held_on TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL);
CREATE INDEX inspections_unit ON inspections(unit_id, held_on);
CREATE TABLE mobilisation_models (
    id INTEGER PRIMARY KEY,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    field TEXT NOT NULL,
    recognised_on TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL);
CREATE INDEX mobilisation_models_unit ON mobilisation_models(unit_id, recognised_on);
