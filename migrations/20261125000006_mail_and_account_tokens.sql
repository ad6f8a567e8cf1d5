-- Mail goes through an outbox: a change that sends mail queues it in the same
-- transaction, and a sender process delivers it (retrying with backoff), so a slow or
-- failing mail server never slows or breaks a request.

CREATE TABLE mail_outbox (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    to_address citext NOT NULL CHECK (length(to_address) <= 254),
    subject text NOT NULL CHECK (length(subject) <= 300),
    body_text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at timestamptz,
    last_error text,
    PRIMARY KEY (college_id, id)
);
SELECT campus_tenant_table('mail_outbox');
CREATE INDEX mail_outbox_due ON mail_outbox (college_id, next_attempt_at) WHERE sent_at IS NULL;

-- Wakes the sender as soon as mail is queued (it also polls, in case a notice is lost).
CREATE FUNCTION mail_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('mail_outbox', NEW.college_id::text);
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_outbox_notify AFTER INSERT ON mail_outbox
    FOR EACH ROW EXECUTE FUNCTION mail_outbox_notify();

-- Single-use, expiring tokens for invitations, password resets and email verification;
-- only their SHA-256 is stored.
CREATE TABLE account_tokens (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    purpose text NOT NULL CHECK (purpose IN ('invite', 'reset', 'verify_email')),
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE,
    CONSTRAINT account_tokens_hash_unique UNIQUE (college_id, token_hash)
);
SELECT campus_tenant_table('account_tokens');

ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
