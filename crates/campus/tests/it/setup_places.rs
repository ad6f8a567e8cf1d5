//! A college's places set up from nothing, through the API and the pages: campuses,
//! buildings and rooms created, listed, edited, retired and deleted; wrong input named
//! by field with nothing written; a record in use kept, naming what uses it; other
//! colleges never see them; every change in the audit trail.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use serde_json::json;

use crate::util::api::{call, field_errors, id, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::{Browser, TestApp};

async fn admin_token(app: &TestApp, slug: &str) -> (campus::db::CollegeId, String) {
    let college = fixtures::college(&app.pool, slug).await;
    let email = format!("admin@{slug}.edu");
    fixtures::user(&app.pool, college, &email, &[Role::CollegeAdmin]).await;
    (
        college,
        token_with_code(app, slug, &email, PASSWORD, TOTP_SECRET).await,
    )
}

#[tokio::test]
async fn places_are_created_edited_retired_and_deleted_through_the_api() {
    let app = TestApp::new().await;
    let (college, admin) = admin_token(&app, "alpha").await;

    let (status, campus) = call(
        &app,
        "POST",
        "/api/v1/campuses",
        &admin,
        Some(json!({"code": "main", "name": "Main campus", "address": "1 College Road"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{campus}");
    assert_eq!(campus["code"], "MAIN", "codes are kept in capitals");
    let (status, building) = call(
        &app,
        "POST",
        "/api/v1/buildings",
        &admin,
        Some(json!({"code": "ENG", "name": "Engineering block", "campus": "MAIN", "floors": 4})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{building}");
    let (status, room) = call(
        &app,
        "POST",
        "/api/v1/rooms",
        &admin,
        Some(
            json!({"code": "ENG-101", "name": "Lecture hall 1", "building": "ENG",
                    "kind": "lecture_hall", "floor": 1, "capacity": 120,
                    "features": ["projector", "wheelchair_access"]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{room}");
    assert_eq!(room["features"], json!(["projector", "wheelchair_access"]));

    // Wrong input is named by field, and nothing is written.
    for (body, field) in [
        (
            json!({"code": "ENG-102", "name": "Lab", "building": "NOPE", "kind": "lab", "capacity": 30}),
            "building",
        ),
        (
            json!({"code": "ENG-101", "name": "Again", "building": "ENG", "kind": "lab", "capacity": 30}),
            "code",
        ),
        (
            json!({"code": "ENG-103", "name": "Tiny", "building": "ENG", "kind": "lab", "capacity": 0}),
            "capacity",
        ),
        (
            json!({"code": "ENG-104", "name": "Spa", "building": "ENG", "kind": "sauna", "capacity": 10}),
            "kind",
        ),
        (
            json!({"code": "ENG-105", "name": "Lab", "building": "ENG", "kind": "lab", "capacity": 10, "features": ["jacuzzi"]}),
            "features",
        ),
    ] {
        let (status, answer) = call(&app, "POST", "/api/v1/rooms", &admin, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(field_errors(&answer), [field], "{answer}");
    }
    let (_, rooms) = call(&app, "GET", "/api/v1/rooms", &admin, None).await;
    assert_eq!(rooms.as_array().map(Vec::len), Some(1), "{rooms}");

    // A partial edit changes only what is sent.
    let (status, edited) = call(
        &app,
        "PATCH",
        &format!("/api/v1/rooms/{}", id(&room)),
        &admin,
        Some(json!({"capacity": 150})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["capacity"], 150);
    assert_eq!(edited["name"], "Lecture hall 1");
    assert_eq!(
        edited["features"],
        json!(["projector", "wheelchair_access"])
    );

    // Filters: words, the building it is in, retired or not.
    let building_id = id(&building);
    let (_, found) = call(
        &app,
        "GET",
        &format!("/api/v1/rooms?q=lecture&within={building_id}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(found.as_array().map(Vec::len), Some(1), "{found}");
    let (_, none) = call(&app, "GET", "/api/v1/rooms?q=zzz", &admin, None).await;
    assert_eq!(none, json!([]));

    // In use: the campus has a building, the building a room.
    let (status, refused) = call(
        &app,
        "DELETE",
        &format!("/api/v1/campuses/{}", id(&campus)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("used by 1 building")),
        "{refused}"
    );
    let (status, refused) = call(
        &app,
        "POST",
        &format!("/api/v1/buildings/{building_id}/retire"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("1 room in use")),
        "{refused}"
    );

    // Retired, a room is offered no more: a new room cannot go in a retired building.
    let (status, retired) = call(
        &app,
        "POST",
        &format!("/api/v1/rooms/{}/retire", id(&room)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{retired}");
    assert_eq!(retired["retired"], true);
    let (_, active) = call(&app, "GET", "/api/v1/rooms", &admin, None).await;
    assert_eq!(active, json!([]), "a retired room is not listed as in use");
    let (_, all) = call(&app, "GET", "/api/v1/rooms?show=all", &admin, None).await;
    assert_eq!(all.as_array().map(Vec::len), Some(1));
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/buildings/{building_id}/retire"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/rooms",
        &admin,
        Some(json!({"code": "ENG-201", "name": "Seminar", "building": "ENG", "kind": "seminar", "capacity": 20})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(answer.to_string().contains("is retired"), "{answer}");
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/buildings/{building_id}/restore"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Nothing uses the room: it may go.
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("/api/v1/rooms/{}", id(&room)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/rooms/{}", id(&room)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Another college sees none of it, and cannot change it.
    let (_, other) = admin_token(&app, "beta").await;
    let (_, theirs) = call(&app, "GET", "/api/v1/campuses", &other, None).await;
    assert_eq!(theirs, json!([]));
    let (status, _) = call(
        &app,
        "PATCH",
        &format!("/api/v1/buildings/{building_id}"),
        &other,
        Some(json!({"name": "Taken over"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let actions = fixtures::audit_actions(&app.pool, college).await;
    for action in [
        "campus.created",
        "building.created",
        "room.created",
        "room.changed",
        "room.retired",
        "building.retired",
        "building.restored",
        "room.deleted",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} not in {actions:?}"
        );
    }
}

#[tokio::test]
async fn rooms_are_set_up_from_the_pages_with_the_form_pattern() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    fixtures::user(&app.pool, college, "tess@alpha.edu", &[Role::Teacher]).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;

    let page = admin.get("/setup").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    Doc::parse(&page.html).expect_text("a[href='/setup/rooms']", "Rooms");

    let page = admin.get("/setup/campuses/new").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let made = admin
        .post(
            "/setup/campuses",
            &[
                ("_csrf", &page.csrf()),
                ("code", "MAIN"),
                ("name", "Main campus"),
                ("address", ""),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let made = admin
        .post(
            "/setup/buildings",
            &[
                ("_csrf", &page.csrf()),
                ("code", "ENG"),
                ("name", "Engineering"),
                ("campus", "MAIN"),
                ("floors", "3"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);

    // Refused: the page again with every value as typed, each message by its field.
    let page = admin.get("/setup/rooms/new").await;
    let refused = admin
        .post(
            "/setup/rooms",
            &[
                ("_csrf", &page.csrf()),
                ("code", "eng 1"),
                ("name", "Physics lab"),
                ("building", "ENG"),
                ("kind", "lab"),
                ("capacity", "lots"),
                ("floor", "2"),
                ("features", "projector"),
                ("features", "lab_benches"),
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
    assert!(doc.has("nav.site-nav a"), "in the college's chrome");
    doc.expect_text(".error-summary a[href='#code']", "capital letters");
    doc.expect_text("#capacity-error", "whole number");
    assert_eq!(doc.attr("#code", "value").as_deref(), Some("eng 1"));
    assert_eq!(doc.attr("#capacity", "value").as_deref(), Some("lots"));
    assert_eq!(doc.attr("#name", "value").as_deref(), Some("Physics lab"));
    assert!(doc.has("#building option[value='ENG'][selected]"));
    assert!(doc.has("#kind option[value='lab'][selected]"));
    assert!(doc.has("input[name=features][value=lab_benches][checked]"));
    assert!(!doc.has("input[name=features][value=computers][checked]"));

    // Right: the room's page, saying so once.
    let made = admin
        .post(
            "/setup/rooms",
            &[
                ("_csrf", &page.csrf()),
                ("code", "eng-201"),
                ("name", "Physics lab"),
                ("building", "ENG"),
                ("kind", "lab"),
                ("capacity", "40"),
                ("floor", "2"),
                ("features", "lab_benches"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let room = made.location.clone().expect("the room's page");
    assert!(room.starts_with("/setup/rooms/"), "{room}");
    let page = admin.get(&room).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success[role=status]", "Room ENG-201 created");
    doc.expect_text("h1", "Room ENG-201");
    doc.expect_text("dl.facts", "Lab benches");

    // The list: sortable, counted, exported.
    let list = admin.get("/setup/rooms?sort=capacity&dir=desc").await;
    let doc = Doc::parse(&list.html);
    doc.expect_text("#records td[data-label=Code] a", "ENG-201");
    doc.expect_text(".list-summary", "Showing 1–1 of 1");
    let csv = admin.get("/setup/rooms?format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.html.starts_with("Code,Name,Building"), "{}", csv.html);
    assert!(
        csv.html.contains("ENG-201,Physics lab,ENG,Laboratory,40,2"),
        "{}",
        csv.html
    );

    // Deleting goes through a confirmation that names the room.
    let confirm = admin.get(&format!("{room}/delete")).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
    Doc::parse(&confirm.html).expect_text("h1", "Delete Room ENG-201?");
    let gone = admin
        .post(&format!("{room}/delete"), &[("_csrf", &confirm.csrf())])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER, "{}", gone.html);
    assert_eq!(gone.location.as_deref(), Some("/setup/rooms"));

    // A teacher may look but not change.
    let mut teacher = Browser::new(&app);
    teacher.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    let list = teacher.get("/setup/buildings").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(!Doc::parse(&list.html).has("a[href='/setup/buildings/new']"));
    let refused = teacher
        .post(
            "/setup/buildings",
            &[
                ("_csrf", &list.csrf()),
                ("code", "X"),
                ("name", "Shed"),
                ("campus", "MAIN"),
                ("floors", "1"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn departments_and_programs_keep_their_history_and_name_what_holds_them() {
    let app = TestApp::new().await;
    let (_, admin) = admin_token(&app, "alpha").await;
    let (status, department) = call(
        &app,
        "POST",
        "/api/v1/departments",
        &admin,
        Some(json!({"code": "CSE", "name": "Computer Science and Engineering"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{department}");
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/departments",
        &admin,
        Some(json!({"code": "ECE", "name": "Electronics", "head": "NOBODY-1", "building": "NOWHERE"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["building", "head"], "{answer}");

    for (body, field) in [
        (
            json!({"code": "BT", "name": "B.Tech", "department": "MECH", "level": "undergraduate", "duration_years": 4}),
            "department",
        ),
        (
            json!({"code": "BT", "name": "B.Tech", "department": "CSE", "level": "bachelor", "duration_years": 4}),
            "level",
        ),
        (
            json!({"code": "BT", "name": "B.Tech", "department": "CSE", "level": "undergraduate", "duration_years": 9}),
            "duration_years",
        ),
        (
            json!({"code": "BT", "name": "B.Tech", "department": "CSE", "level": "undergraduate", "duration_years": 4, "intake_capacity": 0}),
            "intake_capacity",
        ),
    ] {
        let (status, answer) = call(&app, "POST", "/api/v1/programs", &admin, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(field_errors(&answer), [field], "{answer}");
    }
    let (status, program) = call(
        &app,
        "POST",
        "/api/v1/programs",
        &admin,
        Some(
            json!({"code": "btech-cse", "name": "B.Tech Computer Science", "department": "cse",
                    "level": "undergraduate", "duration_years": 4, "intake_capacity": 120}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{program}");
    assert_eq!(program["code"], "BTECH-CSE");
    assert_eq!(program["department"], "CSE");

    // A department with a program in use is neither retired nor deleted.
    let department_id = id(&department);
    let (status, refused) = call(
        &app,
        "POST",
        &format!("/api/v1/departments/{department_id}/retire"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("1 program in use")),
        "{refused}"
    );
    let (status, refused) = call(
        &app,
        "DELETE",
        &format!("/api/v1/departments/{department_id}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("used by 1 program")),
        "{refused}"
    );

    // Retired, the program is offered no more; its department may then retire too.
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/programs/{}/retire", id(&program)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, retired) = call(
        &app,
        "POST",
        &format!("/api/v1/departments/{department_id}/retire"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{retired}");
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/programs",
        &admin,
        Some(json!({"code": "MTECH", "name": "M.Tech", "department": "CSE", "level": "postgraduate", "duration_years": 2})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["department"], "{answer}");
    // The retired program can still be edited (its record is kept true).
    let (status, edited) = call(
        &app,
        "PATCH",
        &format!("/api/v1/programs/{}", id(&program)),
        &admin,
        Some(json!({"name": "B.Tech in Computer Science"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["retired"], true);
}
