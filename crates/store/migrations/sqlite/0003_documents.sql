-- Migration 3 (documents, issue 10): each unit's document settings (heading,
-- symbol, place, signer), the outgoing-number register (sổ văn bản đi: the last
-- number per issuer, year and kind, and every document issued with its number and
-- the content it was issued with), and the office's edited consolidated narrative.
CREATE TABLE unit_document_settings (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id),
    format TEXT NOT NULL,
    parent_body TEXT NOT NULL,
    body TEXT NOT NULL,
    symbol TEXT NOT NULL,
    place TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signer_title TEXT NOT NULL,
    authority_prefix TEXT NOT NULL,
    authority_body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL);
CREATE TABLE outgoing_counters (
    issuer_id BIGINT NOT NULL REFERENCES units(id),
    year BIGINT NOT NULL,
    kind TEXT NOT NULL,
    last_number BIGINT NOT NULL,
    PRIMARY KEY (issuer_id, year, kind));
CREATE TABLE issued_documents (
    id INTEGER PRIMARY KEY,
    issuer_id BIGINT NOT NULL REFERENCES units(id),
    round_id BIGINT NOT NULL REFERENCES rounds(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    document TEXT NOT NULL,
    kind TEXT NOT NULL,
    year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    number_text TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    content_json TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    UNIQUE (issuer_id, year, kind, number),
    UNIQUE (round_id, unit_id, document));
CREATE INDEX issued_documents_round ON issued_documents(round_id);
CREATE TABLE consolidation_narratives (
    round_id BIGINT NOT NULL REFERENCES rounds(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (round_id, unit_id, section));
