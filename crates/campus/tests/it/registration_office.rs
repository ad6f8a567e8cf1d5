//! The registrar's registration office: windows listed and closed early through the API,
//! and overrides made on their page (a student by number, a reason kept and listed),
//! refused by field when the number, the section or the reason is wrong.

use axum::http::StatusCode;
use campus::access::permissions::Role;

use crate::util::api::{call, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::world::{students, world};
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn windows_are_listed_and_closed_and_overrides_are_made_on_a_page() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    let (status, windows) = call(&app, "GET", "/api/v1/registration-windows", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{windows}");
    assert_eq!(windows[0]["state"], "open", "{windows}");
    let close = format!(
        "/api/v1/registration-windows/{}/close",
        windows[0]["id"].as_str().unwrap_or_default()
    );
    let (status, closed) = call(&app, "POST", &close, &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["state"], "closed");
    let (status, _) = call(&app, "POST", &close, &admin, None).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The window is closed: only an override enrols now.
    let people = students(&app, &w, 1).await;
    let number: String = {
        let mut tx = campus::db::begin_for_college(&app.pool, w.college)
            .await
            .expect("tx");
        sqlx::query_scalar("SELECT student_number FROM students WHERE id = $1")
            .bind(people[0].0)
            .fetch_one(&mut *tx)
            .await
            .expect("number")
    };
    let mut office = Browser::new(&app);
    office.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let page = office.get("/registration/overrides").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let section = w.section.to_string();
    let refused = office
        .post(
            "/registration/overrides",
            &[
                ("_csrf", &page.csrf()),
                ("student_number", "NOPE-1"),
                ("section_id", &section),
                ("reason", ""),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let doc = Doc::parse(&refused.html);
    doc.expect_text("#student_number-error", "no student has the number NOPE-1");
    doc.expect_text("#reason-error", "say why");
    let made = office
        .post(
            "/registration/overrides",
            &[
                ("_csrf", &page.csrf()),
                ("student_number", &number),
                ("section_id", &section),
                ("reason", "Late joiner approved by the dean"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let page = office.get("/registration/overrides").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success", "enrolled");
    doc.expect_text("main table", "Late joiner approved by the dean");
    let (_, mine) = call(&app, "GET", "/api/v1/me/enrollments", &people[0].1, None).await;
    assert_eq!(mine[0]["status"], "enrolled", "{mine}");
}
