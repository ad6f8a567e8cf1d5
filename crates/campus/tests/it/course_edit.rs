//! Courses edited, retired and deleted through the API and the course's page: wrong
//! input and prerequisite loops named by field, a course in use kept (the refusal names
//! what uses it), a retired course offered for no new section, and a section never given
//! a room smaller than its seats.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use serde_json::json;

use crate::util::api::{call, field_errors, id, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::world::world;
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn courses_are_edited_retired_and_deleted_only_when_unused() {
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
    let (_, found) = call(&app, "GET", "/api/v1/courses?q=CS101", &admin, None).await;
    let cs101 = format!("/api/v1/courses/{}", id(&found[0]));
    let (_, found) = call(&app, "GET", "/api/v1/courses?q=CS201", &admin, None).await;
    let cs201 = format!("/api/v1/courses/{}", id(&found[0]));

    let (status, edited) = call(
        &app,
        "PATCH",
        &cs101,
        &admin,
        Some(json!({"title": "Programming in Rust", "credits": 3.5})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["title"], "Programming in Rust");
    assert_eq!(edited["credits"], 3.5);
    for (body, field) in [
        (json!({"credits": 0.3}), "credits"),
        (json!({"department": "NOPE"}), "department"),
        (json!({"prerequisites": ["CS201"]}), "prerequisites"),
        (json!({"prerequisites": ["CS101"]}), "prerequisites"),
    ] {
        let (status, answer) = call(&app, "PATCH", &cs101, &admin, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(field_errors(&answer), [field], "{answer}");
    }

    // In use: offered by a section and needed by CS201.
    let (status, refused) = call(&app, "DELETE", &cs101, &admin, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let detail = refused["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("1 section") && detail.contains("prerequisite"),
        "{refused}"
    );
    let (status, fresh) = call(
        &app,
        "POST",
        "/api/v1/courses",
        &admin,
        Some(json!({"code": "CS399", "title": "Seminar", "credits": 2, "department": "CSE"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{fresh}");
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("/api/v1/courses/{}", id(&fresh)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Retired, a course is offered for no new section; restored, it is again.
    let (status, retired) = call(&app, "POST", &format!("{cs201}/retire"), &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{retired}");
    assert_eq!(retired["retired"], true);
    let section =
        json!({"course_id": retired["id"], "term_id": w.term, "code": "B", "capacity": 30});
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/sections",
        &admin,
        Some(section.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["course_id"]);
    call(&app, "POST", &format!("{cs201}/restore"), &admin, None).await;

    // A room smaller than the section's seats is refused, naming both.
    for (uri, body) in [
        ("/api/v1/campuses", json!({"code": "MAIN", "name": "Main"})),
        (
            "/api/v1/buildings",
            json!({"code": "ENG", "name": "Engineering", "campus": "MAIN", "floors": 2}),
        ),
        (
            "/api/v1/rooms",
            json!({"code": "ENG-9", "name": "Small room", "building": "ENG", "kind": "seminar", "capacity": 10}),
        ),
    ] {
        let (status, answer) = call(&app, "POST", uri, &admin, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let (_, rooms) = call(&app, "GET", "/api/v1/rooms", &admin, None).await;
    let mut small = section.clone();
    small["room_id"] = rooms[0]["id"].clone();
    let (status, answer) = call(&app, "POST", "/api/v1/sections", &admin, Some(small)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("seats 10, fewer than the section's 30")),
        "{answer}"
    );

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in [
        "catalog.course_changed",
        "catalog.course_retired",
        "catalog.course_restored",
        "catalog.course_deleted",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn a_course_is_edited_and_retired_from_its_page() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let catalog = admin.get("/catalog?q=CS201").await;
    let course = Doc::parse(&catalog.html)
        .attr("td a[href^='/catalog/courses/']", "href")
        .expect("the course's link");
    let page = admin.get(&course).await;
    assert!(Doc::parse(&page.html).has(&format!("a[href='{course}/edit']")));
    let form = admin.get(&format!("{course}/edit")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let doc = Doc::parse(&form.html);
    assert_eq!(
        doc.attr("#prerequisites", "value").as_deref(),
        Some("CS101")
    );
    let refused = admin
        .post(
            &format!("{course}/edit"),
            &[
                ("_csrf", &form.csrf()),
                ("title", "Data structures"),
                ("credits", "lots"),
                ("department", "CSE"),
                ("prerequisites", "CS101"),
                ("description", "Trees and graphs."),
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
    doc.expect_text("#credits-error", "halves");
    assert_eq!(doc.attr("#credits", "value").as_deref(), Some("lots"));
    let saved = admin
        .post(
            &format!("{course}/edit"),
            &[
                ("_csrf", &form.csrf()),
                ("title", "Data structures and algorithms"),
                ("credits", "4"),
                ("department", "CSE"),
                ("prerequisites", ""),
                ("description", "Trees and graphs."),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let page = admin.get(&course).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success", "CS201 saved");
    doc.expect_text("h1", "Data structures and algorithms");
    let retired = admin
        .post(&format!("{course}/retire"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(retired.status, StatusCode::SEE_OTHER, "{}", retired.html);
    let page = admin.get(&course).await;
    Doc::parse(&page.html).expect_text(".page-header .badge-warning", "Retired");
}
