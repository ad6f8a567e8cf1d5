//! Student records: full-text search with filters and pages, within each reader's scope;
//! profiles; status changes with dates and reasons, kept as history and audited.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::json;

use crate::util::TestApp;
use crate::util::api::call;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{Class, class, token_of, world};

#[tokio::test]
async fn registrars_find_students_and_change_their_status_with_a_reason() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people,
        outsider,
        tess,
        ..
    } = class(&app, &w, 3).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE students SET first_name = 'Ada', last_name = 'Lovelace' WHERE id = $1")
        .bind(people[1].0)
        .execute(&mut *tx)
        .await
        .expect("rename");
    tx.commit().await.expect("commit");

    let (status, page) = call(&app, "GET", "/api/v1/students?q=lovel", &registrar, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        page["students"].as_array().expect("list").len(),
        1,
        "{page}"
    );
    assert_eq!(page["students"][0]["name"], "Ada Lovelace");
    let (_, page) = call(&app, "GET", "/api/v1/students?q=S00002", &registrar, None).await;
    assert_eq!(page["students"][0]["student_number"], "S00002");
    let (_, page) = call(
        &app,
        "GET",
        "/api/v1/students?q=%27%29%3B%20drop",
        &registrar,
        None,
    )
    .await;
    assert_eq!(page["students"], json!([]), "query syntax is just words");

    // Pages: two at a time, all four students (three in the class and one outside).
    let (_, first) = call(&app, "GET", "/api/v1/students?limit=2", &registrar, None).await;
    assert_eq!(first["students"].as_array().expect("list").len(), 2);
    assert_eq!(first["next_offset"], 2);
    let (_, second) = call(
        &app,
        "GET",
        "/api/v1/students?limit=2&offset=2",
        &registrar,
        None,
    )
    .await;
    assert_eq!(second["students"].as_array().expect("list").len(), 2);
    assert_eq!(second["next_offset"], json!(null));
    let (status, _) = call(&app, "GET", "/api/v1/students?limit=1000", &registrar, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        "GET",
        "/api/v1/students?status=expelled",
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, filtered) = call(
        &app,
        "GET",
        "/api/v1/students?program=bsc-cs&year=1&status=enrolled",
        &registrar,
        None,
    )
    .await;
    assert_eq!(filtered["students"].as_array().expect("list").len(), 4);

    // Scope: a student finds only themselves; a teacher only their sections' students.
    let (_, own) = call(&app, "GET", "/api/v1/students", &people[0].1, None).await;
    assert_eq!(own["students"].as_array().expect("list").len(), 1);
    assert_eq!(own["students"][0]["id"], json!(people[0].0));
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{}", people[1].0),
        &people[0].1,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another student's profile");
    // A teacher reads their department's students: none while Tess has no department.
    let (_, none) = call(&app, "GET", "/api/v1/students", &tess, None).await;
    assert_eq!(none["students"], json!([]));
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE staff SET department_id = (SELECT id FROM departments LIMIT 1) WHERE first_name = 'Tess'")
        .execute(&mut *tx)
        .await
        .expect("department");
    tx.commit().await.expect("commit");
    let (_, department) = call(&app, "GET", "/api/v1/students", &tess, None).await;
    assert_eq!(department["students"].as_array().expect("list").len(), 4);
    let _ = &outsider;

    // Status changes: a reason, a known and different status; history and audit.
    let change = format!("/api/v1/students/{}/status", people[2].0);
    for bad in [
        json!({"status": "on_leave", "reason": ""}),
        json!({"status": "expelled", "reason": "a real reason"}),
        json!({"status": "enrolled", "reason": "a real reason"}),
        json!({"status": "on_leave", "reason": "medical leave", "effective_on": "soon"}),
    ] {
        let (status, _) = call(&app, "POST", &change, &registrar, Some(bad.clone())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let (status, _) = call(
        &app,
        "POST",
        &change,
        &tess,
        Some(json!({"status": "on_leave", "reason": "medical leave"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "teachers do not change records"
    );
    let (status, _) = call(
        &app,
        "POST",
        &change,
        &registrar,
        Some(json!({"status": "on_leave", "reason": "Medical leave for a term", "effective_on": "2026-11-02"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, profile) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{}", people[2].0),
        &registrar,
        None,
    )
    .await;
    assert_eq!(profile["status"], "on_leave");
    assert_eq!(profile["history"][0]["from_status"], "enrolled");
    assert_eq!(profile["history"][0]["effective_on"], "2026-11-02");
    assert_eq!(profile["history"][0]["reason"], "Medical leave for a term");
    assert!(
        fixtures::audit_actions(&app.pool, w.college)
            .await
            .iter()
            .any(|a| a == "student.status_changed")
    );
    let (_, on_leave) = call(
        &app,
        "GET",
        "/api/v1/students?status=on_leave",
        &registrar,
        None,
    )
    .await;
    assert_eq!(on_leave["students"].as_array().expect("list").len(), 1);

    // The pages.
    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    let page = browser.get("/students?q=ada").await;
    assert_eq!(page.status, StatusCode::OK);
    Doc::parse(&page.html).expect_text("table tbody td[data-label=Name] a", "Ada Lovelace");
    let profile = browser.get(&format!("/students/{}", people[1].0)).await;
    assert_eq!(
        Doc::parse(&profile.html).text(&format!(
            "form[action='/students/{}/status'] button",
            people[1].0
        )),
        "Change the status"
    );
    let refused = browser
        .post(
            &format!("/students/{}/status", people[1].0),
            &[
                ("_csrf", &profile.csrf()),
                ("status", "withdrawn"),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    doc.expect_text(".error-summary", "was not saved");
    doc.expect_text("#reason-error", "say why");
    assert_eq!(
        doc.attr("select#status option[selected]", "value")
            .as_deref(),
        Some("withdrawn"),
        "the chosen status stays"
    );
}

#[tokio::test]
async fn staff_are_found_and_profiled_within_scope() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { tess, people, .. } = class(&app, &w, 2).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::raw_sql(
        "UPDATE staff SET department_id = (SELECT id FROM departments), title = 'Lecturer' WHERE staff_number = 'ST9'; \
         INSERT INTO departments (college_id, code, name) VALUES (app_current_college(), 'MAT', 'Mathematics'); \
         INSERT INTO staff (college_id, staff_number, first_name, last_name, department_id) \
           SELECT app_current_college(), 'ST10', 'Emmy', 'Noether', id FROM departments WHERE code = 'MAT';",
    )
    .execute(&mut *tx)
    .await
    .expect("staff");
    tx.commit().await.expect("commit");

    let (status, page) = call(&app, "GET", "/api/v1/staff?q=noeth", &registrar, None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["staff"].as_array().expect("list").len(), 1);
    assert_eq!(page["staff"][0]["department"], "Mathematics");
    let (_, page) = call(
        &app,
        "GET",
        "/api/v1/staff?department=cse",
        &registrar,
        None,
    )
    .await;
    assert_eq!(page["staff"][0]["name"], "Tess Teach", "{page}");
    let (status, _) = call(&app, "GET", "/api/v1/staff?status=fired", &registrar, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(&app, "GET", "/api/v1/staff?q=%25", &registrar, None).await;
    assert_eq!(status, StatusCode::OK, "a typed % is not a pattern");

    // A teacher sees their own department only; a student sees no staff.
    let (_, mine) = call(&app, "GET", "/api/v1/staff", &tess, None).await;
    let names: Vec<&str> = mine["staff"]
        .as_array()
        .expect("list")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["Tess Teach"]);
    let emmy = page_id(&app, &registrar, "noether").await;
    let (status, _) = call(&app, "GET", &format!("/api/v1/staff/{emmy}"), &tess, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&app, "GET", "/api/v1/staff", &people[0].1, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let tess_id = page_id(&app, &registrar, "tess").await;
    let (status, profile) = call(
        &app,
        "GET",
        &format!("/api/v1/staff/{tess_id}"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        profile["teaching"][0]["course"], "CS101 Programming",
        "{profile}"
    );
    assert_eq!(profile["roles"], json!(["teacher"]));
}

async fn page_id(app: &TestApp, token: &str, q: &str) -> String {
    let (_, page) = call(app, "GET", &format!("/api/v1/staff?q={q}"), token, None).await;
    page["staff"][0]["id"].as_str().expect("id").to_string()
}
