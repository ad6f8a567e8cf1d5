//! The audit trail: append-only for the runtime role, hash-chained, verifiable, and
//! searchable and exportable by those allowed.

use axum::http::StatusCode;
use campus::audit::verify::{Verdict, verify};
use campus::audit::{self, AuditContext, Entry};
use campus::db::begin_for_college;
use campus::identity::permissions::Role;

use crate::util::fixtures::{self, PASSWORD};
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn the_runtime_role_can_only_append() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    for action in ["test.one", "test.two", "test.three"] {
        audit::record(
            &mut tx,
            &AuditContext::default(),
            Entry::new(action).after(serde_json::json!({"password": "hunter2", "n": 1})),
        )
        .await
        .expect("record");
    }
    tx.commit().await.expect("commit");

    for statement in [
        "UPDATE audit_log SET action = 'test.forged'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
    ] {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        let error = sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&mut *tx)
            .await
            .expect_err(statement);
        assert_eq!(
            error.as_database_error().and_then(|e| e.code()).as_deref(),
            Some("42501"),
            "{statement}: {error}"
        );
    }
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let after: serde_json::Value = sqlx::query_scalar("SELECT after FROM audit_log WHERE seq = 1")
        .fetch_one(&mut *tx)
        .await
        .expect("entry");
    assert_eq!(after["password"], "***", "a secret reached the trail");
    assert_eq!(
        verify(&mut tx).await.expect("verify"),
        Verdict::Intact { entries: 3 }
    );
}

#[tokio::test]
async fn verification_names_the_first_tampered_entry() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    for action in ["test.one", "test.two", "test.three", "test.four"] {
        audit::record(&mut tx, &AuditContext::default(), Entry::new(action))
            .await
            .expect("record");
    }
    tx.commit().await.expect("commit");

    // Someone with the owner's rights switches the guard off and rewrites entry 2.
    let owner = app.db.owner_pool().await;
    let mut tx = begin_for_college(&owner, college).await.expect("tx");
    sqlx::raw_sql(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_append_only; \
         UPDATE audit_log SET action = 'test.innocent' WHERE seq = 2; \
         ALTER TABLE audit_log ENABLE TRIGGER audit_append_only;",
    )
    .execute(&mut *tx)
    .await
    .expect("tamper");
    tx.commit().await.expect("commit");

    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    assert_eq!(
        verify(&mut tx).await.expect("verify"),
        Verdict::Broken {
            seq: 2,
            reason: "its fields were changed after it was written"
        }
    );
    tx.commit().await.expect("commit");

    // Deleting an entry is found too.
    let mut tx = begin_for_college(&owner, college).await.expect("tx");
    sqlx::raw_sql(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_append_only; \
         DELETE FROM audit_log WHERE seq IN (1, 2); \
         ALTER TABLE audit_log ENABLE TRIGGER audit_append_only;",
    )
    .execute(&mut *tx)
    .await
    .expect("delete");
    tx.commit().await.expect("commit");
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    assert_eq!(
        verify(&mut tx).await.expect("verify"),
        Verdict::Broken {
            seq: 1,
            reason: "missing entry"
        }
    );
}

#[tokio::test]
async fn admins_search_and_export_the_trail() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let mut browser = Browser::new(&app);
    browser
        .sign_in("alpha", "nobody@alpha.edu", "whatever whatever")
        .await;
    browser.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;

    let all = browser.get("/admin/audit").await;
    assert_eq!(all.status, StatusCode::OK);
    assert!(all.html.contains("auth.login_failed") && all.html.contains("auth.login<"));

    let failed = browser.get("/admin/audit?action=auth.login_failed").await;
    assert!(failed.html.contains("nobody@alpha.edu"));
    assert!(!failed.html.contains("<code>auth.login</code>"));

    let bad = browser.get("/admin/audit?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    let csv = browser.get("/admin/audit.csv?action=auth.").await;
    assert_eq!(csv.status, StatusCode::OK);
    let lines: Vec<&str> = csv.html.lines().collect();
    assert!(lines[0].starts_with("seq,at,actor"));
    assert_eq!(lines.len(), 3, "{}", csv.html);
}

#[tokio::test]
async fn removing_the_newest_entries_is_found() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    for action in ["test.one", "test.two", "test.three"] {
        audit::record(&mut tx, &AuditContext::default(), Entry::new(action))
            .await
            .expect("record");
    }
    tx.commit().await.expect("commit");
    let owner = app.db.owner_pool().await;
    let mut tx = begin_for_college(&owner, college).await.expect("tx");
    sqlx::raw_sql(
        "ALTER TABLE audit_log DISABLE TRIGGER audit_append_only; \
         DELETE FROM audit_log WHERE seq = 3; \
         ALTER TABLE audit_log ENABLE TRIGGER audit_append_only;",
    )
    .execute(&mut *tx)
    .await
    .expect("delete");
    tx.commit().await.expect("commit");
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    assert!(matches!(
        verify(&mut tx).await.expect("verify"),
        Verdict::Broken { seq: 3, .. }
    ));
}
