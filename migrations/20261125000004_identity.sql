-- Identity: passwords and sign-in state on users, server-side browser sessions, custom
-- roles, and the audit trail.

ALTER TABLE users
    ADD COLUMN password_hash text,
    -- Failed sign-ins since the last success; drives the progressive lockout.
    ADD COLUMN failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    ADD COLUMN locked_until timestamptz,
    ADD COLUMN last_login_at timestamptz,
    ADD COLUMN password_changed_at timestamptz;

-- Browser sessions. The cookie carries the college id and a random 256-bit token; only
-- the token's SHA-256 is stored, so a copy of this table signs nobody in.
CREATE TABLE sessions (
    college_id uuid NOT NULL,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id uuid NOT NULL,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    -- The absolute limit; the idle limit is last_seen_at plus the configured idle time.
    expires_at timestamptz NOT NULL,
    ip inet,
    user_agent text CHECK (length(user_agent) <= 500),
    revoked_at timestamptz,
    PRIMARY KEY (college_id, id),
    FOREIGN KEY (college_id, user_id) REFERENCES users (college_id, id) ON DELETE CASCADE,
    CONSTRAINT sessions_token_unique UNIQUE (college_id, token_hash)
);
SELECT campus_tenant_table('sessions');
CREATE INDEX sessions_user ON sessions (college_id, user_id) WHERE revoked_at IS NULL;

-- Roles a college defines from chosen permissions, beside the built-in ones (which live
-- in code). Assignments name either kind by `name`.
CREATE TABLE custom_roles (
    college_id uuid NOT NULL REFERENCES colleges (id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT gen_random_uuid(),
    name text NOT NULL CHECK (name ~ '^custom_[a-z0-9_]{1,50}$'),
    label text NOT NULL CHECK (length(btrim(label)) BETWEEN 2 AND 100),
    -- Permission names with their scope, e.g. 'students.read:college'.
    permissions text[] NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (college_id, id),
    CONSTRAINT custom_roles_name_unique UNIQUE (college_id, name)
);
SELECT campus_tenant_table('custom_roles');

-- The audit trail: append-only and hash-chained per college. Each entry's hash covers
-- the previous entry's hash and its own fields, so changing, removing or reordering an
-- entry breaks the chain from there on; `campus audit verify` finds the first break.
CREATE TABLE audit_log (
    college_id uuid NOT NULL REFERENCES colleges (id),
    seq bigint NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_user_id uuid,
    -- The role whose permission the actor used.
    actor_role text,
    action text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_.]+$'),
    object_type text,
    object_id text,
    before jsonb,
    after jsonb,
    ip inet,
    user_agent text,
    request_id text,
    prev_hash bytea NOT NULL,
    hash bytea NOT NULL,
    PRIMARY KEY (college_id, seq)
);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
    USING (college_id = app_current_college()) WITH CHECK (college_id = app_current_college());
-- Insert and read only: no UPDATE, DELETE or TRUNCATE for the runtime role.
GRANT SELECT, INSERT ON audit_log TO campus_app;
CREATE INDEX audit_log_actor ON audit_log (college_id, actor_user_id, seq);
CREATE INDEX audit_log_action ON audit_log (college_id, action, seq);
CREATE INDEX audit_log_at ON audit_log (college_id, at);

-- The head of each college's chain; appends lock it, so they take turns per college.
-- Only the chaining trigger (running as the owner) touches it.
CREATE TABLE audit_heads (
    college_id uuid PRIMARY KEY REFERENCES colleges (id),
    seq bigint NOT NULL,
    hash bytea NOT NULL
);
ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
    USING (college_id = app_current_college()) WITH CHECK (college_id = app_current_college());

-- The bytes an entry's hash covers: every field as `<length>:<text>`, so no text can
-- slide from one field into the next; timestamps as microseconds since the epoch and
-- jsonb in its canonical text form, so the same entry always hashes the same.
CREATE FUNCTION audit_field(value text) RETURNS text
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN value IS NULL THEN '-' ELSE length(value)::text || ':' || value END $$;

CREATE FUNCTION audit_entry_hash(prev bytea, e audit_log) RETURNS bytea
    LANGUAGE sql IMMUTABLE
    AS $$
        SELECT sha256(prev || convert_to(
            audit_field(e.college_id::text) || audit_field(e.seq::text) ||
            audit_field(((extract(epoch FROM e.at) * 1000000)::bigint)::text) ||
            audit_field(e.actor_user_id::text) || audit_field(e.actor_role) ||
            audit_field(e.action) || audit_field(e.object_type) || audit_field(e.object_id) ||
            audit_field(e.before::text) || audit_field(e.after::text) ||
            audit_field(host(e.ip)) || audit_field(e.user_agent) || audit_field(e.request_id),
            'UTF8'))
    $$;

CREATE FUNCTION audit_chain() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    head audit_heads;
BEGIN
    INSERT INTO audit_heads (college_id, seq, hash)
        VALUES (NEW.college_id, 0, '\x'::bytea) ON CONFLICT DO NOTHING;
    SELECT * INTO head FROM audit_heads WHERE college_id = NEW.college_id FOR UPDATE;
    NEW.seq := head.seq + 1;
    NEW.at := clock_timestamp();
    NEW.prev_hash := head.hash;
    NEW.hash := audit_entry_hash(head.hash, NEW);
    UPDATE audit_heads SET seq = NEW.seq, hash = NEW.hash WHERE college_id = NEW.college_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_chain BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_chain();

-- Even the owner cannot change history without first dropping this trigger.
CREATE FUNCTION audit_append_only() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
