-- Hardening after review.
--
-- SECURITY DEFINER functions name pg_temp last in their search path: otherwise a
-- temporary table of the caller's would be found before the real one. The runtime role
-- also loses the right to create temporary tables at all.
ALTER FUNCTION public_colleges() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION platform_tenant() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION platform_college_stats() SET search_path = pg_catalog, public, pg_temp;
ALTER FUNCTION audit_chain() SET search_path = pg_catalog, public, pg_temp;

DO $$
BEGIN
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM campus_app', current_database());
    EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;

-- The application changes one setting of its college's row, nothing else of it.
REVOKE UPDATE ON colleges FROM campus_app;
GRANT UPDATE (mfa_required_for_staff) ON colleges TO campus_app;

-- `campus audit verify` compares the end of each chain with its head, so removing the
-- newest entries (which leaves a chain that is whole but short) is found too.
GRANT SELECT ON audit_heads TO campus_app;
