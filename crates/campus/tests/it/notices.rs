//! Notices to chosen groups: a teacher to their section (and its parents), the office to
//! a program year or a named person; who sees them, who has read them, edits, pins,
//! files and withdrawal, in the API and the pages.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::{Value, json};

use crate::util::TestApp;
use crate::util::api::{call, call_multipart, field_errors, id};
use crate::util::browser::Browser;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{Class, class, token_of, world};

fn titles(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("list")
        .iter()
        .map(|n| n["title"].as_str().expect("title").to_string())
        .collect()
}

async fn sees(app: &TestApp, token: &str) -> Vec<String> {
    let (status, list) = call(app, "GET", "/api/v1/notices", token, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    titles(&list)
}

#[tokio::test]
async fn notices_reach_the_groups_chosen_and_count_their_readers() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people,
        outsider,
        tess,
        other,
    } = class(&app, &w, 2).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    // A parent of the first enrolled student, and one of the outsider.
    fixtures::user(&app.pool, w.college, "mum@example.org", &[Role::Parent]).await;
    fixtures::user(&app.pool, w.college, "dad@example.org", &[Role::Parent]).await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    for (email, student) in [
        ("mum@example.org", people[0].0),
        ("dad@example.org", outsider[0].0),
    ] {
        sqlx::query(
            "WITH g AS (INSERT INTO guardians (college_id, user_id, first_name, last_name) \
               SELECT app_current_college(), id, 'Pat', 'Parent' FROM users WHERE email = $1 RETURNING id) \
             INSERT INTO student_guardians (college_id, student_id, guardian_id, relationship) \
             SELECT app_current_college(), $2, id, 'mother' FROM g",
        )
        .bind(email)
        .bind(student)
        .execute(&mut *tx)
        .await
        .expect("guardian");
    }
    let outsider_number: String =
        sqlx::query_scalar("SELECT student_number FROM students WHERE id = $1")
            .bind(outsider[0].0)
            .fetch_one(&mut *tx)
            .await
            .expect("number");
    let program: String = sqlx::query_scalar("SELECT id::text FROM programs")
        .fetch_one(&mut *tx)
        .await
        .expect("program");
    tx.commit().await.expect("commit");
    let mum = token_of(&app, "mum@example.org").await;
    let dad = token_of(&app, "dad@example.org").await;

    // A teacher posts to the section they teach, and only there.
    let to_section = |title: &str, section: &uuid::Uuid| {
        json!({"title": title, "body": "Bring a calculator.", "audience": "selected",
               "to": {"sections": [section], "include_parents": true}})
    };
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &tess,
        Some(to_section("Lab moved", &w.section)),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let lab = id(&body);
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &tess,
        Some(to_section("Not mine", &w.advanced)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_errors(&body), ["to.sections"]);
    assert!(
        body.to_string().contains("CS201 A, which you do not teach"),
        "{body}"
    );
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &tess,
        Some(json!({"title": "To all", "body": "Hello.", "audience": "everyone"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(field_errors(&body), ["audience"]);
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &other,
        Some(to_section("Not theirs", &w.section)),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &people[0].1,
        Some(to_section("Pizza", &w.section)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    for (who, token, expected) in [
        ("an enrolled student", &people[0].1, true),
        ("another enrolled student", &people[1].1, true),
        ("a student outside the section", &outsider[0].1, false),
        ("the parent of an enrolled student", &mum, true),
        ("the parent of a student outside", &dad, false),
        ("the section's teacher", &tess, true),
        ("another teacher", &other, false),
        ("the registrar", &registrar, false),
    ] {
        assert_eq!(
            sees(&app, token).await.contains(&"Lab moved".to_string()),
            expected,
            "{who}"
        );
    }

    // The office: a program's first year, and one person by student number.
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &registrar,
        Some(
            json!({"title": "Second years only", "body": "Electives.", "audience": "selected",
                    "to": {"programs": [program], "years": [2]}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &registrar,
        Some(
            json!({"title": "Welcome, first years", "body": "Orientation.", "audience": "selected",
                    "to": {"programs": [program], "years": [1]}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let welcome = id(&body);
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &registrar,
        Some(json!({"title": "Please see the office", "body": "About your fees.", "audience": "selected",
                    "to": {"people": [outsider_number.to_lowercase()]}})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let outsider_sees = sees(&app, &outsider[0].1).await;
    assert!(outsider_sees.contains(&"Please see the office".to_string()));
    assert!(outsider_sees.contains(&"Welcome, first years".to_string()));
    assert!(!outsider_sees.contains(&"Second years only".to_string()));
    assert!(
        !sees(&app, &people[0].1)
            .await
            .contains(&"Please see the office".to_string())
    );
    assert!(
        !sees(&app, &tess)
            .await
            .contains(&"Welcome, first years".to_string())
    );

    // Refused groups are named, and nothing is written.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM notices")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    tx.commit().await.expect("commit");
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &registrar,
        Some(
            json!({"title": "Nobody", "body": "Nothing.", "audience": "selected",
                    "to": {"roles": ["wizard"], "programs": [uuid::Uuid::new_v4()], "years": [11],
                           "people": ["nobody@nowhere.example"]}}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(
        field_errors(&body),
        ["to.roles", "to.years", "to.programs", "to.people"],
        "{body}"
    );
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &registrar,
        Some(json!({"title": "Empty", "body": "Nothing.", "audience": "selected"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body), ["to"]);
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM notices")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    tx.commit().await.expect("commit");
    assert_eq!(before, after);

    // Seen by: listing does not count, opening does.
    let readers = format!("/api/v1/notices/{lab}/readers");
    let (status, r) = call(&app, "GET", &readers, &tess, None).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    assert_eq!(
        (r["audience"].as_i64(), r["seen"].as_i64()),
        (Some(4), Some(0)),
        "{r}"
    );
    let (status, opened) = call(
        &app,
        "GET",
        &format!("/api/v1/notices/{lab}"),
        &people[0].1,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(opened["seen"], true);
    let (_, r) = call(&app, "GET", &readers, &tess, None).await;
    assert_eq!(r["seen"].as_i64(), Some(1), "{r}");
    assert_eq!(r["not_yet"].as_array().expect("names").len(), 3);
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/notices/{lab}"),
        &outsider[0].1,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/notices/{welcome}/readers"),
        &tess,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a teacher cannot read the office's notice"
    );
    let (status, r) = call(
        &app,
        "GET",
        &format!("/api/v1/notices/{welcome}/readers"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        r["audience"].as_i64(),
        Some(3),
        "three first-year students: {r}"
    );

    // Edits and pins: only by the teacher who posted it.
    let (status, _) = call(
        &app,
        "PATCH",
        &format!("/api/v1/notices/{lab}"),
        &tess,
        Some(json!({"title": "Lab moved to room 4", "pinned": true})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "PATCH",
        &format!("/api/v1/notices/{lab}"),
        &other,
        Some(json!({"title": "Hijacked"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(
        &app,
        "PATCH",
        &format!("/api/v1/notices/{lab}"),
        &tess,
        Some(json!({"expires_on": "someday"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&body), ["expires_on"]);
    let list = sees(&app, &people[1].1).await;
    assert_eq!(list[0], "Lab moved to room 4", "pinned first: {list:?}");

    // A file reaches those the notice is for.
    let (status, files) = call_multipart(
        &app,
        "POST",
        &format!("/api/v1/notices/{lab}/files"),
        &tess,
        &[],
        &[("file", "map.txt", b"Room 4 is on the second floor.")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{files}");
    let file = files[0]["id"].as_str().expect("file").to_string();
    let (status, _) = call(&app, "GET", &format!("/api/v1/files/{file}"), &mum, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(&app, "GET", &format!("/api/v1/files/{file}"), &dad, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Withdrawn: gone for its readers, no longer editable.
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/notices/{lab}/withdraw"),
        &tess,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert!(
        !sees(&app, &people[0].1)
            .await
            .iter()
            .any(|t| t.starts_with("Lab moved"))
    );
    let (status, _) = call(
        &app,
        "PATCH",
        &format!("/api/v1/notices/{lab}"),
        &tess,
        Some(json!({"pinned": false})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(&app, "GET", &format!("/api/v1/files/{file}"), &mum, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, mine) = call(&app, "GET", "/api/v1/notices/managed", &tess, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        titles(&mine),
        ["Lab moved to room 4"],
        "a teacher manages their own"
    );

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in [
        "notice.posted",
        "notice.edited",
        "notice.files_attached",
        "notice.withdrawn",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}");
    }
}

#[tokio::test]
async fn notices_are_posted_read_and_edited_in_the_pages() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, .. } = class(&app, &w, 1).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let mut office = Browser::new(&app);
    office.sign_in("alpha", "reg@alpha.edu", PASSWORD).await;
    let form = office.get("/notices/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let doc = Doc::parse(&form.html);
    assert!(
        doc.has("input[name='to.roles'][value='teacher']"),
        "roles offered"
    );
    assert!(doc.has(&format!("input[name='to.sections'][value='{}']", w.section)));
    let csrf = form.csrf();

    let refused = office
        .post(
            "/notices",
            &[
                ("_csrf", &csrf),
                ("title", "Hi"),
                ("body", ""),
                ("audience", "selected"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    assert!(doc.has(".error-summary"));
    assert_eq!(doc.count(".field-invalid"), 3, "title, text and audience");

    let section = w.section.to_string();
    let posted = office
        .post(
            "/notices",
            &[
                ("_csrf", &csrf),
                ("title", "Field trip on Friday"),
                ("body", "Meet at the gate at 9."),
                ("audience", "selected"),
                ("to.sections", &section),
                ("to.people", "tess@alpha.edu"),
                ("pinned", "yes"),
            ],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    let at = posted.location.expect("to the notice");
    let page = office.get(&at).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("h1", "Field trip on Friday");
    assert!(
        doc.text(".lead").contains("CS101 A"),
        "{}",
        doc.text(".lead")
    );
    // The section's student and its teacher (named twice, counted once).
    doc.expect_text("#readers", "Seen by 0 of 2");

    // The student opens the notices page; it counts as seen.
    let (_, list) = call(&app, "GET", "/api/v1/notices", &people[0].1, None).await;
    assert_eq!(titles(&list), ["Field trip on Friday"]);
    let mut student = Browser::new(&app);
    crate::util::world::same_password(&app, &w, "s0@alpha.edu", "reg@alpha.edu").await;
    student.sign_in("alpha", "s0@alpha.edu", PASSWORD).await;
    let mine = student.get("/notices").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.html.contains("Field trip on Friday"));
    assert!(!mine.html.contains("Notices you manage"));
    let page = office.get(&at).await;
    Doc::parse(&page.html).expect_text("#readers", "Seen by 1 of 2");

    // Edit through the form: unpinned, new title; then withdraw after the confirmation.
    let edit = office.get(&format!("{at}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    let doc = Doc::parse(&edit.html);
    assert!(doc.has(&format!(
        "input[name='to.sections'][value='{section}'][checked]"
    )));
    let saved = office
        .post(
            &format!("{at}/edit"),
            &[
                ("_csrf", &edit.csrf()),
                ("title", "Field trip moved to Monday"),
                ("body", "Meet at the gate at 9."),
                ("audience", "selected"),
                ("to.sections", &section),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let (_, list) = call(&app, "GET", "/api/v1/notices", &people[0].1, None).await;
    assert_eq!(list[0]["title"], "Field trip moved to Monday");
    assert_eq!(list[0]["pinned"], false);
    let confirm = office.get(&format!("{at}/withdraw")).await;
    assert_eq!(confirm.status, StatusCode::OK);
    let gone = office
        .post(&format!("{at}/withdraw"), &[("_csrf", &confirm.csrf())])
        .await;
    assert_eq!(gone.status, StatusCode::SEE_OTHER);
    let (_, list) = call(&app, "GET", "/api/v1/notices", &people[0].1, None).await;
    assert!(titles(&list).is_empty());
}

/// The calendar feed of a user, behind its secret link.
async fn feed_of(app: &TestApp, w: &crate::util::world::World, email: &str) -> String {
    let token = campus::identity::signin::session::new_token();
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query(
        "INSERT INTO calendar_feeds (college_id, user_id, token_hash) \
         SELECT app_current_college(), id, $2 FROM users WHERE email = $1",
    )
    .bind(email)
    .bind(campus::identity::signin::session::token_hash(&token))
    .execute(&mut *tx)
    .await
    .expect("feed");
    tx.commit().await.expect("commit");
    let link = format!(
        "/ical/{}.ics",
        campus::identity::tokens::credentials::refresh_value(w.college, &token)
    );
    let response = app.get(&link).await;
    assert_eq!(response.status(), StatusCode::OK);
    crate::util::app::body_text(response).await
}

#[tokio::test]
async fn events_reach_the_college_a_department_or_a_section() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, tess, .. } = class(&app, &w, 1).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    fixtures::user(&app.pool, w.college, "hr@alpha.edu", &[Role::Accountant]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let department: String = sqlx::query_scalar("SELECT id::text FROM departments")
        .fetch_one(&mut *tx)
        .await
        .expect("department");
    tx.commit().await.expect("commit");
    let day =
        |n: i64| (time::OffsetDateTime::now_utc().date() + time::Duration::days(n)).to_string();
    let event = |name: &str, department: &str, section: &str| {
        json!({"kind": "event", "name": name, "starts_on": day(3), "ends_on": day(3),
               "department": department, "section": section})
    };
    for body in [
        event("Open day", "", ""),
        event("Computing seminar", &department, ""),
        event("CS101 lab visit", "", &w.section.to_string()),
    ] {
        let (status, answer) = call(&app, "POST", "/api/v1/calendar", &registrar, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    // Holidays are the whole college's; an event is for one group, not two.
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/calendar",
        &registrar,
        Some(json!({"kind": "holiday", "name": "Dept day off", "starts_on": day(4), "ends_on": day(4),
                    "department": department})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&answer), ["department"]);
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/calendar",
        &registrar,
        Some(event("Both", &department, &w.section.to_string())),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&answer), ["section"]);
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/calendar",
        &registrar,
        Some(event("Nowhere", &uuid::Uuid::new_v4().to_string(), "")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["department"]);

    // The student of the section (in a program of the department) sees all three; the
    // teacher (no department on their staff record) the college's and their section's;
    // staff elsewhere only the college's.
    let student_feed = feed_of(&app, &w, "s0@alpha.edu").await;
    for name in [
        "SUMMARY:Open day",
        "SUMMARY:Computing seminar (Computing)",
        "SUMMARY:CS101 lab visit (CS101 A)",
    ] {
        assert!(student_feed.contains(name), "{name}: {student_feed}");
    }
    let teacher_feed = feed_of(&app, &w, "tess@alpha.edu").await;
    assert!(
        teacher_feed.contains("CS101 lab visit") && !teacher_feed.contains("Computing seminar")
    );
    let office_feed = feed_of(&app, &w, "hr@alpha.edu").await;
    assert!(office_feed.contains("Open day") && !office_feed.contains("lab visit"));

    // A holiday today: in the list, and the day's classes suspended.
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/calendar",
        &registrar,
        Some(
            json!({"kind": "holiday", "name": "Rain day", "starts_on": day(0), "ends_on": day(0)}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let mut student = Browser::new(&app);
    crate::util::world::same_password(&app, &w, "s0@alpha.edu", "reg@alpha.edu").await;
    student.sign_in("alpha", "s0@alpha.edu", PASSWORD).await;
    let dashboard = student.get("/dashboard").await;
    assert!(
        dashboard
            .html
            .contains("No classes today: Rain day (Holiday)"),
        "{}",
        dashboard.html
    );
    let doc = Doc::parse(&dashboard.html);
    let coming = doc.text("#coming-up + ul");
    for name in ["Open day", "Computing seminar", "CS101 lab visit"] {
        assert!(coming.contains(name), "{name}: {coming}");
    }
    let _ = (people, tess);
}
