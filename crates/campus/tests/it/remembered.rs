//! What the server remembers between requests (issue 16) is never served stale: a change
//! made straight in SQL is seen by the next request. The students list keeps each
//! college's order of students, checked against the database's version in the page's
//! own statement; the sign-in page keeps the directory of colleges and their sign-on
//! labels, forgotten on the database's notifications (the harness waits for those to
//! arrive before each request, as a server hears them milliseconds after a commit).

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::{CollegeId, begin_for_college};

use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::world;
use crate::util::{Browser, TestApp};

async fn sql(app: &TestApp, college: CollegeId, statement: &str) {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string()))
        .execute(&mut *tx)
        .await
        .expect(statement);
    tx.commit().await.expect("commit");
}

fn names(html: &str) -> Vec<String> {
    Doc::parse(html).texts("table#students tbody td[data-label=Name]")
}

/// The count the list's summary gives ("Showing 1–25 of 40": 40).
fn total(html: &str) -> u32 {
    let summary = Doc::parse(html).text(".list-summary");
    summary
        .split(" of ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count in {summary:?}"))
}

#[tokio::test]
async fn the_students_list_sees_a_change_in_sql_on_the_next_request() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    sql(
        &app,
        w.college,
        "INSERT INTO students (college_id, student_number, first_name, last_name, program_id, admitted_on) \
         SELECT app_current_college(), 'R' || lpad(n::text, 3, '0'), 'Ada', 'Name' || lpad(n::text, 2, '0'), p.id, current_date \
         FROM programs p, generate_series(1, 30) AS n",
    )
    .await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let mut registrar = Browser::new(&app);
    registrar.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;

    // Twice: the second page is served from the remembered order.
    let first = registrar.get("/students?page=2").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.html);
    let count = total(&first.html);
    assert_eq!(registrar.get("/students?page=2").await.html, first.html);

    // A rename moves a student to the front.
    sql(
        &app,
        w.college,
        "UPDATE students SET last_name = 'Aaronson' WHERE student_number = 'R030'",
    )
    .await;
    let page = registrar.get("/students").await;
    assert_eq!(
        names(&page.html).first().map(String::as_str),
        Some("Ada Aaronson")
    );
    assert_eq!(total(&page.html), count);

    // A new student is counted and placed; a deleted one is gone.
    sql(
        &app,
        w.college,
        "INSERT INTO students (college_id, student_number, first_name, last_name, program_id, admitted_on) \
         SELECT app_current_college(), 'R999', 'Ada', 'Aardvark', id, current_date FROM programs",
    )
    .await;
    let page = registrar.get("/students").await;
    assert_eq!(
        names(&page.html)[..2],
        ["Ada Aardvark".to_string(), "Ada Aaronson".to_string()]
    );
    assert_eq!(total(&page.html), count + 1);
    sql(
        &app,
        w.college,
        "DELETE FROM students WHERE student_number = 'R999'",
    )
    .await;
    let page = registrar.get("/students").await;
    assert_eq!(
        names(&page.html).first().map(String::as_str),
        Some("Ada Aaronson")
    );
    assert_eq!(total(&page.html), count);

    // A status filter sees a status changed in SQL; a program filter a program's new code.
    sql(
        &app,
        w.college,
        "UPDATE students SET status = 'graduated' WHERE student_number = 'R007'",
    )
    .await;
    let page = registrar.get("/students?status=graduated").await;
    assert_eq!(names(&page.html), ["Ada Name07"]);
    let page = registrar.get("/students?program=NEWCODE").await;
    assert!(names(&page.html).is_empty());
    sql(&app, w.college, "UPDATE programs SET code = 'NEWCODE'").await;
    let page = registrar
        .get("/students?program=newcode&status=graduated")
        .await;
    assert_eq!(names(&page.html), ["Ada Name07"], "{}", page.html);
    assert!(
        page.html.contains("NEWCODE"),
        "the program filter offers the new code"
    );

    // Another college's students never appear in this college's list.
    let beta = fixtures::college(&app.pool, "beta").await;
    sql(
        &app,
        beta,
        "INSERT INTO departments (college_id, code, name) VALUES (app_current_college(), 'XD', 'Other department'); \
         INSERT INTO programs (college_id, department_id, code, name, level, duration_years) \
           SELECT app_current_college(), id, 'NEWCODE', 'Other', 'undergraduate', 3 FROM departments; \
         INSERT INTO students (college_id, student_number, first_name, last_name, program_id, admitted_on) \
           SELECT app_current_college(), 'B0001', 'Bea', 'Aaaa', id, current_date FROM programs",
    )
    .await;
    let page = registrar.get("/students?program=NEWCODE").await;
    assert!(!page.html.contains("Bea Aaaa"));
    let page = registrar.get("/students").await;
    assert_eq!(
        names(&page.html).first().map(String::as_str),
        Some("Ada Aaronson")
    );
}

#[tokio::test]
async fn the_sign_in_page_sees_colleges_and_sign_on_changed_in_sql() {
    let app = TestApp::new().await;
    let alpha = fixtures::college(&app.pool, "alpha").await;
    let mut visitor = Browser::new(&app);
    let page = visitor.get("/login").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.html.contains("College alpha"));
    // Remembered now; a new college and a renamed one show on the next visit.
    fixtures::college(&app.pool, "beta").await;
    let page = visitor.get("/login").await;
    assert!(page.html.contains("College beta"), "{}", page.html);
    // As the operator does it (the runtime role may not rename a college).
    let owner = app.db.owner_pool().await;
    sqlx::query("UPDATE colleges SET name = 'Alpha University' WHERE slug = 'alpha'")
        .execute(&owner)
        .await
        .expect("rename");
    let page = visitor.get("/login").await;
    assert!(page.html.contains("Alpha University"));
    assert_eq!(visitor.get("/c/beta/login").await.status, StatusCode::OK);
    sqlx::query("UPDATE colleges SET status = 'suspended' WHERE slug = 'beta'")
        .execute(&owner)
        .await
        .expect("suspend");
    assert_eq!(
        visitor.get("/c/beta/login").await.status,
        StatusCode::NOT_FOUND
    );

    // A college's sign-on button comes and goes with its provider.
    assert!(
        !visitor
            .get("/c/alpha/login")
            .await
            .html
            .contains("Sign in with")
    );
    sql(
        &app,
        alpha,
        "INSERT INTO oidc_providers (college_id, issuer, client_id, client_secret_enc, allowed_domain, label, enabled) \
         VALUES (app_current_college(), 'https://id.example', 'c', 'x', 'alpha.edu', 'Alpha accounts', true)",
    )
    .await;
    assert!(
        visitor
            .get("/c/alpha/login")
            .await
            .html
            .contains("Sign in with Alpha accounts")
    );
    sql(&app, alpha, "UPDATE oidc_providers SET enabled = false").await;
    assert!(
        !visitor
            .get("/c/alpha/login")
            .await
            .html
            .contains("Sign in with")
    );
}
