//! Pictures where people would rather look than read, drawn on the server: every week
//! as a grid of blocks linking to their sections, a section's grade distribution with
//! missing marks counted apart, attendance per course on a student's profile and per
//! session on the teaching page (both against the college's minimum), and a print job's
//! progress bar that the live updates keep current.

use axum::http::{StatusCode, header};
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use futures_util::StreamExt;
use serde_json::json;
use uuid::Uuid;

use crate::util::api::{call, id};
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{Class, World, class, same_password, token_of, world};
use crate::util::{Browser, TestApp};

/// A browser signed in as `email` of the world's college.
async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    let answer = browser.sign_in("alpha", email, PASSWORD).await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "{email} could not sign in: {}",
        answer.html
    );
    browser
}

/// An SVG attribute read as a number.
fn number(doc: &Doc, css: &str, name: &str) -> f64 {
    doc.attr(css, name)
        .unwrap_or_else(|| panic!("no {name} on `{css}`"))
        .parse()
        .unwrap_or_else(|e| panic!("{name} of `{css}` is not a number: {e}"))
}

/// The figures of a grade distribution: each grade's student count and share, in order.
fn grade_figures(doc: &Doc) -> Vec<(String, String, String)> {
    let rows = "section[aria-labelledby=distribution] details tbody tr";
    let letters = doc.texts(&format!("{rows} > td:nth-child(1)"));
    let counts = doc.texts(&format!("{rows} > td:nth-child(3)"));
    let shares = doc.texts(&format!("{rows} > td:nth-child(4)"));
    letters
        .into_iter()
        .zip(counts)
        .zip(shares)
        .map(|((l, c), s)| (l, c, s))
        .collect()
}

fn figure<'a>(figures: &'a [(String, String, String)], letter: &str) -> Option<(&'a str, &'a str)> {
    figures
        .iter()
        .find(|(l, _, _)| l == letter)
        .map(|(_, c, s)| (c.as_str(), s.as_str()))
}

#[tokio::test]
async fn every_week_is_a_grid_with_each_meeting_on_its_day_linking_to_its_section() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    class(&app, &w, 1).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let room: Uuid = sqlx::query_scalar(
        "WITH c AS (INSERT INTO campuses (college_id, code, name) VALUES (app_current_college(), 'MAIN', 'Main') RETURNING id), \
              b AS (INSERT INTO buildings (college_id, campus_id, code, name) SELECT app_current_college(), id, 'B1', 'Block' FROM c RETURNING id) \
         INSERT INTO rooms (college_id, building_id, code, name, kind, capacity) SELECT app_current_college(), id, 'B1-101', 'Room 101', 'classroom', 60 FROM b RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("room");
    let tess: Uuid = sqlx::query_scalar("SELECT id FROM staff WHERE staff_number = 'ST9'")
        .fetch_one(&mut *tx)
        .await
        .expect("Tess");
    tx.commit().await.expect("commit");
    let meet = |section: Uuid| format!("/api/v1/sections/{section}/meetings");
    // CS101 A on Wednesday 10:00–11:30 in B1-101 (Tess teaches it).
    let (status, body) = call(
        &app,
        "POST",
        &meet(w.section),
        &registrar,
        Some(json!({"weekday": 3, "starts": "10:00", "ends": "11:30", "room_id": room})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // The student's week: one block, on Wednesday, from 10:00 for an hour and a half,
    // in its course's colour, opening the section.
    same_password(&app, &w, "s0@alpha.edu", "tess@alpha.edu").await;
    let mut student = signed_in(&app, "s0@alpha.edu").await;
    let page = student.get("/timetable").await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    let block = format!(
        ".week-wrap svg.week a.week-block[href='/sections/{}']",
        w.section
    );
    assert_eq!(
        doc.count(".week-wrap svg.week a.week-block"),
        1,
        "{}",
        page.html
    );
    assert_eq!(doc.attr(&block, "data-day").as_deref(), Some("Wednesday"));
    doc.expect_text(&block, "CS101 A");
    doc.expect_text(&block, "B1-101");
    doc.expect_text(
        &format!("{block} title"),
        "CS101 A, Wednesday 10:00–11:30, room B1-101",
    );
    let colour = format!("week-c{}", campus::web::week::colour("CS101"));
    assert!(
        doc.attr(&block, "class")
            .is_some_and(|c| c.split(' ').any(|c| c == colour)),
        "the course's colour: {:?}",
        doc.attr(&block, "class")
    );
    // Placed in Wednesday's column, under its heading…
    let day_x = number(&doc, "svg.week text.week-day[data-day='Wednesday']", "x");
    let block_x = number(&doc, &format!("{block} rect"), "x");
    let block_width = number(&doc, &format!("{block} rect"), "width");
    assert!(
        block_x < day_x && day_x < block_x + block_width,
        "the block ({block_x}, {block_width} wide) is not under Wednesday ({day_x})"
    );
    // …from the 10:00 line (the first hour shown) for one and a half hours.
    assert_eq!(
        doc.texts("svg.week text.week-time")
            .first()
            .map(String::as_str),
        Some("10:00")
    );
    let ten = number(&doc, "svg.week text.week-time", "y") - 4.0;
    let block_y = number(&doc, &format!("{block} rect"), "y");
    let block_height = number(&doc, &format!("{block} rect"), "height");
    assert!(
        (block_y - ten).abs() <= 1.0,
        "starts at {block_y}, 10:00 is at {ten}"
    );
    assert!(
        (block_height - 90.0).abs() <= 3.0,
        "{block_height} high for 90 minutes"
    );
    // Monday to Friday; no weekend with nothing on it.
    assert_eq!(
        doc.texts("svg.week text.week-day"),
        ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    );
    // The same week as a list, each course linking to its section.
    assert!(doc.has(&format!(
        "details.week-list table tbody td a[href='/sections/{}']",
        w.section
    )));

    // Tess's own week, and her week as the registrar sees it.
    let mut teacher = signed_in(&app, "tess@alpha.edu").await;
    let doc = Doc::parse(&teacher.get("/timetable").await.html);
    assert_eq!(doc.attr(&block, "data-day").as_deref(), Some("Wednesday"));
    let mut office = signed_in(&app, "reg@alpha.edu").await;
    let doc = Doc::parse(
        &office
            .get(&format!("/timetable/teachers/{tess}"))
            .await
            .html,
    );
    doc.expect_text("h1", "Tess Teach");
    assert_eq!(doc.attr(&block, "data-day").as_deref(), Some("Wednesday"));

    // The room's week: a Saturday meeting of CS201 opens Saturday's column (not Sunday's).
    let (status, body) = call(
        &app,
        "POST",
        &meet(w.advanced),
        &registrar,
        Some(json!({"weekday": 6, "starts": "09:00", "ends": "10:00", "room_id": room})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let page = office.get(&format!("/timetable/rooms/{room}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    doc.expect_text("h1", "Room B1-101");
    assert_eq!(
        doc.texts("svg.week text.week-day"),
        [
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday"
        ]
    );
    let saturday = format!("svg.week a.week-block[href='/sections/{}']", w.advanced);
    assert_eq!(doc.attr(&saturday, "data-day").as_deref(), Some("Saturday"));
    doc.expect_text(&saturday, "CS201 A");
    assert_eq!(doc.attr(&block, "data-day").as_deref(), Some("Wednesday"));
    // The grid scrolls inside its own box rather than widening the page.
    assert!(doc.has(".table-wrap.week-wrap[tabindex='0'] > svg.week"));
}

#[tokio::test]
async fn a_sections_grades_are_drawn_per_letter_with_missing_marks_counted_apart() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, tess, .. } = class(&app, &w, 4).await;
    let (status, exam) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/assessments", w.section),
        &tess,
        Some(json!({"name": "Exam", "kind": "exam", "weight": 100, "max_marks": 100})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{exam}");
    let marks = format!("/api/v1/assessments/{}/marks", id(&exam));
    // Two O (95, 92), one F (30), and the fourth student's mark not entered yet.
    let (status, _) = call(
        &app,
        "PUT",
        &marks,
        &tess,
        Some(json!({"marks": [
            {"student_id": people[0].0, "score": 95},
            {"student_id": people[1].0, "score": 92},
            {"student_id": people[2].0, "score": 30},
        ]})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let mut browser = signed_in(&app, "tess@alpha.edu").await;
    let uri = format!("/sections/{}/results", w.section);
    let page = browser.get(&uri).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    let figures = grade_figures(&doc);
    assert_eq!(figure(&figures, "O"), Some(("2", "50%")), "{figures:?}");
    assert_eq!(figure(&figures, "A"), Some(("0", "0%")), "{figures:?}");
    // The student without a mark would compute as 0% (F): counted apart, not as F.
    assert_eq!(figure(&figures, "F"), Some(("1", "25%")), "{figures:?}");
    assert_eq!(
        figure(&figures, "Marks missing"),
        Some(("1", "25%")),
        "{figures:?}"
    );
    assert_eq!(
        figures.last().map(|f| f.0.as_str()),
        Some("Marks missing"),
        "the missing marks come after every grade"
    );
    // The picture: a bar per grade of the scale, the missing marks apart.
    let chart = "section[aria-labelledby=distribution] svg.chart";
    assert_eq!(doc.count(&format!("{chart} rect.chart-bar")), 9);
    assert_eq!(doc.count(&format!("{chart} rect.chart-bar-apart")), 1);
    let desc = doc.text(&format!("{chart} desc"));
    assert!(
        desc.contains("O: 2 students · 50%.")
            && desc.contains("F: 1 student · 25%.")
            && desc.ends_with("Marks missing: 1 student · 25%."),
        "{desc}"
    );

    // The last mark entered: no one is missing, and the distribution says so.
    let (status, _) = call(
        &app,
        "PUT",
        &marks,
        &tess,
        Some(json!({"marks": [{"student_id": people[3].0, "score": 75}]})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let doc = Doc::parse(&browser.get(&uri).await.html);
    let figures = grade_figures(&doc);
    assert_eq!(figure(&figures, "A"), Some(("1", "25%")), "{figures:?}");
    assert_eq!(figure(&figures, "F"), Some(("1", "25%")), "{figures:?}");
    assert_eq!(figure(&figures, "Marks missing"), None, "{figures:?}");
    assert!(!doc.has("section[aria-labelledby=distribution] svg.chart rect.chart-bar-apart"));
}

/// Two sessions of the world's section today, marked: the first student present at both,
/// the second absent from the first and late to the second.
async fn two_marked_sessions(app: &TestApp, w: &World, people: &[(Uuid, String)], tess: &str) {
    let today = time::OffsetDateTime::now_utc().date().to_string();
    for (starts, ends, second) in [("09:00", "10:00", "absent"), ("11:00", "12:00", "late")] {
        let (status, session) = call(
            app,
            "POST",
            &format!("/api/v1/sections/{}/sessions", w.section),
            tess,
            Some(json!({"held_on": today, "starts": starts, "ends": ends})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        let (status, body) = call(
            app,
            "PUT",
            &format!("/api/v1/sessions/{}/attendance", id(&session)),
            tess,
            Some(json!({"marks": [
                {"student_id": people[0].0, "status": "present"},
                {"student_id": people[1].0, "status": second},
            ]})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
}

#[tokio::test]
async fn attendance_is_drawn_per_course_on_the_profile_and_per_session_for_the_teacher() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people,
        outsider,
        tess,
        ..
    } = class(&app, &w, 2).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;

    // Nothing marked yet: the pages say so rather than draw an empty chart.
    let mut teacher = signed_in(&app, "tess@alpha.edu").await;
    let teach = format!("/sections/{}/teach", w.section);
    let doc = Doc::parse(&teacher.get(&teach).await.html);
    doc.expect_text(
        "section[aria-labelledby=attendance-trend] .empty",
        "No session is marked yet",
    );
    assert!(!doc.has("section[aria-labelledby=attendance-trend] svg"));

    two_marked_sessions(&app, &w, &people, &tess).await;

    // The teacher's section page: a column per session, the first (one of two present)
    // under the minimum, the second (present and late) full; the minimum drawn across.
    let page = teacher.get(&teach).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    let chart = "section[aria-labelledby=attendance-trend] svg.chart-columns";
    assert_eq!(
        doc.count(&format!("{chart} rect.chart-bar")),
        2,
        "{}",
        page.html
    );
    assert_eq!(doc.count(&format!("{chart} rect.chart-bar-low")), 1);
    assert!(doc.has(&format!("{chart} line.chart-threshold")));
    doc.expect_text(&format!("{chart} text"), "minimum 75%");
    let columns = doc.texts(&format!("{chart} rect.chart-bar title"));
    assert!(
        columns[0].ends_with("09:00, 50% present or late (1 of 2)")
            && columns[1].ends_with("11:00, 100% present or late (2 of 2)"),
        "{columns:?}"
    );

    // The student's profile: attendance per course against the minimum, the second
    // student's 50% under it.
    let mut office = signed_in(&app, "reg@alpha.edu").await;
    let page = office.get(&format!("/students/{}", people[1].0)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    let chart = "section[aria-labelledby=attendance] svg.chart";
    assert_eq!(
        doc.count(&format!("{chart} rect.chart-bar")),
        1,
        "{}",
        page.html
    );
    assert_eq!(doc.count(&format!("{chart} rect.chart-bar-low")), 1);
    assert!(doc.has(&format!("{chart} line.chart-threshold")));
    doc.expect_text(&format!("{chart} text"), "minimum 75%");
    doc.expect_text(&format!("{chart} desc"), "CS101: 50% (1 of 2)");
    let doc = Doc::parse(&office.get(&format!("/students/{}", people[0].0)).await.html);
    doc.expect_text(&format!("{chart} desc"), "CS101: 100% (2 of 2)");
    assert_eq!(doc.count(&format!("{chart} rect.chart-bar-low")), 0);
    // A student with nothing marked.
    let doc = Doc::parse(
        &office
            .get(&format!("/students/{}", outsider[0].0))
            .await
            .html,
    );
    doc.expect_text(
        "section[aria-labelledby=attendance] .empty",
        "No session of theirs",
    );
}

/// Reads a live stream until it says `changed` (ten seconds at most). With `nudge`, the
/// job's topic is published again whenever the stream is quiet for a moment: the
/// instance's listener may still be starting when the stream opens.
async fn hear(stream: &mut axum::body::BodyDataStream, nudge: Option<(&TestApp, &World, Uuid)>) {
    let mut heard = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !heard.contains("event: changed") {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no live event: {heard}"
        );
        match tokio::time::timeout(std::time::Duration::from_millis(700), stream.next()).await {
            Ok(Some(Ok(chunk))) => heard.push_str(&String::from_utf8_lossy(&chunk)),
            Ok(other) => panic!("the stream ended ({:?}): {heard}", other.map(|r| r.is_ok())),
            Err(_) => {
                if let Some((app, w, job)) = nudge {
                    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
                    let topic = campus::documents::jobs::model::topic(job);
                    campus::live::publish(&mut tx, &topic)
                        .await
                        .expect("publish");
                    tx.commit().await.expect("commit");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_print_jobs_progress_bar_follows_the_job_live() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, tess, .. } = class(&app, &w, 2).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    // Published results for the two students, so there are report cards to print.
    let (_, exam) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/assessments", w.section),
        &tess,
        Some(json!({"name": "Exam", "kind": "exam", "weight": 100, "max_marks": 100})),
    )
    .await;
    call(
        &app,
        "PUT",
        &format!("/api/v1/assessments/{}/marks", id(&exam)),
        &tess,
        Some(json!({"marks": [
            {"student_id": people[0].0, "score": 90},
            {"student_id": people[1].0, "score": 34},
        ]})),
    )
    .await;
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/results/submit", w.section),
        &tess,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/results/publish", w.section),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let program: Uuid = sqlx::query_scalar("SELECT id FROM programs")
        .fetch_one(&mut *tx)
        .await
        .expect("program");
    tx.commit().await.expect("commit");
    let (status, created) = call(
        &app,
        "POST",
        "/api/v1/report-card-jobs",
        &registrar,
        Some(json!({"program_id": program, "term_id": w.term})),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{created}");
    let job = id(&created);

    // Queued: the job's row shows an empty progress bar and follows the job live.
    let mut office = signed_in(&app, "reg@alpha.edu").await;
    let page = office.get("/documents/report-cards").await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    let row = format!("table tbody tr#job-{job}");
    let events = format!("/documents/report-cards/{job}/events");
    assert_eq!(doc.attr(&row, "data-live-events"), Some(events.clone()));
    assert!(doc.has(&format!("{row}[data-live-region]")));
    let bar = format!("{row} td[data-label='Printed'] progress");
    assert_eq!(doc.attr(&bar, "max").as_deref(), Some("2"));
    assert_eq!(doc.attr(&bar, "value").as_deref(), Some("0"));
    assert!(doc.has("script[src='/static/live.js']"));

    // Only who may print follows a job, and only a job that exists.
    let mut teacher = signed_in(&app, "tess@alpha.edu").await;
    assert_eq!(teacher.get(&events).await.status, StatusCode::FORBIDDEN);
    let unknown = format!("/documents/report-cards/{}/events", Uuid::new_v4());
    assert_eq!(
        office.follow(&unknown).await.status(),
        StatusCode::NOT_FOUND
    );

    let response = office.follow(&events).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    let mut stream = response.into_body().into_data_stream();
    // The instance's listener starts with its first follower: until the stream hears the
    // job's topic, it is said again.
    let job_id: Uuid = job.parse().expect("job id");
    hear(&mut stream, Some((&app, &w, job_id))).await;
    // What the nudges said twice is read before the runner starts.
    while let Ok(Some(Ok(_))) =
        tokio::time::timeout(std::time::Duration::from_millis(300), stream.next()).await
    {}

    // The runner prints the cards: its steps reach the page, whose row then shows the
    // full bar and the download.
    let runner = campus::documents::jobs::service::Runner {
        pool: app.pool.clone(),
        files: app.state.files.clone(),
        base_url: "http://campus.test".into(),
    };
    assert_eq!(runner.run_due().await.expect("run"), 1);
    hear(&mut stream, None).await;
    let doc = Doc::parse(&office.get("/documents/report-cards").await.html);
    assert_eq!(doc.attr(&bar, "value").as_deref(), Some("2"));
    assert_eq!(doc.attr(&bar, "max").as_deref(), Some("2"));
    assert!(doc.has(&format!(
        "{row} a[href='/documents/report-cards/{job}/download']"
    )));
    assert_eq!(
        doc.attr(&row, "data-live-events"),
        None,
        "a finished job is not followed"
    );
    assert!(!doc.has("script[src='/static/live.js']"));
}
