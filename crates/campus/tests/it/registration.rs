//! Registration: windows, prerequisites, credit limits, a waitlist with promotion, and
//! capacity that holds when hundreds of students race for the last seats.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::util::TestApp;
use crate::util::api::call;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{Class, class, students, token_of, world};

#[tokio::test]
async fn two_hundred_students_racing_for_twenty_seats_never_oversell() {
    let app = TestApp::new().await;
    let w = world(&app, 20).await;
    let racers = students(&app, &w, 200).await;
    let tasks: Vec<_> = racers
        .iter()
        .map(|(_, token)| enrol_task(&app, w.section, token))
        .collect();
    let mut enrolled = 0;
    let mut waitlisted = 0;
    for task in tasks {
        let (status, body) = task.await.expect("task");
        assert_eq!(status, StatusCode::OK, "{body}");
        match body["outcome"].as_str() {
            Some("enrolled") => enrolled += 1,
            Some("waitlisted") => waitlisted += 1,
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!((enrolled, waitlisted), (20, 180));
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let (counted, stored): (i64, i32) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM enrollments WHERE status = 'enrolled'), (SELECT enrolled FROM sections WHERE id = $1)",
    )
    .bind(w.section)
    .fetch_one(&mut *tx)
    .await
    .expect("counts");
    assert_eq!((counted, stored), (20, 20));
}

/// Sends one enrolment request for `token` through the router, off the test's task.
fn enrol_task(
    app: &TestApp,
    section: Uuid,
    token: &str,
) -> tokio::task::JoinHandle<(StatusCode, Value)> {
    let router = app.router.clone();
    let uri = format!("/api/v1/sections/{section}/enroll");
    let token = token.to_string();
    tokio::spawn(async move {
        use tower::ServiceExt;
        let request = Request::post(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("request");
        let response = router.oneshot(request).await.expect("router");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        (
            status,
            serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
        )
    })
}

#[tokio::test]
async fn a_students_twin_requests_for_a_full_section_waitlist_them_once() {
    let app = TestApp::new().await;
    let w = world(&app, 1).await;
    let racers = students(&app, &w, 9).await;
    // The one seat goes first; then everyone else asks twice at once.
    let (status, first) = enrol_task(&app, w.section, &racers[0].1)
        .await
        .expect("task");
    assert_eq!(
        (status, first["outcome"].as_str()),
        (StatusCode::OK, Some("enrolled"))
    );
    let mut tasks = Vec::new();
    for (_, token) in &racers[1..] {
        tasks.push(enrol_task(&app, w.section, token));
        tasks.push(enrol_task(&app, w.section, token));
    }
    let (mut waitlisted, mut refused) = (0, 0);
    for task in tasks {
        let (status, body) = task.await.expect("task");
        match status {
            StatusCode::OK => {
                assert_eq!(body["outcome"], "waitlisted", "{body}");
                waitlisted += 1;
            }
            StatusCode::CONFLICT => refused += 1,
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!((waitlisted, refused), (8, 8));
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let (enrolled, waiting, seats): (i64, i64, i32) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE status = 'enrolled'), count(*) FILTER (WHERE status = 'waitlisted'), \
                (SELECT enrolled FROM sections WHERE id = $1) FROM enrollments",
    )
    .bind(w.section)
    .fetch_one(&mut *tx)
    .await
    .expect("counts");
    assert_eq!((enrolled, waiting, seats), (1, 8, 1));
}

#[tokio::test]
async fn the_rules_are_explained_and_a_drop_promotes_the_first_waiting() {
    let mail = fixtures::mail_dir();
    let app = TestApp::with_settings(&[("CAMPUS_MAIL_DIR", mail.to_str().expect("path"))]).await;
    let w = world(&app, 1).await;
    let people = students(&app, &w, 3).await;
    let (first, second, third) = (&people[0], &people[1], &people[2]);
    let enrol = |section: Uuid| format!("/api/v1/sections/{section}/enroll");

    // Prerequisite missing: the answer names it.
    let (status, problem) = call(&app, "POST", &enrol(w.advanced), &first.1, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"].as_str().unwrap_or("").contains("CS101"),
        "{problem}"
    );

    assert_eq!(
        call(&app, "POST", &enrol(w.section), &first.1, None)
            .await
            .1["outcome"],
        "enrolled"
    );
    let (status, _) = call(&app, "POST", &enrol(w.section), &first.1, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "enrolled twice");
    assert_eq!(
        call(&app, "POST", &enrol(w.section), &second.1, None)
            .await
            .1["outcome"],
        "waitlisted"
    );
    assert_eq!(
        call(&app, "POST", &enrol(w.section), &third.1, None)
            .await
            .1["outcome"],
        "waitlisted"
    );
    let (_, mine) = call(&app, "GET", "/api/v1/me/enrollments", &third.1, None).await;
    assert_eq!(mine[0]["waitlist_position"], 2);

    // The first drops: the second (first in line) gets the seat and a mail.
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/drop", w.section),
        &first.1,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, mine) = call(&app, "GET", "/api/v1/me/enrollments", &second.1, None).await;
    assert_eq!(mine[0]["status"], "enrolled");
    let mails = fixtures::delivered_mail(&app, &mail).await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("s1@alpha.edu") && m.contains("CS101")),
        "no promotion notice"
    );

    // Credit limit (8): with CS101 passed by a registrar's record, CS201 (4) fits once.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("INSERT INTO course_completions (college_id, student_id, course_id) SELECT app_current_college(), $1, id FROM courses WHERE code = 'CS101'")
        .bind(second.0)
        .execute(&mut *tx)
        .await
        .expect("completion");
    sqlx::query("UPDATE courses SET credits = 5 WHERE code = 'CS201'")
        .execute(&mut *tx)
        .await
        .expect("credits");
    tx.commit().await.expect("commit");
    let (status, problem) = call(&app, "POST", &enrol(w.advanced), &second.1, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("limit is 8"),
        "{problem}"
    );

    // A closed window, and a registrar's override with a reason (audited).
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE registration_windows SET closes_at = now() - interval '1 minute', opens_at = now() - interval '2 days'")
        .execute(&mut *tx)
        .await
        .expect("close");
    tx.commit().await.expect("commit");
    let (status, problem) = call(&app, "POST", &enrol(w.section), &first.1, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("not open"),
        "{problem}"
    );
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = {
        let (status, body) = call_login(&app, "reg@alpha.edu").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().expect("token").to_string()
    };
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/override", w.advanced),
        &registrar,
        Some(json!({"student_id": first.0, "reason": ""})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an override without a reason"
    );
    let (status, answer) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/override", w.advanced),
        &registrar,
        Some(json!({"student_id": first.0, "reason": "Transfer credit from another college"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for expected in [
        "registration.enrolled",
        "registration.waitlisted",
        "registration.dropped",
        "registration.promoted",
        "registration.override",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} not audited"
        );
    }
    // The registrar's dashboard shows the section with its waitlist.
    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    let dashboard = browser.get("/dashboard").await;
    let doc = Doc::parse(&dashboard.html);
    assert_eq!(doc.text("h2#busy"), "Full and waitlisted sections");
    doc.expect_text("section[aria-labelledby=busy] table tbody td", "CS101 A");
    // A student cannot use the override.
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/override", w.advanced),
        &third.1,
        Some(json!({"student_id": third.0, "reason": "I want in"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    std::fs::remove_dir_all(mail).ok();
}

/// Signs `email` of `alpha` in with the fixture password: the status and the answer.
async fn call_login(app: &TestApp, email: &str) -> (StatusCode, Value) {
    crate::util::api::login(app, "alpha", email, PASSWORD, None).await
}

#[tokio::test]
async fn registrars_build_the_catalog_and_bad_input_is_named() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let (_, body) = call_login(&app, "reg@alpha.edu").await;
    let token = body["access_token"].as_str().expect("token").to_string();
    let (status, problem) = call(&app, "POST", "/api/v1/courses", &token, Some(json!({"code": "cs 3", "title": "", "credits": -1, "department": "NOPE", "prerequisites": ["XX9"]}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    for field in ["code", "title", "credits", "department", "prerequisites"] {
        assert!(fields.contains(&field), "{field} not named: {problem}");
    }
    let (status, course) = call(&app, "POST", "/api/v1/courses", &token, Some(json!({"code": "CS301", "title": "Algorithms", "credits": 4, "department": "cse", "prerequisites": ["CS201"]}))).await;
    assert_eq!(status, StatusCode::CREATED, "{course}");
    assert_eq!(course["prerequisites"], json!(["CS201"]));
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/sections",
        &token,
        Some(json!({"course_id": course["id"], "term_id": w.term, "code": "A", "capacity": 0})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/sections",
        &token,
        Some(json!({"course_id": course["id"], "term_id": w.term, "code": "A", "capacity": 30})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/sections",
        &token,
        Some(json!({"course_id": course["id"], "term_id": w.term, "code": "A", "capacity": 30})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a duplicate section"
    );
    let (_, found) = call(&app, "GET", "/api/v1/courses?q=algorithms", &token, None).await;
    assert_eq!(found.as_array().expect("list").len(), 1);
    let (_, detail) = call(
        &app,
        "GET",
        &format!("/api/v1/courses/{}", course["id"].as_str().expect("id")),
        &token,
        None,
    )
    .await;
    assert_eq!(detail["sections"][0]["capacity"], 30);
}

#[tokio::test]
async fn double_bookings_are_refused_by_the_database_with_the_clash_named() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let (_, body) = call_login(&app, "reg@alpha.edu").await;
    let token = body["access_token"].as_str().expect("token").to_string();
    // A room, and one teacher on both sections.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let room: Uuid = sqlx::query_scalar(
        "WITH c AS (INSERT INTO campuses (college_id, code, name) VALUES (app_current_college(), 'MAIN', 'Main') RETURNING id), \
              b AS (INSERT INTO buildings (college_id, campus_id, code, name) SELECT app_current_college(), id, 'B1', 'Block' FROM c RETURNING id) \
         INSERT INTO rooms (college_id, building_id, code, name, kind, capacity) SELECT app_current_college(), id, 'B1-101', 'Room 101', 'classroom', 60 FROM b RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("room");
    let teacher: Uuid = sqlx::query_scalar(
        "INSERT INTO staff (college_id, staff_number, first_name, last_name) VALUES (app_current_college(), 'ST001', 'Tess', 'Teach') RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("staff");
    for section in [w.section, w.advanced] {
        sqlx::query("INSERT INTO section_teachers (college_id, section_id, staff_id) VALUES (app_current_college(), $1, $2)")
            .bind(section)
            .bind(teacher)
            .execute(&mut *tx)
            .await
            .expect("teacher");
    }
    tx.commit().await.expect("commit");
    let meet = |section: Uuid| format!("/api/v1/sections/{section}/meetings");

    let (status, _) = call(
        &app,
        "POST",
        &meet(w.section),
        &token,
        Some(json!({"weekday": 1, "starts": "09:00", "ends": "10:30", "room_id": room})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, problem) = call(
        &app,
        "POST",
        &meet(w.advanced),
        &token,
        Some(json!({"weekday": 1, "starts": "10:00", "ends": "11:00", "room_id": room})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = problem["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        message.contains("Monday") && message.contains("CS101 A"),
        "{message}"
    );
    let (status, problem) = call(
        &app,
        "POST",
        &meet(w.advanced),
        &token,
        Some(json!({"weekday": 1, "starts": "10:00", "ends": "11:00"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a teacher was booked twice"
    );
    assert!(
        problem["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("Tess Teach already teaches"),
        "{problem}"
    );
    let (status, problem) = call(
        &app,
        "POST",
        &meet(w.advanced),
        &token,
        Some(json!({"weekday": 1, "starts": "11:00", "ends": "10:00"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    // Back to back is no clash.
    let (status, _) = call(
        &app,
        "POST",
        &meet(w.advanced),
        &token,
        Some(json!({"weekday": 1, "starts": "10:30", "ends": "11:30", "room_id": room})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);

    // A student with CS101 on Monday 9:00–10:30 cannot take a section meeting then.
    let people = students(&app, &w, 1).await;
    let (student, student_token) = &people[0];
    assert_eq!(
        call(
            &app,
            "POST",
            &format!("/api/v1/sections/{}/enroll", w.section),
            student_token,
            None
        )
        .await
        .1["outcome"],
        "enrolled"
    );
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let clashing: Uuid = sqlx::query_scalar(
        "INSERT INTO sections (college_id, course_id, term_id, code, capacity) SELECT app_current_college(), course_id, term_id, 'B', 10 FROM sections WHERE id = $1 RETURNING id",
    )
    .bind(w.advanced)
    .fetch_one(&mut *tx)
    .await
    .expect("section");
    sqlx::query("INSERT INTO course_completions (college_id, student_id, course_id) SELECT app_current_college(), $1, id FROM courses WHERE code = 'CS101'")
        .bind(student)
        .execute(&mut *tx)
        .await
        .expect("completion");
    tx.commit().await.expect("commit");
    let (status, _) = call(
        &app,
        "POST",
        &meet(clashing),
        &token,
        Some(json!({"weekday": 1, "starts": "08:30", "ends": "09:30"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, problem) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{clashing}/enroll"),
        student_token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("clashes with your timetable"),
        "{problem}"
    );
    let (_, week) = call(&app, "GET", "/api/v1/me/timetable", student_token, None).await;
    assert_eq!(week.as_array().expect("week").len(), 1);
    assert_eq!(week[0]["course_code"], "CS101");

    // The student's calendar feed, behind a secret link.
    let feed_token = campus::identity::signin::session::new_token();
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("INSERT INTO calendar_feeds (college_id, user_id, token_hash) SELECT app_current_college(), user_id, $2 FROM students WHERE id = $1")
        .bind(student)
        .bind(campus::identity::signin::session::token_hash(&feed_token))
        .execute(&mut *tx)
        .await
        .expect("feed");
    tx.commit().await.expect("commit");
    let link = format!(
        "/ical/{}.ics",
        campus::identity::tokens::credentials::refresh_value(w.college, &feed_token)
    );
    let response = app.get(&link).await;
    assert_eq!(response.status(), StatusCode::OK);
    let ics = crate::util::app::body_text(response).await;
    assert!(
        ics.contains("BEGIN:VEVENT")
            && ics.contains("SUMMARY:CS101 A")
            && ics.contains("RRULE:FREQ=WEEKLY"),
        "{ics}"
    );
    let wrong = link.replace(".ics", "x.ics");
    assert_eq!(app.get(&wrong).await.status(), StatusCode::NOT_FOUND);

    // Class sessions come from the timetable: two Mondays in any fourteen days.
    let today = time::OffsetDateTime::now_utc().date();
    let range =
        json!({"from": today.to_string(), "to": (today + time::Duration::days(13)).to_string()});
    let generate = format!("/api/v1/sections/{}/sessions/generate", w.section);
    let (status, added) = call(&app, "POST", &generate, &token, Some(range.clone())).await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["added"], 2);
    assert_eq!(
        call(&app, "POST", &generate, &token, Some(range)).await.1["added"],
        0,
        "generated twice"
    );
    let (status, _) = call(
        &app,
        "POST",
        &generate,
        &token,
        Some(json!({"from": "2026-12-01", "to": "2026-01-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The room's week, through the API and the page.
    let (status, slots) = call(
        &app,
        "GET",
        &format!("/api/v1/rooms/{room}/timetable"),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        slots
            .as_array()
            .expect("slots")
            .iter()
            .any(|s| s["course_code"] == "CS101" && s["room"] == "B1-101"),
        "{slots}"
    );
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/rooms/{}/timetable", Uuid::new_v4()),
        &token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    let page = browser.get(&format!("/timetable/rooms/{room}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    doc.expect_text("h1", "Room B1-101");
    doc.expect_text("table tbody td:nth-child(3)", "CS101");
    let page = browser.get(&format!("/timetable/teachers/{teacher}")).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("h1", "Tess Teach");
    doc.expect_text("table tbody td:nth-child(3)", "CS101");
}

#[tokio::test]
async fn teachers_mark_their_own_sections_in_one_request() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people,
        outsider,
        tess,
        other,
    } = class(&app, &w, 3).await;

    let today = time::OffsetDateTime::now_utc().date().to_string();
    let body = json!({"held_on": today, "starts": "09:00", "ends": "10:00"});
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/sessions", w.section),
        &other,
        Some(body.clone()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a teacher added a session to another's section"
    );
    let (status, session) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/sessions", w.section),
        &tess,
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let session = session["id"].as_str().expect("id").to_string();

    // The second student's guardian has an account.
    let parent = fixtures::user(&app.pool, w.college, "mum@example.org", &[Role::Parent]).await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query(
        "WITH g AS (INSERT INTO guardians (college_id, user_id, first_name, last_name, email) \
                    VALUES (app_current_college(), $1, 'Mum', 'No1', 'mum@example.org') RETURNING id) \
         INSERT INTO student_guardians (college_id, student_id, guardian_id, relationship, is_primary) \
         SELECT app_current_college(), $2, id, 'mother', true FROM g",
    )
    .bind(parent)
    .bind(people[1].0)
    .execute(&mut *tx)
    .await
    .expect("guardian");
    tx.commit().await.expect("commit");
    let mut marks: Vec<Value> = people
        .iter()
        .map(|(id, _)| json!({"student_id": id, "status": "present"}))
        .collect();
    marks[1]["status"] = json!("absent");
    let mut bad = marks.clone();
    bad.push(json!({"student_id": outsider[0].0, "status": "present"}));
    let (status, problem) = call(
        &app,
        "PUT",
        &format!("/api/v1/sessions/{session}/attendance"),
        &tess,
        Some(json!({"marks": bad})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem.to_string().contains("not enrolled in the section"),
        "{problem}"
    );
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/sessions/{session}/attendance"),
        &other,
        Some(json!({"marks": marks.clone()})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/sessions/{session}/attendance"),
        &tess,
        Some(json!({"marks": marks})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, mine) = call(&app, "GET", "/api/v1/me/attendance", &people[1].1, None).await;
    assert_eq!(mine[0]["percent"], 0.0);
    // Under the threshold (75%): the absent student is alerted, once.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let alerts: Vec<String> = sqlx::query_scalar(
        "SELECT to_address::text FROM mail_outbox WHERE subject LIKE 'Attendance in CS101%'",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("alerts");
    tx.commit().await.expect("commit");
    assert_eq!(alerts.len(), 2, "the student and the guardian: {alerts:?}");
    assert!(alerts.contains(&"mum@example.org".to_string()));
    let mum = token_of(&app, "mum@example.org").await;
    let (status, children) = call(&app, "GET", "/api/v1/me/children/attendance", &mum, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(children[0]["courses"][0]["percent"], 0.0, "{children}");
    let (_, mine) = call(&app, "GET", "/api/v1/me/attendance", &people[0].1, None).await;
    assert_eq!(mine[0]["percent"], 100.0);

    // The teacher's dashboard lists today's session among what there is to do.
    let mut teacher_browser = crate::util::Browser::new(&app);
    teacher_browser
        .sign_in("alpha", "tess@alpha.edu", PASSWORD)
        .await;
    let dashboard = teacher_browser.get("/dashboard").await;
    let doc = Doc::parse(&dashboard.html);
    assert_eq!(doc.text("h2#teaching"), "Your teaching");
    assert!(
        doc.has(&format!(
            "section[aria-labelledby=todo] a[href='/sessions/{session}/mark']"
        )),
        "{}",
        dashboard.html
    );
    // An old session is closed to its teacher.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE class_sessions SET held_on = current_date - 10")
        .execute(&mut *tx)
        .await
        .expect("age");
    tx.commit().await.expect("commit");
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/sessions/{session}/attendance"),
        &tess,
        Some(json!({"marks": []})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The page marks the whole roster in one form.
    fixtures::user(&app.pool, w.college, "reg2@alpha.edu", &[Role::Registrar]).await;
    let mut registrar = crate::util::Browser::new(&app);
    registrar.sign_in("alpha", "reg2@alpha.edu", PASSWORD).await;
    let page = registrar.get(&format!("/sessions/{session}/mark")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let mut fields: Vec<(String, String)> = vec![("_csrf".into(), page.csrf())];
    for (id, _) in &people {
        fields.push((format!("status_{id}"), "late".into()));
    }
    let refs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let saved = registrar
        .post(&format!("/sessions/{session}/mark"), &refs)
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let back = format!("/sessions/{session}/mark");
    assert_eq!(saved.location.as_deref(), Some(back.as_str()));
    let page = registrar.get(&back).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Attendance saved for 3 students",
    );
    assert!(
        doc.has(&format!(
            "input[name='status_{}'][value=late][checked]",
            people[0].0
        )),
        "{}",
        page.html
    );
}

#[tokio::test]
async fn teachers_enter_marks_within_the_rules() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people,
        outsider,
        tess,
        other,
    } = class(&app, &w, 2).await;
    let create = format!("/api/v1/sections/{}/assessments", w.section);
    let midterm = json!({"name": "Midterm", "kind": "exam", "weight": 40, "max_marks": 50});

    let (status, _) = call(&app, "POST", &create, &other, Some(midterm.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another teacher's section");
    let (status, created) = call(&app, "POST", &create, &tess, Some(midterm)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let (status, problem) = call(
        &app,
        "POST",
        &create,
        &tess,
        Some(json!({"name": "Final", "kind": "exam", "weight": 70, "max_marks": 100})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weights over 100%"
    );
    assert!(problem.to_string().contains("at most 60"), "{problem}");
    let (status, _) = call(
        &app,
        "POST",
        &create,
        &tess,
        Some(json!({"name": "X", "kind": "party", "weight": 5, "max_marks": 10})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let marks = format!(
        "/api/v1/assessments/{}/marks",
        created["id"].as_str().expect("id")
    );
    for bad in [
        json!([{"student_id": people[0].0, "score": 51}]),
        json!([{"student_id": people[0].0, "score": -1}]),
        json!([{"student_id": outsider[0].0, "score": 10}]),
    ] {
        let (status, _) = call(&app, "PUT", &marks, &tess, Some(json!({"marks": bad}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    }
    let (_, mine) = call(&app, "GET", "/api/v1/me/marks", &people[0].1, None).await;
    assert_eq!(
        mine[0]["score"],
        Value::Null,
        "a refused entry wrote a mark"
    );
    let good = json!([{"student_id": people[0].0, "score": 42.5}, {"student_id": people[1].0, "score": 30}]);
    let (status, _) = call(&app, "PUT", &marks, &tess, Some(json!({"marks": good}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, mine) = call(&app, "GET", "/api/v1/me/marks", &people[0].1, None).await;
    assert_eq!(mine[0]["score"], 42.5);
    assert_eq!(mine[0]["max_marks"], 50.0);

    // The same through the teacher's pages: a section page, an assessment, the grid.
    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    let page = browser.get(&format!("/sections/{}/teach", w.section)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let added = browser
        .post(
            &format!("/sections/{}/teach/assessments", w.section),
            &[
                ("_csrf", &page.csrf()),
                ("name", "Quiz 1"),
                ("kind", "quiz"),
                ("weight", "10"),
                ("max_marks", "10"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.html);
    let page = browser.get(&format!("/sections/{}/teach", w.section)).await;
    let doc = Doc::parse(&page.html);
    let listed = "section[aria-labelledby=assessments] ul > li";
    let position = doc
        .texts(&format!("{listed} > a"))
        .iter()
        .position(|name| name == "Quiz 1")
        .expect("the quiz is listed");
    let link = doc
        .attr(&format!("{listed}:nth-child({}) > a", position + 1), "href")
        .expect("link");
    let grid = browser.get(&link).await;
    assert_eq!(grid.status, StatusCode::OK);
    let field = format!("score_{}", people[0].0);
    let other_field = format!("score_{}", people[1].0);
    // One bad cell refuses the grid, which comes back as typed, the cell named.
    let refused = browser
        .post(
            &link,
            &[
                ("_csrf", &grid.csrf()),
                (&field, "eleven"),
                (&other_field, "7"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    assert_eq!(
        doc.attr(&format!("input[name='{field}']"), "value")
            .as_deref(),
        Some("eleven")
    );
    assert_eq!(
        doc.attr(&format!("input[name='{other_field}']"), "value")
            .as_deref(),
        Some("7"),
        "a good cell keeps what was typed"
    );
    assert_eq!(
        doc.attr(&format!("input[name='{field}']"), "aria-invalid")
            .as_deref(),
        Some("true")
    );
    let name = doc.text(&format!("label[for='{field}']"));
    doc.expect_text(".error-summary", &format!("{name}: must be a number"));
    let refused = browser
        .post(&link, &[("_csrf", &grid.csrf()), (&field, "11")])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a mark above the maximum"
    );
    Doc::parse(&refused.html).expect_text(
        &format!("#{field}-error"),
        &format!("{name}: must be between 0 and 10"),
    );
    let saved = browser
        .post(&link, &[("_csrf", &grid.csrf()), (&field, "9.5")])
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    assert_eq!(saved.location.as_deref(), Some(link.as_str()));
    let grid = browser.get(&link).await;
    let doc = Doc::parse(&grid.html);
    doc.expect_text("main .alert-success[role=status]", "Marks saved for Quiz 1");
    assert_eq!(
        doc.attr(&format!("input[name='{field}']"), "value")
            .as_deref(),
        Some("9.5"),
        "{}",
        grid.html
    );
    assert_eq!(
        doc.attr(&format!("input[name='{other_field}']"), "value")
            .as_deref(),
        Some(""),
        "the refused grid saved nothing"
    );
}

#[tokio::test]
async fn a_marking_page_hears_when_the_session_is_marked_elsewhere() {
    use futures_util::StreamExt;

    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people,
        tess,
        other,
        ..
    } = class(&app, &w, 2).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let (_, session) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/sessions", w.section),
        &tess,
        Some(json!({"held_on": today, "starts": "09:00", "ends": "10:00"})),
    )
    .await;
    let session = session["id"].as_str().expect("id").to_string();

    let mut browser = crate::util::Browser::new(&app);
    browser.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    let page = browser.get(&format!("/sessions/{session}/mark")).await;
    assert_eq!(
        Doc::parse(&page.html).attr(
            &format!("form[action='/sessions/{session}/mark']"),
            "data-live"
        ),
        Some(format!("/sessions/{session}/events"))
    );
    let mut intruder = crate::util::Browser::new(&app);
    intruder.sign_in("alpha", "other@alpha.edu", PASSWORD).await;
    let refused = intruder.get(&format!("/sessions/{session}/events")).await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "another teacher's session"
    );
    let _ = other;

    let response = browser.follow(&format!("/sessions/{session}/events")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()[header::CONTENT_TYPE],
        "text/event-stream"
    );
    let mut events = response.into_body().into_data_stream();

    // Another device (the API) marks the session; the listener may need a moment to
    // start, so the marks are saved again until the page hears of them.
    let marks = json!({"marks": [
        {"student_id": people[0].0, "status": "present"},
        {"student_id": people[1].0, "status": "absent"},
    ]});
    let mut heard = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !heard.contains("event: marked") {
        assert!(tokio::time::Instant::now() < deadline, "no event: {heard}");
        let (status, _) = call(
            &app,
            "PUT",
            &format!("/api/v1/sessions/{session}/attendance"),
            &tess,
            Some(marks.clone()),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        if let Ok(Some(Ok(chunk))) =
            tokio::time::timeout(std::time::Duration::from_millis(500), events.next()).await
        {
            heard.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    assert!(
        heard.contains(&format!("\"{}\":\"absent\"", people[1].0)),
        "{heard}"
    );
    assert!(heard.contains("Updated by"), "{heard}");
}

#[tokio::test]
async fn registrars_open_and_close_registration_windows_from_a_page() {
    let app = TestApp::new().await;
    let w = world(&app, 20).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    fixtures::user(&app.pool, w.college, "tess@alpha.edu", &[Role::Teacher]).await;
    let mut registrar = crate::util::Browser::new(&app);
    registrar.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    let page = registrar.get("/registration/windows").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    doc.expect_text("td[data-label=Now]", "Open");
    assert!(doc.has("nav a[href='/registration/windows']"));

    let term = w.term.to_string();
    let today = time::OffsetDateTime::now_utc().date();
    let later = |days: i64| (today + time::Duration::days(days)).to_string();
    let refused = registrar
        .post(
            "/registration/windows",
            &[
                ("_csrf", &page.csrf()),
                ("term_id", &term),
                ("program", "BSC-CS"),
                ("year_of_study", "2"),
                ("opens_on", &later(10)),
                ("closes_on", &later(5)),
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
    doc.expect_text("#closes_on-error", "on or after the first day");
    assert!(doc.has("#program option[value='BSC-CS'][selected]"));
    assert_eq!(doc.attr("#year_of_study", "value").as_deref(), Some("2"));
    let made = registrar
        .post(
            "/registration/windows",
            &[
                ("_csrf", &page.csrf()),
                ("term_id", &term),
                ("program", "BSC-CS"),
                ("year_of_study", "2"),
                ("opens_on", &later(10)),
                ("closes_on", &later(12)),
                ("max_credits", "24"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let page = registrar.get("/registration/windows").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success", "Registration window opened");
    assert_eq!(doc.texts("td[data-label=Now]"), ["Open", "Upcoming"]);
    doc.expect_text("tbody tr:nth-child(2) td[data-label=For]", "BSC-CS, year 2");

    // Closing the open one ends it now.
    let close = doc
        .attr("tbody tr:first-child form", "action")
        .expect("a close button");
    let closed = registrar.post(&close, &[("_csrf", &page.csrf())]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.html);
    let page = registrar.get("/registration/windows").await;
    assert_eq!(
        Doc::parse(&page.html).texts("td[data-label=Now]"),
        ["Closed", "Upcoming"]
    );

    let mut teacher = crate::util::Browser::new(&app);
    teacher.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    assert_eq!(
        teacher.get("/registration/windows").await.status,
        StatusCode::FORBIDDEN
    );
}
