//! The audit trail: append-only for the runtime role, hash-chained, verifiable, and
//! searchable and exportable by those allowed.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::audit::sealer;
use campus::audit::verify::{Verdict, verify};
use campus::audit::{self, AuditContext, Entry};
use campus::db::begin_for_college;

use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
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
    assert_eq!(sealer::seal(&mut tx).await.expect("seal"), 3);
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
    sealer::seal(&mut tx).await.expect("seal");
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
    // The Action column, in words (the code stays in an attribute).
    let action = "table tbody td:nth-child(4) [data-action]";
    let doc = Doc::parse(&all.html);
    let actions = doc.texts(action);
    assert!(
        actions.iter().any(|a| a == "Sign-in refused") && actions.iter().any(|a| a == "Signed in"),
        "{actions:?}"
    );
    assert!(
        doc.has("table tbody td [data-action='auth.login_failed']"),
        "the code is kept"
    );
    assert!(
        !doc.texts("table thead th")
            .iter()
            .any(|h| h.contains("UTC")),
        "times are in the college's zone"
    );

    let failed = browser.get("/admin/audit?action=auth.login_failed").await;
    let doc = Doc::parse(&failed.html);
    doc.expect_text("table tbody td:nth-child(6) li", "email: nobody@alpha.edu");
    assert!(!doc.texts(action).iter().any(|a| a == "Signed in"));

    // A filter that does not parse comes back with its field named and kept.
    let bad = browser.get("/admin/audit?from=yesterday").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&bad.html);
    doc.expect_text("#from-error", "must be a date");
    assert_eq!(
        doc.attr("input#from", "value").as_deref(),
        Some("yesterday")
    );

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
    sealer::seal(&mut tx).await.expect("seal");
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

#[tokio::test]
async fn writers_do_not_wait_for_each_other_and_the_sealer_chains_them_in_order() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    // One transaction writes an entry and stays open...
    let mut first = begin_for_college(&app.pool, college).await.expect("tx");
    audit::record(
        &mut first,
        &AuditContext::default(),
        Entry::new("test.first"),
    )
    .await
    .expect("record");
    // ...and another writes and commits meanwhile, without waiting for it.
    let second = async {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        audit::record(&mut tx, &AuditContext::default(), Entry::new("test.second"))
            .await
            .expect("record");
        tx.commit().await.expect("commit");
    };
    tokio::time::timeout(std::time::Duration::from_secs(5), second)
        .await
        .expect("the second writer waited for the first");

    // Only what has committed is sealed; the rest waits for its commit.
    assert_eq!(sealer::seal_pending(&app.pool).await.expect("seal"), 1);
    first.commit().await.expect("commit");
    assert_eq!(sealer::seal_pending(&app.pool).await.expect("seal"), 1);
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let chain: Vec<(i64, String)> =
        sqlx::query_as("SELECT seq, action FROM audit_log ORDER BY seq")
            .fetch_all(&mut *tx)
            .await
            .expect("chain");
    assert_eq!(
        chain,
        vec![
            (1, "test.second".to_string()),
            (2, "test.first".to_string())
        ]
    );
    assert_eq!(
        verify(&mut tx).await.expect("verify"),
        Verdict::Intact { entries: 2 }
    );
    tx.commit().await.expect("commit");

    // A sealed entry cannot be sealed again, not even by the owner.
    let owner = app.db.owner_pool().await;
    let mut tx = begin_for_college(&owner, college).await.expect("tx");
    let error = sqlx::query("UPDATE audit_log SET hash = sha256('x'::bytea) WHERE seq = 1")
        .execute(&mut *tx)
        .await
        .expect_err("resealed");
    assert_eq!(
        error.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("42501")
    );
}

#[tokio::test]
async fn an_unsealed_entry_can_be_sealed_only_as_it_is() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    audit::record(&mut tx, &AuditContext::default(), Entry::new("test.one"))
        .await
        .expect("record");
    tx.commit().await.expect("commit");
    // Even the owner, sealing by hand, cannot change what the entry says while at it.
    let owner = app.db.owner_pool().await;
    let mut tx = begin_for_college(&owner, college).await.expect("tx");
    let error = sqlx::query(
        "UPDATE audit_log SET action = 'test.other', seq = 1, prev_hash = '\\x', \
             hash = sha256('x'::bytea)",
    )
    .execute(&mut *tx)
    .await
    .expect_err("changed while sealing");
    assert_eq!(
        error.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("42501")
    );
    tx.rollback().await.expect("rollback");
    // A forged seal with the right fields but a made-up hash is found by verification.
    let mut tx = begin_for_college(&owner, college).await.expect("tx");
    sqlx::query("UPDATE audit_log SET seq = 1, prev_hash = '\\x', hash = sha256('x'::bytea)")
        .execute(&mut *tx)
        .await
        .expect("seal by hand");
    sqlx::query("UPDATE audit_heads SET seq = 1, hash = sha256('x'::bytea)")
        .execute(&mut *tx)
        .await
        .ok();
    tx.commit().await.expect("commit");
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    assert!(matches!(
        verify(&mut tx).await.expect("verify"),
        Verdict::Broken { seq: 1, .. }
    ));
}
