//! Migrations apply once, in order, even when several instances start together.

use campus::db::migrate;

use crate::util::TestDb;

#[tokio::test]
async fn instances_starting_together_migrate_once() {
    let db = TestDb::empty().await;
    let owner = db.owner_options();
    // Four instances at once, each on its own connection.
    let (a, b, c, d) = tokio::join!(
        migrate::run(&owner),
        migrate::run(&owner),
        migrate::run(&owner),
        migrate::run(&owner)
    );
    for outcome in [a, b, c, d] {
        outcome.expect("migration");
    }
    let pool = db.app_pool().await;
    assert!(migrate::is_current(&pool).await.expect("status"));
    let applied: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(applied as usize, migrate::MIGRATOR.iter().count());
    // Running again changes nothing.
    migrate::run(&owner).await.expect("second run");
}
