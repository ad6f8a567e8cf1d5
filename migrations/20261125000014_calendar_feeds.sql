-- A personal iCalendar feed per user, behind a secret link the user can revoke (making a
-- new one). Only the token's SHA-256 is stored.
CREATE TABLE calendar_feeds (
    college_id uuid NOT NULL,
    user_id uuid NOT NULL,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, user_id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE,
    CONSTRAINT calendar_feeds_token_unique UNIQUE (college_id, token_hash)
);
SELECT campus_tenant_table('calendar_feeds');
