-- Refresh tokens for API clients. Each sign-in starts a family; every refresh marks the
-- presented token used and issues the next one in the family. A used token presented
-- again means it was stolen (or replayed): the whole family is revoked. Only SHA-256
-- hashes are stored.

CREATE TABLE refresh_tokens (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    family_id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    revoked_at timestamptz,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE,
    CONSTRAINT refresh_tokens_hash_unique UNIQUE (college_id, token_hash)
);
SELECT campus_tenant_table('refresh_tokens');
CREATE INDEX refresh_tokens_family ON refresh_tokens (college_id, family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (college_id, user_id) WHERE revoked_at IS NULL;
