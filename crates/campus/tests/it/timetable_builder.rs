//! The timetable builder and sections kept by the registrar: a program year's courses,
//! a meeting tried before it is placed (every clash named, free rooms of the right size
//! offered), the blocking clashes refused and a program year's overlap placed only when
//! accepted, the term's clash report, sections edited (teachers, room, seats), closed
//! and deleted only while nothing was recorded in them. Through the API and the pages.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use serde_json::{Value, json};

use crate::util::api::{call, field_errors, id, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::world::{students, world};
use crate::util::{Browser, TestApp};

fn messages(answer: &Value) -> String {
    answer["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["message"].as_str())
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default()
}

/// Rooms, two bell periods and two teachers made through the API; the program's id.
async fn furnish(app: &TestApp, admin: &str) -> (Value, Value, String) {
    for (uri, body) in [
        ("/api/v1/campuses", json!({"code": "MAIN", "name": "Main"})),
        (
            "/api/v1/buildings",
            json!({"code": "ENG", "name": "Engineering", "campus": "MAIN", "floors": 3}),
        ),
        (
            "/api/v1/rooms",
            json!({"code": "HALL-1", "name": "Hall", "building": "ENG", "kind": "lecture_hall", "capacity": 60}),
        ),
        (
            "/api/v1/rooms",
            json!({"code": "LAB-1", "name": "Lab", "building": "ENG", "kind": "lab", "capacity": 35}),
        ),
        (
            "/api/v1/rooms",
            json!({"code": "SEM-1", "name": "Seminar", "building": "ENG", "kind": "seminar", "capacity": 10}),
        ),
        (
            "/api/v1/bell-periods",
            json!({"name": "Period 1", "starts": "09:00", "ends": "10:00"}),
        ),
        (
            "/api/v1/bell-periods",
            json!({"name": "Period 2", "starts": "10:00", "ends": "11:00"}),
        ),
    ] {
        let (status, answer) = call(app, "POST", uri, admin, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{uri}: {answer}");
    }
    let mut teachers = Vec::new();
    for (number, first, last) in [("ST-1", "Asha", "Rao"), ("ST-2", "Ben", "Ode")] {
        let (status, made) = call(
            app,
            "POST",
            "/api/v1/staff",
            admin,
            Some(json!({"staff_number": number, "first_name": first, "last_name": last})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        teachers.push(made["id"].clone());
    }
    let (_, rooms) = call(app, "GET", "/api/v1/rooms?sort=code", admin, None).await;
    let (_, programs) = call(app, "GET", "/api/v1/programs", admin, None).await;
    let _ = rooms;
    (teachers[0].clone(), teachers[1].clone(), id(&programs[0]))
}

async fn room_id(app: &TestApp, admin: &str, code: &str) -> Value {
    let (_, rooms) = call(app, "GET", "/api/v1/rooms", admin, None).await;
    rooms
        .as_array()
        .and_then(|all| all.iter().find(|r| r["code"] == code))
        .map(|r| r["id"].clone())
        .unwrap_or_else(|| panic!("room {code}: {rooms}"))
}

#[tokio::test]
async fn meetings_are_tried_placed_and_reported_with_every_clash_named() {
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
    let (asha, ben, program) = furnish(&app, &admin).await;
    let hall = room_id(&app, &admin, "HALL-1").await;
    let lab = room_id(&app, &admin, "LAB-1").await;
    let seminar = room_id(&app, &admin, "SEM-1").await;
    let cs101 = format!("/api/v1/sections/{}", w.section);
    let cs201 = format!("/api/v1/sections/{}", w.advanced);

    // The program's first year takes both courses; a fourth year it does not have.
    let year = format!("/api/v1/programs/{program}/years/1/courses");
    let (status, list) = call(
        &app,
        "PUT",
        &year,
        &admin,
        Some(json!({"courses": ["cs101", "CS201"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list.as_array().map(Vec::len), Some(2), "{list}");
    let (status, answer) = call(
        &app,
        "PUT",
        &format!("/api/v1/programs/{program}/years/4/courses"),
        &admin,
        Some(json!({"courses": ["CS101"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(messages(&answer).contains("runs 3 years"), "{answer}");
    let (status, answer) = call(
        &app,
        "PUT",
        &year,
        &admin,
        Some(json!({"courses": ["CS101", "NOPE9"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (_, list) = call(&app, "GET", &year, &admin, None).await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(2),
        "nothing half-written"
    );

    // Asha teaches both sections; CS101 A meets Monday, Period 1, in the hall.
    for section in [&cs101, &cs201] {
        let (status, answer) = call(
            &app,
            "PATCH",
            section,
            &admin,
            Some(json!({"teachers": [asha], "capacity": 30})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{answer}");
        assert_eq!(answer["teachers"][0]["name"], "Asha Rao");
        assert_eq!(answer["capacity"], 30);
    }
    let (status, answer) = call(
        &app,
        "POST",
        &format!("{cs101}/meetings"),
        &admin,
        Some(json!({"weekday": 1, "period": "Period 1", "room_id": hall})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    // Trying CS201 A then in the hall names the room, the teacher and the program year,
    // and offers only the free rooms that seat 30.
    let (status, tried) = call(
        &app,
        "POST",
        "/api/v1/timetable/check",
        &admin,
        Some(
            json!({"section_id": w.advanced, "weekday": 1, "period": "Period 1", "room_id": hall}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{tried}");
    let kinds: Vec<&str> = tried["clashes"]
        .as_array()
        .expect("clashes")
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["room", "teacher", "program_year"], "{tried}");
    let all = tried.to_string();
    assert!(all.contains("room HALL-1 is taken on Monday 09:00–10:00 by CS101 A"));
    assert!(all.contains("Asha Rao already teaches CS101 A on Monday 09:00–10:00"));
    assert!(all.contains("BSC-CS year 1 also takes CS101 A on Monday 09:00–10:00"));
    let free: Vec<&str> = tried["free_rooms"]
        .as_array()
        .expect("rooms")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert_eq!(free, ["LAB-1"], "{tried}");

    // Placed for real, the blocking clashes are refused and nothing is saved.
    let place = json!({"weekday": 1, "period": "Period 1", "room_id": lab});
    let (status, answer) = call(
        &app,
        "POST",
        &format!("{cs201}/meetings"),
        &admin,
        Some(place.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["teachers", "weekday"], "{answer}");
    // Ben takes CS201 A: only the program year's overlap is left, placed when accepted.
    let (status, answer) = call(
        &app,
        "PATCH",
        &cs201,
        &admin,
        Some(json!({"teachers": [ben]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let (status, answer) = call(
        &app,
        "POST",
        &format!("{cs201}/meetings"),
        &admin,
        Some(place.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["weekday"], "{answer}");
    assert!(messages(&answer).contains("accept the overlap"), "{answer}");
    let mut accepted = place.clone();
    accepted["accept_overlaps"] = json!(true);
    let (status, answer) = call(
        &app,
        "POST",
        &format!("{cs201}/meetings"),
        &admin,
        Some(accepted),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");

    // Asha cannot take CS201 A back now: she teaches CS101 A then.
    let (status, answer) = call(
        &app,
        "PATCH",
        &cs201,
        &admin,
        Some(json!({"teachers": [asha, ben]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        messages(&answer).contains("Asha Rao teaches CS101 A on Monday 09:00–10:00"),
        "{answer}"
    );
    // A room smaller than the section, and fewer seats than a room needs, are refused.
    let (status, answer) = call(
        &app,
        "PATCH",
        &cs201,
        &admin,
        Some(json!({"room_id": seminar})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        messages(&answer).contains("room SEM-1 seats 10, fewer than the section's 30"),
        "{answer}"
    );

    // The term's report names the program year's overlap, and what is left to do.
    let report = format!("/api/v1/timetable/clashes?term={}", w.term);
    let (status, lines) = call(&app, "GET", &report, &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{lines}");
    let text = lines.to_string();
    assert!(
        text.contains("BSC-CS year 1 takes") && text.contains("which meet at once on Monday"),
        "{lines}"
    );

    // A meeting taken off the timetable; the overlap goes from the report.
    let (_, section) = call(&app, "GET", &cs201, &admin, None).await;
    let meeting = id(&section["meetings"][0]);
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("{cs201}/meetings/{meeting}"),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, lines) = call(&app, "GET", &report, &admin, None).await;
    assert!(!lines.to_string().contains("program_year"), "{lines}");

    // Closed, a section takes nobody new; a section with a student is not deleted.
    let people = students(&app, &w, 1).await;
    let (_, student) = &people[0];
    let (status, closed) = call(&app, "POST", &format!("{cs101}/close"), &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["closed"], true);
    let (status, refused) = call(&app, "POST", &format!("{cs101}/enroll"), student, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(messages(&refused).contains("closed"), "{refused}");
    call(&app, "POST", &format!("{cs101}/reopen"), &admin, None).await;
    let (status, enrolled) = call(&app, "POST", &format!("{cs101}/enroll"), student, None).await;
    assert_eq!(status, StatusCode::OK, "{enrolled}");
    let (status, refused) = call(&app, "DELETE", &cs101, &admin, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("1 enrolment")),
        "{refused}"
    );
    let (status, answer) = call(&app, "PATCH", &cs101, &admin, Some(json!({"capacity": 0}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    let (status, _) = call(&app, "DELETE", &cs201, &admin, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(&app, "GET", &cs201, &admin, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in [
        "catalog.curriculum_changed",
        "catalog.section_changed",
        "catalog.section_closed",
        "catalog.section_reopened",
        "catalog.section_deleted",
        "timetable.meeting_added",
        "timetable.meeting_removed",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn the_builder_page_places_meetings_and_names_clashes_before_saving() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let admin_token =
        token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    let (asha, _, program) = furnish(&app, &admin_token).await;
    let hall = room_id(&app, &admin_token, "HALL-1").await;
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;

    // The program year's courses, added on the builder's page.
    let view = format!(
        "/timetable/builder?term={}&program={program}&year=1",
        w.term
    );
    let page = admin.get(&view).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    doc.expect_text("h1", "BSC-CS year 1");
    for code in ["CS101", "CS201"] {
        let added = admin
            .post(
                "/timetable/builder/curriculum",
                &[
                    ("_csrf", &page.csrf()),
                    ("term", &w.term.to_string()),
                    ("program", &program),
                    ("year", "1"),
                    ("course", code),
                ],
            )
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    }
    let refused = admin
        .post(
            "/timetable/builder/curriculum",
            &[
                ("_csrf", &page.csrf()),
                ("term", &w.term.to_string()),
                ("program", &program),
                ("year", "1"),
                ("course", "NOPE9"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    Doc::parse(&refused.html).expect_text("#course-error", "NOPE9");

    // The section's teachers set on its edit page.
    let edit = admin
        .get(&format!("/catalog/sections/{}/edit", w.section))
        .await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.html);
    let teacher = asha.as_str().unwrap_or_default().to_string();
    let saved = admin
        .post(
            &format!("/catalog/sections/{}/edit", w.section),
            &[
                ("_csrf", &edit.csrf()),
                ("capacity", "30"),
                ("room_id", ""),
                ("teachers", &teacher),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let edit = admin
        .get(&format!("/catalog/sections/{}/edit", w.advanced))
        .await;
    let saved = admin
        .post(
            &format!("/catalog/sections/{}/edit", w.advanced),
            &[
                ("_csrf", &edit.csrf()),
                ("capacity", "30"),
                ("room_id", ""),
                ("teachers", &teacher),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);

    // Preparing a placement lists the free rooms; placing it puts it on the grid.
    let prepared = admin
        .get(&format!(
            "{view}&section={}&weekday=1&period=Period%201",
            w.section
        ))
        .await;
    assert_eq!(prepared.status, StatusCode::OK, "{}", prepared.html);
    let doc = Doc::parse(&prepared.html);
    doc.expect_text(".card .alert-success", "No clash");
    assert!(doc.has(&format!(
        "#room_id option[value='{}']",
        hall.as_str().unwrap_or_default()
    )));
    assert!(
        !prepared.html.contains("SEM-1 ("),
        "a room too small is not offered"
    );
    let term = w.term.to_string();
    let section = w.section.to_string();
    let placed = admin
        .post(
            "/timetable/builder/place",
            &[
                ("_csrf", &prepared.csrf()),
                ("term", &term),
                ("program", &program),
                ("year", "1"),
                ("section", &section),
                ("weekday", "1"),
                ("period", "Period 1"),
                ("room_id", hall.as_str().unwrap_or_default()),
            ],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.html);
    let page = admin.get(&view).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success", "CS101 A placed on Monday, Period 1");
    doc.expect_text(
        ".timetable-grid tbody tr:first-child td:first-of-type",
        "CS101 A",
    );

    // The same teacher at the same time is refused on the page, named, nothing saved.
    let advanced = w.advanced.to_string();
    let refused = admin
        .post(
            "/timetable/builder/place",
            &[
                ("_csrf", &page.csrf()),
                ("term", &term),
                ("program", &program),
                ("year", "1"),
                ("section", &advanced),
                ("weekday", "1"),
                ("period", "Period 1"),
                ("room_id", ""),
                ("accept", "yes"),
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
    doc.expect_text(".error-summary", "Asha Rao already teaches CS101 A");
    let (_, found) = call(
        &app,
        "GET",
        &format!("/api/v1/sections/{}", w.advanced),
        &admin_token,
        None,
    )
    .await;
    assert_eq!(found["meetings"].as_array().map(Vec::len), Some(0));

    // The section's page shows the meeting; the clash report the unplaced section.
    let page = admin.get(&format!("/catalog/sections/{}", w.section)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    Doc::parse(&page.html).expect_text("main table", "Monday");
    let report = admin.get(&format!("/timetable/clashes?term={term}")).await;
    assert_eq!(report.status, StatusCode::OK, "{}", report.html);
    Doc::parse(&report.html).expect_text("main", "CS201 A has no weekly meeting");
}
