//! Each role sees what its work needs and no more, on the demo college: the librarian,
//! warden and accountant see who a student is, not their address, birth date or family;
//! applicants see notices meant for applicants only; a teacher sees the weeks of their
//! own department's staff.

use axum::http::StatusCode;
use campus::db::begin_for_college;
use serde_json::json;

use crate::util::Browser;
use crate::util::api::{call, token};

const PASSWORD: &str = "riverside-demo-campus";

#[tokio::test]
async fn service_staff_see_who_a_student_is_not_their_private_details() {
    let (app, college) = crate::util::fixtures::demo_college().await;
    let student: uuid::Uuid = {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        sqlx::query_scalar(
            "SELECT st.id FROM students st WHERE st.date_of_birth IS NOT NULL AND st.address IS NOT NULL \
             AND EXISTS (SELECT 1 FROM student_guardians g WHERE g.student_id = st.id) LIMIT 1",
        )
        .fetch_one(&mut *tx)
        .await
        .expect("a student with details")
    };
    let registrar = token(&app, "riverside", "registrar@riverside.edu", PASSWORD).await;
    let (status, full) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{student}"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        full["date_of_birth"].is_string() && full["address"].is_string(),
        "{full}"
    );
    assert!(!full["guardians"].as_array().expect("guardians").is_empty());
    for role in ["librarian", "warden", "accountant"] {
        let bearer = token(
            &app,
            "riverside",
            &format!("{role}@riverside.edu"),
            PASSWORD,
        )
        .await;
        let (status, seen) = call(
            &app,
            "GET",
            &format!("/api/v1/students/{student}"),
            &bearer,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{role}");
        assert_eq!(seen["student_number"], full["student_number"], "{role}");
        assert_eq!(seen["program"], full["program"], "{role}");
        for private in ["date_of_birth", "address", "phone", "email"] {
            assert!(seen[private].is_null(), "{role} sees {private}: {seen}");
        }
        assert_eq!(seen["guardians"], json!([]), "{role} sees the family");
        // The page shows the same.
        let mut browser = Browser::new(&app);
        browser
            .sign_in("riverside", &format!("{role}@riverside.edu"), PASSWORD)
            .await;
        let page = browser.get(&format!("/students/{student}")).await;
        assert_eq!(page.status, StatusCode::OK);
        let address = full["address"].as_str().expect("address");
        assert!(
            !page.html.contains(address),
            "{role} sees the address on the page"
        );
    }
}

#[tokio::test]
async fn applicants_see_only_notices_for_applicants() {
    let (app, _) = crate::util::fixtures::demo_college().await;
    let registrar = token(&app, "riverside", "registrar@riverside.edu", PASSWORD).await;
    for (title, audience) in [
        ("For the whole college", "everyone"),
        ("Open day for applicants", "applicants"),
    ] {
        let (status, body) = call(
            &app,
            "POST",
            "/api/v1/notices",
            &registrar,
            Some(json!({"title": title, "body": "Details inside.", "audience": audience})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let applicant = token(&app, "riverside", "applicant@riverside.edu", PASSWORD).await;
    let (status, seen) = call(&app, "GET", "/api/v1/notices", &applicant, None).await;
    assert_eq!(status, StatusCode::OK);
    let audiences: Vec<&str> = seen
        .as_array()
        .expect("list")
        .iter()
        .map(|n| n["audience"].as_str().expect("audience"))
        .collect();
    assert!(!audiences.is_empty(), "{seen}");
    assert!(audiences.iter().all(|a| *a == "applicants"), "{seen}");
    let student = token(&app, "riverside", "student@riverside.edu", PASSWORD).await;
    let (_, seen) = call(&app, "GET", "/api/v1/notices", &student, None).await;
    let text = seen.to_string();
    assert!(text.contains("For the whole college") && !text.contains("Open day for applicants"));
}

#[tokio::test]
async fn a_teacher_sees_the_weeks_of_their_own_department_only() {
    let (app, college) = crate::util::fixtures::demo_college().await;
    let (own, other): (uuid::Uuid, uuid::Uuid) = {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        sqlx::query_as(
            "SELECT mine.id, theirs.id FROM staff me \
             JOIN users u ON u.id = me.user_id AND u.email = 'teacher@riverside.edu' \
             JOIN staff mine ON mine.department_id = me.department_id \
             JOIN staff theirs ON theirs.department_id <> me.department_id \
             LIMIT 1",
        )
        .fetch_one(&mut *tx)
        .await
        .expect("staff of two departments")
    };
    let mut browser = Browser::new(&app);
    browser
        .sign_in("riverside", "teacher@riverside.edu", PASSWORD)
        .await;
    assert_eq!(
        browser
            .get(&format!("/timetable/teachers/{own}"))
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        browser
            .get(&format!("/timetable/teachers/{other}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
