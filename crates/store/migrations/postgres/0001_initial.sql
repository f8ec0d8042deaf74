-- Migration 1: the schema of the first release (schema_version 1), unchanged.
-- Dates are ISO text; amounts are thousandths in BIGINT (sqlx Any has no decimal).
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE units (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent_id BIGINT NULL REFERENCES units(id),
    valid_from TEXT NOT NULL,
    valid_to TEXT NULL,
    succession TEXT NULL,
    updated_at TEXT NOT NULL);
CREATE INDEX units_parent ON units(parent_id);
CREATE TABLE unit_predecessors (
    unit_id BIGINT NOT NULL REFERENCES units(id),
    predecessor_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (unit_id, predecessor_id));
CREATE INDEX unit_predecessors_pred ON unit_predecessors(predecessor_id);
CREATE TABLE unit_closure (
    ancestor_id BIGINT NOT NULL,
    descendant_id BIGINT NOT NULL,
    depth BIGINT NOT NULL,
    PRIMARY KEY (ancestor_id, descendant_id));
CREATE INDEX unit_closure_desc ON unit_closure(descendant_id);
CREATE TABLE templates (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL,
    version BIGINT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    checksum TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (code, version));
CREATE TABLE rounds (
    id BIGSERIAL PRIMARY KEY,
    title TEXT NOT NULL,
    template_id BIGINT NOT NULL REFERENCES templates(id),
    period TEXT NOT NULL,
    issuer_id BIGINT NOT NULL REFERENCES units(id),
    deadline TEXT NOT NULL,
    letter TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL);
CREATE INDEX rounds_issuer ON rounds(issuer_id);
CREATE TABLE submissions (
    id BIGSERIAL PRIMARY KEY,
    round_id BIGINT NOT NULL REFERENCES rounds(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    first_submitted_at TEXT NULL,
    submitted_at TEXT NULL,
    on_time BIGINT NULL,
    accepted_at TEXT NULL,
    return_reason TEXT NULL,
    correction_reason TEXT NULL,
    adopted_from_round BIGINT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (round_id, unit_id));
CREATE INDEX submissions_unit ON submissions(unit_id);
CREATE TABLE draft_values (
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    indicator TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (submission_id, indicator));
CREATE TABLE draft_sections (
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (submission_id, section));
CREATE TABLE accepted_values (
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    indicator TEXT NOT NULL,
    value BIGINT NOT NULL,
    PRIMARY KEY (submission_id, indicator));
CREATE TABLE submission_versions (
    submission_id BIGINT NOT NULL REFERENCES submissions(id),
    version BIGINT NOT NULL,
    values_json TEXT NOT NULL,
    sections_json TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    accepted_by TEXT NOT NULL,
    reason TEXT NULL,
    PRIMARY KEY (submission_id, version));
CREATE TABLE rollup (
    round_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    indicator TEXT NOT NULL,
    total BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (round_id, unit_id, indicator));
CREATE TABLE status_rollup (
    round_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    status TEXT NOT NULL,
    on_time BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (round_id, unit_id, status, on_time));
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field TEXT NULL,
    old_value TEXT NULL,
    new_value TEXT NULL);
CREATE INDEX audit_entity ON audit_log(entity, entity_id);
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE user_roles (
    user_id BIGINT NOT NULL REFERENCES users(id),
    role TEXT NOT NULL,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (user_id, role, unit_id));
CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL);
INSERT INTO meta (key, value) VALUES ('schema_version', '1');
