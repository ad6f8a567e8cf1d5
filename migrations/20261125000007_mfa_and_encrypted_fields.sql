-- Second factor (TOTP with single-use recovery codes) and fields encrypted at rest.
-- Encrypted columns hold `v1:<key id>:<base64 nonce+ciphertext>` (AES-256-GCM, bound to
-- their table, column and row), so keys can rotate: `campus keys rotate` re-encrypts.

ALTER TABLE users
    ADD COLUMN national_id_enc text,
    -- The confirmed TOTP secret, and one being enrolled but not yet confirmed.
    ADD COLUMN totp_secret_enc text,
    ADD COLUMN totp_pending_enc text,
    ADD COLUMN totp_enabled_at timestamptz,
    -- The last time step accepted, so a code cannot be used twice.
    ADD COLUMN totp_last_step bigint;

CREATE TABLE recovery_codes (
    college_id uuid NOT NULL,
    user_id uuid NOT NULL,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at timestamptz,
    PRIMARY KEY (college_id, user_id, code_hash),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE
);
SELECT campus_tenant_table('recovery_codes');

-- A college can require a second factor of every staff member (every role but student
-- and parent); college admins and principals always need one.
ALTER TABLE colleges ADD COLUMN mfa_required_for_staff boolean NOT NULL DEFAULT false;
