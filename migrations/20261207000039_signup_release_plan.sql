-- The trigger that lets a college's new account replace an unconfirmed self sign-up
-- (0034) ran its DELETE on a plan cached for the whole connection: planned while the
-- users table was still small (a bulk load into a new college), it kept scanning every
-- user for each row inserted, so loading 20,000 students took minutes and then timed
-- out. Planning each call for the table as it is, and a partial index holding only the
-- unconfirmed sign-ups (a handful), make each check a lookup in a tiny index.
CREATE INDEX users_unverified_signup ON users (college_id, email)
    WHERE self_signup AND email_verified_at IS NULL;

ALTER FUNCTION users_release_unverified_signup() SET plan_cache_mode = force_custom_plan;

COMMENT ON INDEX users_unverified_signup IS
    'Unconfirmed self sign-ups, which a college''s own account with the same address replaces (users_release_unverified_signup).';
