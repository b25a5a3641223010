-- Staff logins (kitchen displays, the admin): a random id in the cookie,
-- only its SHA-256 here; `binding` ties the session to the token it was
-- made with. Times are Unix seconds, so expiry is an integer comparison.
CREATE TABLE IF NOT EXISTS sessions (
    id_hash    BYTEA PRIMARY KEY,
    scope      TEXT NOT NULL,
    binding    BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Expired sessions are purged by `expires_at`.
CREATE INDEX IF NOT EXISTS sessions_by_expiry ON sessions (expires_at);
