//! Tenancy is enforced by the database itself: the runtime role sees and writes only the
//! rows of the college its transaction names, cannot point a row into another college,
//! and cannot switch row-level security off.

use campus::db::{CollegeId, begin_for_college};
use campus::institution::model::NewCollege;
use campus::institution::queries::insert_college;
use sqlx::PgPool;
use uuid::Uuid;

use crate::util::TestDb;

async fn college(pool: &PgPool, slug: &str) -> CollegeId {
    let id = CollegeId(Uuid::new_v4());
    let mut tx = begin_for_college(pool, id).await.expect("tx");
    let new = NewCollege::parse(slug, &format!("College {slug}")).expect("valid");
    insert_college(&mut tx, id, &new).await.expect("college");
    sqlx::query(
        "INSERT INTO users (college_id, email, display_name) \
         VALUES (app_current_college(), $1, 'Someone')",
    )
    .bind(format!("someone@{slug}.edu"))
    .execute(&mut *tx)
    .await
    .expect("user");
    sqlx::raw_sql(
        "INSERT INTO campuses (college_id, code, name) VALUES (app_current_college(), 'MAIN', 'Main'); \
         INSERT INTO buildings (college_id, campus_id, code, name) \
           SELECT college_id, id, 'B1', 'Block One' FROM campuses",
    )
    .execute(&mut *tx)
    .await
    .expect("campus and building");
    tx.commit().await.expect("commit");
    id
}

fn sql_state(error: &sqlx::Error) -> String {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .map(|c| c.to_string())
        .unwrap_or_else(|| format!("not a database error: {error}"))
}

#[tokio::test]
async fn without_a_college_no_tenant_row_is_visible() {
    let db = TestDb::new().await;
    let pool = db.app_pool().await;
    college(&pool, "alpha").await;
    college(&pool, "beta").await;

    for table in ["colleges", "users", "campuses", "buildings"] {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT count(*) FROM {table}")))
                .fetch_one(&pool)
                .await
                .expect("count");
        assert_eq!(count, 0, "{table} leaked rows with no college set");
    }
    // The owner is subject to the same policies (FORCE ROW LEVEL SECURITY).
    let owner = db.owner_pool().await;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&owner)
        .await
        .expect("count");
    assert_eq!(count, 0, "the owner saw tenant rows with no college set");
}

#[tokio::test]
async fn a_college_sees_only_its_own_rows() {
    let db = TestDb::new().await;
    let pool = db.app_pool().await;
    let alpha = college(&pool, "alpha").await;
    college(&pool, "beta").await;

    let mut tx = begin_for_college(&pool, alpha).await.expect("tx");
    let emails: Vec<String> = sqlx::query_scalar("SELECT email::text FROM users")
        .fetch_all(&mut *tx)
        .await
        .expect("users");
    assert_eq!(emails, ["someone@alpha.edu"]);
    let colleges: Vec<String> = sqlx::query_scalar("SELECT slug FROM colleges")
        .fetch_all(&mut *tx)
        .await
        .expect("colleges");
    assert_eq!(colleges, ["alpha"]);
    // An update aimed at every row touches only this college's.
    let touched = sqlx::query("UPDATE users SET display_name = 'Renamed'")
        .execute(&mut *tx)
        .await
        .expect("update");
    assert_eq!(touched.rows_affected(), 1);
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn a_row_of_one_college_cannot_reference_or_become_another_colleges() {
    let db = TestDb::new().await;
    let pool = db.app_pool().await;
    let alpha = college(&pool, "alpha").await;
    let beta = college(&pool, "beta").await;

    let beta_building: Uuid = {
        let mut tx = begin_for_college(&pool, beta).await.expect("tx");
        let id = sqlx::query_scalar("SELECT id FROM buildings")
            .fetch_one(&mut *tx)
            .await
            .expect("building");
        tx.commit().await.expect("commit");
        id
    };

    // A department of alpha pointing at beta's building: the composite foreign key has
    // nothing to match, because alpha has no building with that id.
    let mut tx = begin_for_college(&pool, alpha).await.expect("tx");
    let error = sqlx::query(
        "INSERT INTO departments (college_id, code, name, building_id) \
         VALUES (app_current_college(), 'CSE', 'Computing', $1)",
    )
    .bind(beta_building)
    .execute(&mut *tx)
    .await
    .expect_err("cross-college reference accepted");
    assert_eq!(sql_state(&error), "23503", "{error}");
    tx.rollback().await.expect("rollback");

    // Writing a row for beta while acting for alpha is refused by the policy.
    let mut tx = begin_for_college(&pool, alpha).await.expect("tx");
    let error = sqlx::query(
        "INSERT INTO users (college_id, email, display_name) VALUES ($1, 'x@beta.edu', 'X')",
    )
    .bind(beta)
    .execute(&mut *tx)
    .await
    .expect_err("row for another college accepted");
    assert_eq!(sql_state(&error), "42501", "{error}");
    tx.rollback().await.expect("rollback");

    // Moving a row into another college is refused too.
    let mut tx = begin_for_college(&pool, alpha).await.expect("tx");
    let error = sqlx::query("UPDATE users SET college_id = $1")
        .bind(beta)
        .execute(&mut *tx)
        .await
        .expect_err("row moved to another college");
    assert_eq!(sql_state(&error), "42501", "{error}");
    tx.rollback().await.expect("rollback");

    // Nothing of the refused writes remains.
    let mut tx = begin_for_college(&pool, beta).await.expect("tx");
    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    assert_eq!(users, 1);
}

#[tokio::test]
async fn the_runtime_role_cannot_switch_row_level_security_off() {
    let db = TestDb::new().await;
    let pool = db.app_pool().await;
    college(&pool, "alpha").await;

    for statement in [
        "ALTER TABLE users DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE users NO FORCE ROW LEVEL SECURITY",
        "DROP POLICY tenant_isolation ON users",
        "CREATE POLICY everything ON users USING (true)",
        "SET ROLE campus_owner",
        "SET SESSION AUTHORIZATION campus_owner",
        "SET SESSION AUTHORIZATION postgres",
        "ALTER ROLE campus_app BYPASSRLS",
        // No temporary tables: one could shadow a table inside a SECURITY DEFINER function.
        "CREATE TEMP TABLE colleges (id uuid)",
        // Only one setting of the college row is the application's to change.
        "UPDATE colleges SET kind = 'platform'",
    ] {
        let error = sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&pool)
            .await
            .expect_err(statement);
        assert_eq!(sql_state(&error), "42501", "{statement}: {error}");
    }

    // With row_security off, PostgreSQL refuses a query that policies would filter
    // rather than showing everything.
    let mut conn = pool.acquire().await.expect("conn");
    sqlx::query("SET row_security = off")
        .execute(&mut *conn)
        .await
        .expect("set");
    let error = sqlx::query("SELECT count(*) FROM users")
        .fetch_one(&mut *conn)
        .await
        .expect_err("row_security = off bypassed the policies");
    assert_eq!(sql_state(&error), "42501", "{error}");
}

#[tokio::test]
async fn the_runtime_role_is_unprivileged() {
    let db = TestDb::new().await;
    let pool = db.app_pool().await;
    let (superuser, bypass, createrole, owned): (bool, bool, bool, i64) = sqlx::query_as(
        "SELECT rolsuper, rolbypassrls, rolcreaterole, \
            (SELECT count(*) FROM pg_class c WHERE c.relowner = r.oid) \
         FROM pg_roles r WHERE rolname = current_user",
    )
    .fetch_one(&pool)
    .await
    .expect("role");
    assert!(!superuser && !bypass && !createrole);
    assert_eq!(owned, 0, "the runtime role owns relations");
}

/// Walks the schema: every table with a `college_id` has forced RLS and a policy, has
/// `college_id` leading a key, and every foreign key to another tenant table includes it.
#[tokio::test]
async fn every_tenant_table_follows_the_tenancy_rules() {
    let db = TestDb::new().await;
    let pool = db.owner_pool().await;
    let tables: Vec<(String, bool, bool, i64, bool)> = sqlx::query_as(
        "SELECT c.relname::text, c.relrowsecurity, c.relforcerowsecurity, \
            (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid), \
            EXISTS (SELECT 1 FROM pg_index i JOIN pg_attribute a \
                      ON a.attrelid = c.oid AND a.attnum = i.indkey[0] \
                    WHERE i.indrelid = c.oid AND (i.indisprimary OR i.indisunique) \
                      AND a.attname = 'college_id') \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = 'public' AND c.relkind = 'r' \
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid \
                       AND a.attname = 'college_id' AND NOT a.attisdropped) \
         ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .expect("tables");
    assert!(
        tables.len() >= 12,
        "found only {} tenant tables",
        tables.len()
    );
    for (table, rls, forced, policies, keyed) in &tables {
        assert!(
            *rls && *forced,
            "{table}: row-level security not enabled and forced"
        );
        assert!(*policies >= 1, "{table}: no policy");
        assert!(
            *keyed,
            "{table}: college_id does not lead a primary or unique key"
        );
    }

    let loose: Vec<(String, String)> = sqlx::query_as(
        "SELECT con.conrelid::regclass::text, con.conname::text \
         FROM pg_constraint con \
         WHERE con.contype = 'f' \
           AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.confrelid \
                       AND a.attname = 'college_id') \
           AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = con.conrelid \
                       AND a.attname = 'college_id' AND a.attnum = ANY (con.conkey))",
    )
    .fetch_all(&pool)
    .await
    .expect("foreign keys");
    assert!(
        loose.is_empty(),
        "foreign keys without college_id: {loose:?}"
    );

    let colleges_rls: bool =
        sqlx::query_scalar("SELECT relrowsecurity FROM pg_class WHERE relname = 'colleges'")
            .fetch_one(&pool)
            .await
            .expect("colleges");
    assert!(colleges_rls, "colleges has no row-level security");
}
