-- Tenancy: one database, one schema, many colleges.
--
-- Conventions (see migrations/README.md):
--   * every tenant-owned table has `college_id` leading its primary key, and every foreign
--     key between tenant tables includes `college_id`, so a row can never point into
--     another college;
--   * `campus_tenant_table()` turns row-level security on (forced, so even the owner is
--     subject to it) with one policy: a row is visible and writable only while the
--     transaction's `app.college_id` names its college;
--   * the runtime role `campus_app` neither owns tables nor bypasses RLS; it gets only the
--     privileges granted here, table by table.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'campus_app') THEN
        RAISE EXCEPTION 'the runtime role campus_app does not exist: create it first '
            '(CREATE ROLE campus_app LOGIN NOSUPERUSER NOBYPASSRLS; see docs/OPERATIONS.md)';
    END IF;
END
$$;

CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The college the current transaction acts for, or NULL when none is set: with NULL no
-- tenant row matches any policy, so forgetting to set it shows nothing rather than all.
CREATE FUNCTION app_current_college() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.college_id', true), '')::uuid $$;

-- Enables and forces RLS on a tenant table, adds the isolation policy, and grants the
-- runtime role the usual privileges. Every tenant table goes through it.
CREATE FUNCTION campus_tenant_table(target regclass) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
    EXECUTE format(
        'CREATE POLICY tenant_isolation ON %s USING (college_id = app_current_college()) '
        'WITH CHECK (college_id = app_current_college())', target);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO campus_app', target);
END
$$;

-- The tenant itself. Its RLS is enabled but not forced: the owner-defined directory
-- function below reads it across colleges, and exposes only public fields.
CREATE TABLE colleges (
    id uuid PRIMARY KEY,
    slug text NOT NULL UNIQUE
        CONSTRAINT colleges_slug_format CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$'),
    name text NOT NULL CONSTRAINT colleges_name_length CHECK (length(btrim(name)) BETWEEN 2 AND 200),
    short_name text CHECK (length(short_name) <= 40),
    tagline text CHECK (length(tagline) <= 300),
    timezone text NOT NULL DEFAULT 'UTC',
    email citext CHECK (length(email) <= 254),
    phone text CHECK (length(phone) <= 40),
    website text CHECK (length(website) <= 300),
    address text CHECK (length(address) <= 500),
    status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    created_at timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE colleges ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON colleges
    USING (id = app_current_college()) WITH CHECK (id = app_current_college());
GRANT SELECT, INSERT, UPDATE ON colleges TO campus_app;

-- The public list of colleges (for the directory page and for resolving a college from
-- its URL before any tenant is set). Public fields of active colleges only.
CREATE FUNCTION public_colleges()
    RETURNS TABLE (id uuid, slug text, name text, short_name text, tagline text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, public
    AS $$
        SELECT id, slug, name, short_name, tagline FROM colleges
        WHERE status = 'active' ORDER BY name
    $$;
REVOKE ALL ON FUNCTION public_colleges() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public_colleges() TO campus_app;

-- /readyz compares the applied migrations with the binary's.
GRANT SELECT ON _sqlx_migrations TO campus_app;
