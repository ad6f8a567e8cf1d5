//! Enrollment progress through the college's steps (the student's page hears of each
//! move live) and counselors' guidance notes (encrypted at rest, every reading audited,
//! closed to everyone else unless the college lets its admins in).

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use futures_util::StreamExt;
use serde_json::json;

use crate::util::api::call;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{Class, class, same_password, token_of, world};
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn registrars_move_enrollment_through_the_steps_and_students_follow_live() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people, outsider, ..
    } = class(&app, &w, 1).await;
    let (student, student_token) = people[0].clone();
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;

    // New colleges start with the usual steps; the registrar changes them.
    let (status, steps) = call(&app, "GET", "/api/v1/enrollment-steps", &registrar, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(steps.as_array().expect("steps").len(), 5, "{steps}");
    let (status, body) = call(
        &app,
        "PUT",
        "/api/v1/enrollment-steps",
        &registrar,
        Some(
            json!([{"name": "Documents verified"}, {"name": "documents VERIFIED"}, {"name": "x"}]),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"].as_array().expect("errors").len(),
        2,
        "{body}"
    );
    let (status, _) = call(
        &app,
        "PUT",
        "/api/v1/enrollment-steps",
        &registrar,
        Some(json!([
            {"name": "Documents verified", "description": "Certificates checked"},
            {"name": "Fees cleared"},
            {"name": "Hostel allotted"},
            {"name": "Courses registered"},
        ])),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, steps) = call(&app, "GET", "/api/v1/enrollment-steps", &registrar, None).await;
    let names: Vec<&str> = steps
        .as_array()
        .expect("steps")
        .iter()
        .map(|s| s["name"].as_str().expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "Documents verified",
            "Fees cleared",
            "Hostel allotted",
            "Courses registered"
        ]
    );
    let step = |i: usize| steps[i]["id"].as_str().expect("id").to_string();

    // The student's page follows their progress.
    same_password(&app, &w, "s0@alpha.edu", "reg@alpha.edu").await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "s0@alpha.edu", PASSWORD).await;
    let page = browser.get("/enrollment").await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    assert_eq!(doc.text("h2#steps"), "Not started yet", "{}", page.html);
    assert_eq!(
        doc.attr("#progress", "data-live-events").as_deref(),
        Some("/enrollment/events")
    );
    let response = browser.follow("/enrollment/events").await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut events = response.into_body().into_data_stream();

    let moves = format!("/api/v1/students/{student}/enrollment");
    let (status, _) = call(
        &app,
        "POST",
        &moves,
        &student_token,
        Some(json!({"step_id": step(0)})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "students do not move themselves"
    );
    let (status, _) = call(
        &app,
        "POST",
        &moves,
        &registrar,
        Some(json!({"step_id": outsider[0].0})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not a step");
    let mut heard = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !heard.contains("event: changed") {
        assert!(tokio::time::Instant::now() < deadline, "no event: {heard}");
        // The listener may still be starting: record again until the page hears.
        let (status, _) = call(
            &app,
            "POST",
            &moves,
            &registrar,
            Some(json!({"step_id": step(0), "remark": "Marksheets and ID seen"})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        if let Ok(Some(Ok(chunk))) =
            tokio::time::timeout(std::time::Duration::from_millis(500), events.next()).await
        {
            heard.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    let (status, _) = call(
        &app,
        "POST",
        &moves,
        &registrar,
        Some(json!({"step_id": step(1), "remark": "Paid in full"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let page = browser.get("/enrollment").await;
    let doc = Doc::parse(&page.html);
    assert_eq!(
        doc.text("h2#steps"),
        "Current step: Fees cleared",
        "{}",
        page.html
    );
    doc.expect_text("section[aria-labelledby=history] li", "Paid in full");
    let (status, progress) = call(&app, "GET", &moves, &student_token, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(progress["steps"][0]["reached"], true);
    assert_eq!(progress["steps"][1]["current"], true);
    assert_eq!(progress["steps"][2]["reached"], false);
    let (status, _) = call(&app, "GET", &moves, &outsider[0].1, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(
        fixtures::audit_actions(&app.pool, w.college)
            .await
            .iter()
            .any(|a| a == "enrollment.progressed")
    );
}

#[tokio::test]
async fn guidance_notes_are_encrypted_counselors_only_and_every_read_is_audited() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, tess, .. } = class(&app, &w, 1).await;
    let (student, student_token) = people[0].clone();
    fixtures::user(&app.pool, w.college, "coun@alpha.edu", &[Role::Counselor]).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let counselor = token_of(&app, "coun@alpha.edu").await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let code = fixtures::next_code("admin@alpha.edu", fixtures::TOTP_SECRET);
    let (_, login) =
        crate::util::api::login(&app, "alpha", "admin@alpha.edu", PASSWORD, Some(&code)).await;
    let admin = login["access_token"].as_str().expect("token").to_string();

    let notes = format!("/api/v1/students/{student}/guidance-notes");
    let secret = "Worried about exam anxiety; family circumstances discussed.";
    let (status, _) = call(
        &app,
        "POST",
        &notes,
        &counselor,
        Some(json!({"body": "  "})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        "POST",
        &notes,
        &counselor,
        Some(json!({"body": secret})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // At rest it is ciphertext.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let stored: String = sqlx::query_scalar("SELECT body_enc FROM guidance_notes")
        .fetch_one(&mut *tx)
        .await
        .expect("stored");
    tx.commit().await.expect("commit");
    assert!(
        stored.starts_with("v1:") && !stored.contains("anxiety"),
        "{stored}"
    );

    let (status, read) = call(&app, "GET", &notes, &counselor, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read[0]["body"], secret);
    for (who, token) in [
        ("the student", &student_token),
        ("a teacher", &tess),
        ("the registrar", &registrar),
        ("an admin the college has not allowed", &admin),
    ] {
        let (status, _) = call(&app, "GET", &notes, token, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    // The college lets its admins read them.
    let (status, settings) = call(&app, "GET", "/api/v1/college/settings", &admin, None).await;
    assert_eq!(status, StatusCode::OK);
    let mut settings = settings;
    settings["guidance_admin_access"] = json!(true);
    let (status, _) = call(
        &app,
        "PUT",
        "/api/v1/college/settings",
        &admin,
        Some(settings),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, read) = call(&app, "GET", &notes, &admin, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read[0]["body"], secret);

    // Every reading is in the audit trail, and the trail never holds the text.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let reads: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE action = 'guidance.notes_read'")
            .fetch_one(&mut *tx)
            .await
            .expect("reads");
    let leaked: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE after::text LIKE '%anxiety%'")
            .fetch_one(&mut *tx)
            .await
            .expect("leak");
    tx.commit().await.expect("commit");
    assert_eq!(reads, 2);
    assert_eq!(leaked, 0);

    // The page reads (and so audits) too.
    same_password(&app, &w, "coun@alpha.edu", "reg@alpha.edu").await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "coun@alpha.edu", PASSWORD).await;
    let page = browser.get(&format!("/students/{student}/guidance")).await;
    assert_eq!(page.status, StatusCode::OK);
    Doc::parse(&page.html).expect_text(
        "section[aria-labelledby=notes] article p.prewrap",
        "exam anxiety",
    );
}

#[tokio::test]
async fn a_custom_role_reaches_only_the_students_of_its_scope() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people, outsider, ..
    } = class(&app, &w, 1).await;
    // A departmental counselor: guidance notes of their own department's students only.
    let user = fixtures::user(&app.pool, w.college, "dc@alpha.edu", &[]).await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::raw_sql(
        "INSERT INTO departments (college_id, code, name) VALUES (app_current_college(), 'MAT', 'Mathematics'); \
         INSERT INTO programs (college_id, department_id, code, name, level, duration_years) \
           SELECT app_current_college(), id, 'BSC-MA', 'B.Sc. Mathematics', 'undergraduate', 3 FROM departments WHERE code = 'MAT'; \
         INSERT INTO custom_roles (college_id, name, label, permissions) \
           VALUES (app_current_college(), 'custom_dept_counselor', 'Department counselor', '{guidance.notes:department}');",
    )
    .execute(&mut *tx)
    .await
    .expect("role");
    sqlx::query("UPDATE students SET program_id = (SELECT id FROM programs WHERE code = 'BSC-MA') WHERE id = $1")
        .bind(outsider[0].0)
        .execute(&mut *tx)
        .await
        .expect("move");
    sqlx::query(
        "INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'custom_dept_counselor'); \
         ",
    )
    .bind(user)
    .execute(&mut *tx)
    .await
    .expect("assign");
    sqlx::query(
        "INSERT INTO staff (college_id, user_id, staff_number, first_name, last_name, department_id) \
         SELECT app_current_college(), $1, 'DC1', 'Dee', 'Counsel', id FROM departments WHERE code = 'CSE'",
    )
    .bind(user)
    .execute(&mut *tx)
    .await
    .expect("staff");
    tx.commit().await.expect("commit");
    let token = token_of(&app, "dc@alpha.edu").await;
    let mine = format!("/api/v1/students/{}/guidance-notes", people[0].0);
    let theirs = format!("/api/v1/students/{}/guidance-notes", outsider[0].0);
    let (status, _) = call(
        &app,
        "POST",
        &mine,
        &token,
        Some(json!({"body": "Settling in well."})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(&app, "GET", &mine, &token, None).await;
    assert_eq!(status, StatusCode::OK);
    for (method, body) in [
        ("GET", None),
        ("POST", Some(json!({"body": "Not mine to write"}))),
    ] {
        let (status, _) = call(&app, method, &theirs, &token, body).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{method} another department's student"
        );
    }
}
