-- Servers remember who a session or access token belongs to (identity/principal_cache.rs).
-- Every change that could alter what a remembered user may do is announced at commit on
-- the `campus_auth` channel, and every server forgets it: 'u:<user id>' for one account,
-- 'c:<college id>' for a whole college. Updates that change nothing relevant (a session
-- seen again, a sign-in time) announce nothing.

CREATE FUNCTION campus_auth_user_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF TG_TABLE_NAME = 'users' THEN
        PERFORM pg_notify('campus_auth', 'u:' || OLD.id);
    ELSE
        PERFORM pg_notify('campus_auth', 'u:' || OLD.user_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER campus_auth_changed AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at)
    EXECUTE FUNCTION campus_auth_user_changed();
CREATE TRIGGER campus_auth_removed AFTER DELETE ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL)
    EXECUTE FUNCTION campus_auth_user_changed();
CREATE TRIGGER campus_auth_changed AFTER UPDATE OF revoked_at, expires_at ON refresh_tokens
    FOR EACH ROW WHEN (OLD.revoked_at IS DISTINCT FROM NEW.revoked_at
                       OR OLD.expires_at IS DISTINCT FROM NEW.expires_at)
    EXECUTE FUNCTION campus_auth_user_changed();
CREATE TRIGGER campus_auth_removed AFTER DELETE ON refresh_tokens
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL)
    EXECUTE FUNCTION campus_auth_user_changed();
CREATE TRIGGER campus_auth_changed AFTER UPDATE ON users
    FOR EACH ROW WHEN ((OLD.status, OLD.email, OLD.display_name, OLD.totp_enabled_at)
                       IS DISTINCT FROM (NEW.status, NEW.email, NEW.display_name, NEW.totp_enabled_at))
    EXECUTE FUNCTION campus_auth_user_changed();
CREATE TRIGGER campus_auth_removed AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION campus_auth_user_changed();

-- Role assignments change in bulk (a CSV import makes thousands): one statement announces
-- each account it touched, or the whole college when it touched many.
CREATE FUNCTION campus_auth_roles_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF (SELECT count(DISTINCT user_id) FROM changed) > 100 THEN
        PERFORM pg_notify('campus_auth', 'c:' || college_id) FROM (SELECT DISTINCT college_id FROM changed) c;
    ELSE
        PERFORM pg_notify('campus_auth', 'u:' || user_id) FROM (SELECT DISTINCT user_id FROM changed) u;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER campus_auth_added AFTER INSERT ON role_assignments
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION campus_auth_roles_changed();
CREATE TRIGGER campus_auth_changed AFTER UPDATE ON role_assignments
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION campus_auth_roles_changed();
CREATE TRIGGER campus_auth_removed AFTER DELETE ON role_assignments
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION campus_auth_roles_changed();

CREATE FUNCTION campus_auth_college_changed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, public, pg_temp
    AS $$
BEGIN
    IF TG_TABLE_NAME = 'colleges' THEN
        PERFORM pg_notify('campus_auth', 'c:' || OLD.id);
    ELSE
        PERFORM pg_notify('campus_auth', 'c:' || OLD.college_id);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER campus_auth_changed AFTER UPDATE OR DELETE ON custom_roles
    FOR EACH ROW EXECUTE FUNCTION campus_auth_college_changed();
CREATE TRIGGER campus_auth_changed AFTER UPDATE ON colleges
    FOR EACH ROW WHEN ((OLD.status, OLD.slug, OLD.name, OLD.kind, OLD.mfa_required_for_staff,
                        OLD.guidance_admin_access)
                       IS DISTINCT FROM (NEW.status, NEW.slug, NEW.name, NEW.kind,
                                         NEW.mfa_required_for_staff, NEW.guidance_admin_access))
    EXECUTE FUNCTION campus_auth_college_changed();
