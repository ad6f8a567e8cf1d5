-- The audit chain is sealed after commit instead of inside every writing transaction.
--
-- Until now each entry took its college's chain head with a row lock and held it until
-- its transaction committed (and flushed): every change in a college waited for the one
-- before it, so a registration rush ran one enrolment per disk flush. Now an entry is
-- written unsealed (no lock, no hash), numbered by an identity column, and a sealer
-- (every server and worker runs one; see audit/sealer.rs) chains the committed entries
-- of each college in order of that number, seconds later: sequence number, link to the
-- previous hash, own hash, exactly as before. Verification seals what is waiting first.
-- Entries stay insert-only for the runtime role; the one update allowed to anyone is
-- sealing an unsealed entry, which touches the three chain fields and nothing else.

ALTER TABLE audit_log ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY;
ALTER TABLE audit_log DROP CONSTRAINT audit_log_pkey;
ALTER TABLE audit_log ADD PRIMARY KEY (college_id, id);
ALTER TABLE audit_log ALTER COLUMN seq DROP NOT NULL,
                      ALTER COLUMN prev_hash DROP NOT NULL,
                      ALTER COLUMN hash DROP NOT NULL;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_seq_unique UNIQUE (college_id, seq),
    ADD CONSTRAINT audit_log_sealed_whole
        CHECK ((seq IS NULL) = (hash IS NULL) AND (hash IS NULL) = (prev_hash IS NULL));
CREATE INDEX audit_log_pending ON audit_log (college_id, id) WHERE hash IS NULL;
DROP INDEX audit_log_actor;
DROP INDEX audit_log_action;
CREATE INDEX audit_log_actor ON audit_log (college_id, actor_user_id, id);
CREATE INDEX audit_log_action ON audit_log (college_id, action, id);

DROP TRIGGER audit_chain ON audit_log;
DROP FUNCTION audit_chain();

-- An entry arrives unsealed, stamped with the time it was written.
CREATE FUNCTION audit_stamp() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    NEW.at := clock_timestamp();
    NEW.seq := NULL;
    NEW.prev_hash := NULL;
    NEW.hash := NULL;
    RETURN NEW;
END
$$;
CREATE TRIGGER audit_stamp BEFORE INSERT ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_stamp();

-- Rows are never deleted; an update only seals an unsealed entry.
CREATE FUNCTION audit_guard() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.hash IS NULL AND NEW.hash IS NOT NULL
       AND (OLD.college_id, OLD.id, OLD.at, OLD.actor_user_id, OLD.actor_role, OLD.action,
            OLD.object_type, OLD.object_id, OLD.before, OLD.after, OLD.ip, OLD.user_agent,
            OLD.request_id)
           IS NOT DISTINCT FROM
           (NEW.college_id, NEW.id, NEW.at, NEW.actor_user_id, NEW.actor_role, NEW.action,
            NEW.object_type, NEW.object_id, NEW.before, NEW.after, NEW.ip, NEW.user_agent,
            NEW.request_id)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER audit_append_only ON audit_log;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_guard();

-- Seals up to `batch` committed entries of the transaction's college, in order; returns
-- how many. Another sealer already at work on the college makes this one return 0.
CREATE FUNCTION audit_seal(batch integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$
DECLARE
    college uuid := app_current_college();
    head audit_heads;
    entry audit_log;
    sealed integer := 0;
BEGIN
    IF college IS NULL THEN
        RETURN 0;
    END IF;
    INSERT INTO audit_heads (college_id, seq, hash)
        VALUES (college, 0, '\x'::bytea) ON CONFLICT DO NOTHING;
    SELECT * INTO head FROM audit_heads WHERE college_id = college FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    FOR entry IN
        SELECT * FROM audit_log WHERE college_id = college AND hash IS NULL
        ORDER BY id LIMIT batch
    LOOP
        entry.seq := head.seq + 1;
        entry.prev_hash := head.hash;
        entry.hash := audit_entry_hash(head.hash, entry);
        UPDATE audit_log SET seq = entry.seq, prev_hash = entry.prev_hash, hash = entry.hash
            WHERE college_id = college AND id = entry.id;
        head.seq := entry.seq;
        head.hash := entry.hash;
        sealed := sealed + 1;
    END LOOP;
    IF sealed > 0 THEN
        UPDATE audit_heads SET seq = head.seq, hash = head.hash WHERE college_id = college;
    END IF;
    RETURN sealed;
END
$$;
REVOKE ALL ON FUNCTION audit_seal(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_seal(integer) TO campus_app;

-- The colleges with entries waiting, for the sealer. Row-level security hides other
-- colleges' rows even from the owner, so the owner (only) may see unsealed entries of
-- all of them; the function hands out nothing but the colleges' ids.
DO $$
BEGIN
    EXECUTE format('CREATE POLICY sealer_finds_pending ON audit_log FOR SELECT TO %I '
                   'USING (hash IS NULL)', current_user);
END
$$;
CREATE FUNCTION audit_pending_colleges() RETURNS SETOF uuid
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public, pg_temp
    AS $$ SELECT DISTINCT college_id FROM audit_log WHERE hash IS NULL $$;
REVOKE ALL ON FUNCTION audit_pending_colleges() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_pending_colleges() TO campus_app;

-- Everything written before this migration is sealed already.
