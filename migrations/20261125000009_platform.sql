-- The platform: the people who run a Campus installation (create colleges, watch its
-- health) are accounts of one reserved tenant of kind 'platform'. They sign in like
-- everyone else, with a second factor, and row-level security keeps them out of the
-- colleges' data like anyone else; the few platform-wide views go through the
-- owner-defined functions below, which return figures, never rows.

ALTER TABLE colleges ADD COLUMN kind text NOT NULL DEFAULT 'college'
    CHECK (kind IN ('college', 'platform'));
CREATE UNIQUE INDEX colleges_one_platform ON colleges (kind) WHERE kind = 'platform';

CREATE OR REPLACE FUNCTION public_colleges()
    RETURNS TABLE (id uuid, slug text, name text, short_name text, tagline text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
        SELECT id, slug, name, short_name, tagline FROM colleges
        WHERE status = 'active' AND kind = 'college' ORDER BY name
    $$;

-- The platform tenant, found by the sign-in page before any tenant is set.
CREATE FUNCTION platform_tenant()
    RETURNS TABLE (id uuid, slug text, name text, short_name text, tagline text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
        SELECT id, slug, name, short_name, tagline FROM colleges WHERE kind = 'platform'
    $$;
REVOKE ALL ON FUNCTION platform_tenant() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_tenant() TO campus_app;

-- Figures per college for the platform's operators. It visits each college the way a
-- request does (setting app.college_id), so row-level security still decides what is
-- counted, and restores the caller's setting afterwards. Only callers acting for the
-- platform tenant get rows.
CREATE FUNCTION platform_college_stats()
    RETURNS TABLE (id uuid, slug text, name text, status text, created_at timestamptz,
                   users bigint, students bigint, live_sessions bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
DECLARE
    caller text := current_setting('app.college_id', true);
    c record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM colleges x WHERE x.kind = 'platform' AND x.id::text = caller) THEN
        RETURN;
    END IF;
    FOR c IN SELECT * FROM colleges x WHERE x.kind = 'college' ORDER BY x.name LOOP
        PERFORM set_config('app.college_id', c.id::text, true);
        id := c.id; slug := c.slug; name := c.name; status := c.status; created_at := c.created_at;
        SELECT count(*) INTO users FROM users;
        SELECT count(*) INTO students FROM students;
        SELECT count(*) INTO live_sessions FROM sessions s
            WHERE s.revoked_at IS NULL AND s.expires_at > now();
        RETURN NEXT;
    END LOOP;
    PERFORM set_config('app.college_id', caller, true);
END
$$;
REVOKE ALL ON FUNCTION platform_college_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_college_stats() TO campus_app;
