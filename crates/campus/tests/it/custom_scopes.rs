//! A college's own role reaches no more than its scopes say: the role editor refuses a
//! scope the code behind a permission does not keep, a grant stored at such a scope gives
//! nothing, college-wide work needs a college-wide grant, every scope a user holds counts
//! (a teacher who is a parent reaches their child), and a student's documents need the
//! personal-details permission.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::{CollegeId, begin_for_college};
use serde_json::json;
use uuid::Uuid;

use crate::util::api::{call, download, login, token};
use crate::util::html::Doc;
use crate::util::{Browser, TestApp, fixtures};

const PASSWORD: &str = "riverside-demo-campus";

/// Stores a college role as an older version could have, and gives it to `email`.
async fn give_stored_role(app: &TestApp, college: CollegeId, email: &str, grants: &[&str]) {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    sqlx::query(
        "INSERT INTO custom_roles (college_id, name, label, permissions) \
         VALUES (app_current_college(), 'custom_stored', 'Stored', $1)",
    )
    .bind(grants)
    .execute(&mut *tx)
    .await
    .expect("role");
    sqlx::query(
        "INSERT INTO role_assignments (college_id, user_id, role) \
         SELECT app_current_college(), id, 'custom_stored' FROM users WHERE email = $1",
    )
    .bind(email)
    .execute(&mut *tx)
    .await
    .expect("assignment");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn the_role_editor_offers_and_takes_only_scopes_the_code_keeps() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let code = fixtures::next_code("admin@alpha.edu", fixtures::TOTP_SECRET);
    let (_, body) = login(
        &app,
        "alpha",
        "admin@alpha.edu",
        fixtures::PASSWORD,
        Some(&code),
    )
    .await;
    let admin = body["access_token"].as_str().expect("token").to_string();

    for (grant, says) in [
        ("admissions.manage:department", "college only"),
        ("notices.manage:department", "own_sections, college only"),
        ("registration.enrol:college", "own only"),
        ("students.manage:own", "department, college only"),
        ("users.manage:college", "only by built-in roles"),
        (
            "students.read:platform",
            "own, own_children, own_sections, department, college only",
        ),
    ] {
        let (status, problem) = call(
            &app,
            "POST",
            "/api/v1/roles",
            &admin,
            Some(json!({"label": "Narrow office", "permissions": [grant]})),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{grant}: {problem}"
        );
        assert!(problem.to_string().contains(says), "{grant}: {problem}");
    }
    let (status, role) = call(
        &app,
        "POST",
        "/api/v1/roles",
        &admin,
        Some(json!({"label": "Department office", "permissions": ["students.read:department", "marks.enter:own_sections"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");

    let mut browser = Browser::new(&app);
    browser
        .sign_in("alpha", "admin@alpha.edu", fixtures::PASSWORD)
        .await;
    let page = browser.get("/admin/roles").await;
    let doc = Doc::parse(&page.html);
    let choice = "form[action='/admin/roles'] input[name=permissions]";
    assert!(doc.has(&format!("{choice}[value='admissions.manage:college']")));
    assert!(!doc.has(&format!("{choice}[value='admissions.manage:department']")));
    assert!(doc.has(&format!("{choice}[value='students.read:department']")));
    assert!(!doc.has(&format!("{choice}[value^='users.manage:']")));

    // The page form: a refusal comes back as the page with 422, a success redirects and
    // the next page says so, once.
    let csrf = page.csrf();
    let refused = browser
        .post(
            "/admin/roles",
            &[
                ("_csrf", &csrf),
                ("label", "Front desk"),
                ("permissions", "admissions.manage:department"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    Doc::parse(&refused.html).expect_text("fieldset .field-error", "college only");
    let made = browser
        .post(
            "/admin/roles",
            &[
                ("_csrf", &csrf),
                ("label", "Front desk"),
                ("permissions", "admissions.manage:college"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    assert_eq!(made.location.as_deref(), Some("/admin/roles"));
    let next = browser.get("/admin/roles").await;
    Doc::parse(&next.html).expect_text(
        "main .alert-success[role=status]",
        "Role “Front desk” created.",
    );
    assert!(
        !Doc::parse(&browser.get("/admin/roles").await.html).has("main .alert-success"),
        "shown once"
    );
}

#[tokio::test]
async fn a_stored_grant_at_a_scope_the_code_does_not_keep_gives_nothing() {
    let (app, college) = fixtures::demo_college().await;
    give_stored_role(
        &app,
        college,
        "librarian@riverside.edu",
        &["admissions.manage:department", "catalog.read:college"],
    )
    .await;
    let librarian = token(&app, "riverside", "librarian@riverside.edu", PASSWORD).await;
    let (status, _) = call(&app, "GET", "/api/v1/intakes", &librarian, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not college-wide admissions");
    let (_, me) = call(&app, "GET", "/api/v1/users/me", &librarian, None).await;
    let from_stored: Vec<&str> = me["permissions"]
        .as_array()
        .expect("grants")
        .iter()
        .filter(|g| g["role"] == "custom_stored")
        .filter_map(|g| g["permission"].as_str())
        .collect();
    assert_eq!(from_stored, ["catalog.read"]);
}

#[tokio::test]
async fn college_wide_work_needs_a_college_wide_grant() {
    let (app, college) = fixtures::demo_college().await;
    give_stored_role(
        &app,
        college,
        "teacher@riverside.edu",
        &["students.manage:department", "results.publish:own_sections"],
    )
    .await;
    let (mine, theirs): (Uuid, Uuid) = {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        sqlx::query_as(
            "SELECT a.id, b.id FROM staff me JOIN users u ON u.id = me.user_id AND u.email = 'teacher@riverside.edu' \
             JOIN programs pa ON pa.department_id = me.department_id JOIN students a ON a.program_id = pa.id \
             JOIN programs pb ON pb.department_id <> me.department_id JOIN students b ON b.program_id = pb.id \
             WHERE a.status = 'enrolled' AND b.status = 'enrolled' LIMIT 1",
        )
        .fetch_one(&mut *tx)
        .await
        .expect("students of two departments")
    };
    let teacher = token(&app, "riverside", "teacher@riverside.edu", PASSWORD).await;
    let leave = json!({"status": "on_leave", "reason": "Family matters this term"});
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/students/{theirs}/status"),
        &teacher,
        Some(leave.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/students/{mine}/status"),
        &teacher,
        Some(leave),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");

    // Bulk work over the whole college is not for a department's or a section's holder.
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/report-card-jobs",
        &teacher,
        Some(json!({"program_id": Uuid::nil(), "term_id": Uuid::nil()})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut browser = Browser::new(&app);
    browser
        .sign_in("riverside", "teacher@riverside.edu", PASSWORD)
        .await;
    assert_eq!(
        browser.get("/students/import").await.status,
        StatusCode::FORBIDDEN
    );
    assert!(!Doc::parse(&browser.get("/students").await.html).has("a[href='/students/import']"));
}

#[tokio::test]
async fn a_teacher_who_is_a_parent_reaches_their_child_in_another_department() {
    let (app, college) = fixtures::demo_college().await;
    let (child, stranger): (Uuid, Uuid) = {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        let pair: (Uuid, Uuid) = sqlx::query_as(
            "SELECT a.id, b.id FROM staff me JOIN users u ON u.id = me.user_id AND u.email = 'teacher@riverside.edu' \
             JOIN programs p ON p.department_id <> me.department_id JOIN students a ON a.program_id = p.id \
             JOIN students b ON b.program_id = p.id AND b.id <> a.id LIMIT 1",
        )
        .fetch_one(&mut *tx)
        .await
        .expect("students of another department");
        sqlx::query(
            "WITH g AS (INSERT INTO guardians (college_id, user_id, first_name, last_name) \
               SELECT app_current_college(), id, 'Terry', 'Teacher' FROM users WHERE email = 'teacher@riverside.edu' \
               RETURNING id) \
             INSERT INTO student_guardians (college_id, student_id, guardian_id, relationship) \
             SELECT app_current_college(), $1, id, 'father' FROM g",
        )
        .bind(pair.0)
        .execute(&mut *tx)
        .await
        .expect("the teacher is a parent");
        sqlx::query(
            "INSERT INTO role_assignments (college_id, user_id, role) \
             SELECT app_current_college(), id, 'parent' FROM users WHERE email = 'teacher@riverside.edu'",
        )
        .execute(&mut *tx)
        .await
        .expect("parent role");
        tx.commit().await.expect("commit");
        pair
    };
    let teacher = token(&app, "riverside", "teacher@riverside.edu", PASSWORD).await;
    let (status, body) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{child}"),
        &teacher,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{stranger}"),
        &teacher,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_students_documents_need_the_personal_details_permission() {
    let (app, college) = fixtures::demo_college().await;
    let key = campus::files::Storage::new_key(college, "documents");
    app.state
        .files
        .put(&key, b"%PDF-1.4 birth certificate".to_vec())
        .await
        .expect("stored");
    let file: Uuid = {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        let file = sqlx::query_scalar(
            "WITH f AS (INSERT INTO stored_files (college_id, storage_key, file_name, content_type, size_bytes, sha256) \
               VALUES (app_current_college(), $1, 'birth.pdf', 'application/pdf', 26, repeat('a', 64)) RETURNING id) \
             INSERT INTO student_documents (college_id, student_id, file_id, kind) \
               SELECT app_current_college(), (SELECT id FROM students ORDER BY student_number LIMIT 1), id, 'identity' FROM f \
             RETURNING file_id",
        )
        .bind(&key)
        .fetch_one(&mut *tx)
        .await
        .expect("document");
        tx.commit().await.expect("commit");
        file
    };
    let path = format!("/api/v1/files/{file}");
    let librarian = token(&app, "riverside", "librarian@riverside.edu", PASSWORD).await;
    let (status, ..) = download(&app, &path, &librarian).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "reads the student, not their papers"
    );
    let registrar = token(&app, "riverside", "registrar@riverside.edu", PASSWORD).await;
    let (status, _, bytes, _) = download(&app, &path, &registrar).await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(b"%PDF"));
}
