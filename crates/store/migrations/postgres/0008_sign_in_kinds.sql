-- Sign-in tokens of two kinds: a web session (cookie) and an API bearer token,
-- never interchangeable; each has an id (shown to admins, never the secret) and
-- the time it was last used. Tokens made before this version had no kind and
-- are dropped: everyone signs in again once.
DROP TABLE api_tokens;
CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL CHECK (kind IN ('session', 'api')),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    last_seen_at TEXT);
CREATE INDEX api_tokens_user ON api_tokens(user_id, kind);
CREATE INDEX api_tokens_expires ON api_tokens(expires_at);
