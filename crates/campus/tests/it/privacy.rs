//! Privacy: everything about one student as a ZIP, and erasure of a former student
//! after the retention period (refused before it, and for current students), leaving an
//! anonymous academic record whose issued documents still verify without a name.

use std::io::Read;

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::json;

use crate::util::TestApp;
use crate::util::api::{call, call_multipart, download, login};
use crate::util::app::body_text;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::world::{Class, class, token_of, world};

#[tokio::test]
async fn a_students_data_exports_whole_and_erases_only_after_retention() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people, outsider, ..
    } = class(&app, &w, 1).await;
    let (student, student_token) = people[0].clone();
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let code = fixtures::next_code("admin@alpha.edu", fixtures::TOTP_SECRET);
    let (_, body) = login(&app, "alpha", "admin@alpha.edu", PASSWORD, Some(&code)).await;
    let admin = body["access_token"].as_str().expect("token").to_string();
    let on = time::OffsetDateTime::now_utc().date().to_string();
    let (status, _) = call_multipart(
        &app,
        "POST",
        "/api/v1/me/achievements",
        &student_token,
        &[
            ("title", "Chess champion"),
            ("category", "sports"),
            ("achieved_on", &on),
            ("organiser", "Chess club"),
        ],
        &[("file", "certificate.pdf", b"%PDF-1.7 certificate")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    fixtures::user(&app.pool, w.college, "mum@example.org", &[Role::Parent]).await;
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/students/{student}/guardians"),
        &registrar,
        Some(json!({"email": "mum@example.org", "relationship": "mother"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // Only those with privacy.manage export.
    let export = format!("/api/v1/students/{student}/export");
    let (status, ..) = download(&app, &export, &registrar).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, kind, zipped, disposition) = download(&app, &export, &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/zip");
    assert!(disposition.contains("student-data-S0"), "{disposition}");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zipped)).expect("zip");
    let mut json = String::new();
    archive
        .by_name("student.json")
        .expect("student.json")
        .read_to_string(&mut json)
        .expect("read");
    let data: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(data["student"][0]["id"], json!(student));
    assert_eq!(data["achievements"][0]["title"], "Chess champion");
    assert_eq!(data["guardians"][0]["email"], "mum@example.org");
    assert_eq!(data["enrollments"][0]["course"], "CS101");
    let file = data["files"][0]["path"].as_str().expect("path").to_string();
    let mut evidence = Vec::new();
    archive
        .by_name(&file)
        .expect("the evidence file")
        .read_to_end(&mut evidence)
        .expect("read");
    assert_eq!(evidence, b"%PDF-1.7 certificate");
    // Nothing of another student.
    assert!(!json.contains(&outsider[0].0.to_string()));

    // A current student is not erased; nor a former one before the retention period.
    let erase = format!("/api/v1/students/{student}/erase");
    let (status, _) = call(&app, "POST", &erase, &admin, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/students/{student}/status"),
        &registrar,
        Some(json!({"status": "withdrawn", "reason": "Moved abroad with family"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = call(&app, "POST", &erase, &admin, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("7 years"), "{body}");

    // A transcript issued before erasure.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query(
        "INSERT INTO issued_documents (college_id, code, kind, student_id, contents, pdf_sha256) \
         VALUES (app_current_college(), 'ABCDEFGHJKMNPQRS', 'transcript', $1, \
           jsonb_build_object('kind', 'transcript', 'college', 'College alpha', 'student_name', 'Student No0', \
             'student_number', 'S00000', 'program', 'B.Sc.', 'terms', '[]'::jsonb, 'cumulative_gpa', null, \
             'credits_earned', 0, 'issued_on', '2026-01-01'), repeat('a', 64))",
    )
    .bind(student)
    .execute(&mut *tx)
    .await
    .expect("issued");
    sqlx::query("UPDATE colleges SET retention_years = 0")
        .execute(&mut *tx)
        .await
        .expect("retention");
    tx.commit().await.expect("commit");
    let (status, erased) = call(&app, "POST", &erase, &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{erased}");
    assert_eq!(erased["files"], 1);
    assert_eq!(erased["guardians"], 1);

    // What remains is anonymous; what was theirs is gone.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let (first, email, user): (String, Option<String>, Option<uuid::Uuid>) =
        sqlx::query_as("SELECT first_name, email::text, user_id FROM students WHERE id = $1")
            .bind(student)
            .fetch_one(&mut *tx)
            .await
            .expect("student");
    let leftovers: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM achievements) + (SELECT count(*) FROM guardians) \
         + (SELECT count(*) FROM stored_files) + (SELECT count(*) FROM users WHERE email::text LIKE 's0@%' OR email::text = 'mum@example.org')",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("leftovers");
    let enrolled: i64 =
        sqlx::query_scalar("SELECT count(*) FROM enrollments WHERE student_id = $1")
            .bind(student)
            .fetch_one(&mut *tx)
            .await
            .expect("academic record");
    tx.commit().await.expect("commit");
    assert_eq!((first.as_str(), email, user), ("Erased", None, None));
    assert_eq!(leftovers, 0);
    assert_eq!(enrolled, 1, "the academic record stays");
    let (status, _) = call(&app, "GET", "/api/v1/users/me", &student_token, None).await;
    assert_ne!(status, StatusCode::OK, "the account no longer works");
    let verify = body_text(app.get("/c/alpha/verify/ABCDEFGHJKMNPQRS").await).await;
    assert!(
        verify.contains("Erased on request") && !verify.contains("Student No0"),
        "{verify}"
    );
    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in ["privacy.exported", "privacy.erased"] {
        assert!(actions.iter().any(|a| a == action), "{action}");
    }
}
