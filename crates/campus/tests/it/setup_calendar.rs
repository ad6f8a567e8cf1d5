//! A college's calendar set up through the API and the pages: academic years and terms
//! (no overlaps, terms within their year, exactly one current of each), holidays and
//! exam periods that attendance and the timetable feed respect, and the bell schedule
//! that meetings take their times from. Wrong input is named by field with nothing
//! written; another college sees none of it.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use serde_json::{Value, json};

use crate::util::api::{call, field_errors, id, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::world::world;
use crate::util::{Browser, TestApp};

fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The names of the current records of a list.
async fn current(app: &TestApp, token: &str, list: &str) -> Vec<String> {
    let (_, rows) = call(app, "GET", list, token, None).await;
    rows.as_array()
        .expect("a list")
        .iter()
        .filter(|r| r["current"] == true)
        .map(|r| r["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn years_and_terms_never_overlap_and_exactly_one_of_each_is_current() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    let post = |uri: &'static str, body: Value| {
        let (app, admin) = (&app, admin.clone());
        async move { call(app, "POST", uri, &admin, Some(body)).await }
    };

    let (status, first) = post(
        "/api/v1/academic-years",
        json!({"name": "2026–27", "starts_on": "2026-07-01", "ends_on": "2027-06-30"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["current"], true, "the first year is the current one");
    assert_eq!(first["starts_on"], "2026-07-01", "dates as ISO 8601");
    let (status, next) = post(
        "/api/v1/academic-years",
        json!({"name": "2027–28", "starts_on": "2027-07-01", "ends_on": "2028-06-30"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{next}");
    assert_eq!(next["current"], false);

    // Overlaps, backwards dates, bad dates and taken names, each named by field.
    for (body, field, words) in [
        (
            json!({"name": "Overlap", "starts_on": "2027-01-01", "ends_on": "2027-12-31"}),
            "starts_on",
            "overlaps the academic year 2026–27",
        ),
        (
            json!({"name": "Backwards", "starts_on": "2030-07-01", "ends_on": "2030-06-30"}),
            "ends_on",
            "after the first day",
        ),
        (
            json!({"name": "Nonsense", "starts_on": "2030-02-30", "ends_on": "2030-06-30"}),
            "starts_on",
            "date",
        ),
        (
            json!({"name": "2026–27", "starts_on": "2031-07-01", "ends_on": "2032-06-30"}),
            "name",
            "taken",
        ),
    ] {
        let (status, answer) = post("/api/v1/academic-years", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(field_errors(&answer), [field], "{answer}");
        assert!(message(&answer).contains(words), "{answer}");
    }

    let (status, odd) = post(
        "/api/v1/terms",
        json!({"name": "Odd semester", "academic_year": "2026–27", "starts_on": "2026-07-15", "ends_on": "2026-11-30"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{odd}");
    assert_eq!(odd["current"], true, "the current year's first term");
    let (status, even) = post(
        "/api/v1/terms",
        json!({"name": "Even semester", "academic_year": "2026–27", "starts_on": "2027-01-04", "ends_on": "2027-05-31"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{even}");
    for (body, field, words) in [
        (
            json!({"name": "Summer", "academic_year": "2026–27", "starts_on": "2027-05-01", "ends_on": "2027-06-30"}),
            "starts_on",
            "overlaps the term Even semester",
        ),
        (
            json!({"name": "Summer", "academic_year": "2026–27", "starts_on": "2027-06-01", "ends_on": "2027-07-31"}),
            "ends_on",
            "within the academic year 2026–27",
        ),
        (
            json!({"name": "Summer", "academic_year": "1999", "starts_on": "2027-06-01", "ends_on": "2027-06-20"}),
            "academic_year",
            "no academic year",
        ),
        (
            json!({"name": "Odd semester", "academic_year": "2026–27", "starts_on": "2026-12-01", "ends_on": "2026-12-20"}),
            "name",
            "taken",
        ),
    ] {
        let (status, answer) = post("/api/v1/terms", body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(field_errors(&answer), [field], "{answer}");
        assert!(message(&answer).contains(words), "{answer}");
    }
    let (_, terms) = call(&app, "GET", "/api/v1/terms", &admin, None).await;
    assert_eq!(
        terms.as_array().map(Vec::len),
        Some(2),
        "nothing half-written"
    );

    // A year's new dates may not leave its terms outside.
    let (status, answer) = call(
        &app,
        "PATCH",
        &format!("/api/v1/academic-years/{}", id(&first)),
        &admin,
        Some(json!({"ends_on": "2027-03-31"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(message(&answer).contains("Even semester"), "{answer}");

    // Making a term of the next year current makes its year current too.
    let (status, summer) = post(
        "/api/v1/terms",
        json!({"name": "First term", "academic_year": "2027–28", "starts_on": "2027-07-10", "ends_on": "2027-11-30"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{summer}");
    assert_eq!(summer["current"], false);
    let (status, made) = call(
        &app,
        "POST",
        &format!("/api/v1/terms/{}/make-current", id(&summer)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(current(&app, &admin, "/api/v1/terms").await, ["First term"]);
    assert_eq!(
        current(&app, &admin, "/api/v1/academic-years").await,
        ["2027–28"]
    );
    // And back: the year current again, its term chosen with it.
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/academic-years/{}/make-current", id(&first)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        current(&app, &admin, "/api/v1/academic-years").await,
        ["2026–27"]
    );
    let terms_now = current(&app, &admin, "/api/v1/terms").await;
    assert_eq!(terms_now.len(), 1, "{terms_now:?}");
    assert!(
        ["Odd semester", "Even semester"].contains(&terms_now[0].as_str()),
        "{terms_now:?}"
    );

    // A year holding terms is not deleted; the refusal names them.
    let (status, refused) = call(
        &app,
        "DELETE",
        &format!("/api/v1/academic-years/{}", id(&first)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.contains("used by 2 terms")),
        "{refused}"
    );
    // Deleting the current year's terms and the year leaves another current.
    for term in [&odd, &even] {
        let (status, _) = call(
            &app,
            "DELETE",
            &format!("/api/v1/terms/{}", id(term)),
            &admin,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
    }
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("/api/v1/academic-years/{}", id(&first)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        current(&app, &admin, "/api/v1/academic-years").await,
        ["2027–28"]
    );
    assert_eq!(current(&app, &admin, "/api/v1/terms").await, ["First term"]);

    // Every change is in the audit trail; another college sees none of it.
    let actions = fixtures::audit_actions(&app.pool, college).await;
    for action in [
        "academic_year.created",
        "academic_year.made_current",
        "term.created",
        "term.made_current",
        "term.deleted",
        "academic_year.deleted",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
    let beta = fixtures::college(&app.pool, "beta").await;
    fixtures::user(&app.pool, beta, "admin@beta.edu", &[Role::CollegeAdmin]).await;
    let other = token_with_code(&app, "beta", "admin@beta.edu", PASSWORD, TOTP_SECRET).await;
    let (_, seen) = call(&app, "GET", "/api/v1/terms", &other, None).await;
    assert_eq!(seen, json!([]));
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/terms/{}/make-current", id(&summer)),
        &other,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn holidays_and_exam_periods_suspend_classes_and_bells_set_the_times() {
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
    let today = time::OffsetDateTime::now_utc().date();
    // The next Monday, and the one after.
    let monday =
        today + time::Duration::days(i64::from((8 - today.weekday().number_from_monday()) % 7));
    let monday = if monday == today {
        monday + time::Duration::days(7)
    } else {
        monday
    };
    let next_monday = monday + time::Duration::days(7);

    // The bell schedule: periods that never overlap, a break that takes no class.
    for (name, starts, ends, is_break) in [
        ("Period 1", "09:00", "09:50", false),
        ("Period 2", "09:50", "10:40", false),
        ("Lunch", "12:30", "13:15", true),
    ] {
        let (status, answer) = call(
            &app,
            "POST",
            "/api/v1/bell-periods",
            &admin,
            Some(json!({"name": name, "starts": starts, "ends": ends, "is_break": is_break})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let (status, answer) = call(
        &app,
        "POST",
        "/api/v1/bell-periods",
        &admin,
        Some(json!({"name": "Period 1b", "starts": "09:30", "ends": "10:00"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["starts"]);
    assert!(
        message(&answer).contains("Period 1 (09:00–09:50)"),
        "{answer}"
    );

    // A meeting placed in a period takes its times; a break takes none.
    let meetings = format!("/api/v1/sections/{}/meetings", w.section);
    let (status, answer) = call(
        &app,
        "POST",
        &meetings,
        &admin,
        Some(json!({"weekday": 1, "period": "Lunch"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["period"]);
    let (status, answer) = call(
        &app,
        "POST",
        &meetings,
        &admin,
        Some(json!({"weekday": 1, "period": "Period 1"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (_, periods) = call(&app, "GET", "/api/v1/bell-periods", &admin, None).await;
    assert_eq!(periods[0]["name"], "Period 1");
    assert_eq!(periods[0]["meetings"], 1, "{periods}");
    let (status, refused) = call(
        &app,
        "DELETE",
        &format!("/api/v1/bell-periods/{}", id(&periods[0])),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");

    // A holiday on the next Monday; exam periods never overlap.
    let (status, holiday) = call(
        &app,
        "POST",
        "/api/v1/calendar",
        &admin,
        Some(json!({"kind": "holiday", "name": "Founders' day", "starts_on": monday.to_string(), "ends_on": monday.to_string()})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{holiday}");
    let (status, exams) = call(
        &app,
        "POST",
        "/api/v1/calendar",
        &admin,
        Some(json!({"kind": "exam_period", "name": "Mid-terms", "starts_on": (today + time::Duration::days(60)).to_string(), "ends_on": (today + time::Duration::days(66)).to_string()})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{exams}");
    for (body, field) in [
        (
            json!({"kind": "exam_period", "name": "Clash", "starts_on": (today + time::Duration::days(66)).to_string(), "ends_on": (today + time::Duration::days(70)).to_string()}),
            "starts_on",
        ),
        (
            json!({"kind": "fiesta", "name": "Party", "starts_on": "2026-12-01", "ends_on": "2026-12-01"}),
            "kind",
        ),
        (
            json!({"kind": "event", "name": "Fair", "starts_on": "2026-12-02", "ends_on": "2026-12-01"}),
            "ends_on",
        ),
    ] {
        let (status, answer) = call(&app, "POST", "/api/v1/calendar", &admin, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(field_errors(&answer), [field], "{answer}");
    }

    // Sessions generated over the next two Mondays skip the holiday.
    let (status, added) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/sessions/generate", w.section),
        &admin,
        Some(json!({"from": monday.to_string(), "to": next_monday.to_string()})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{added}");
    assert_eq!(added["added"], 1, "only the Monday after the holiday");
    // A session on the holiday by hand is refused, naming it.
    let (status, answer) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/sessions", w.section),
        &admin,
        Some(json!({"held_on": monday.to_string(), "starts": "14:00", "ends": "15:00"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["held_on"]);
    assert!(message(&answer).contains("Founders' day"), "{answer}");

    // The holiday is gone from the calendar once deleted (nothing refers to it).
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("/api/v1/calendar/{}", id(&holiday)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, entries) = call(&app, "GET", "/api/v1/calendar", &admin, None).await;
    assert_eq!(entries.as_array().map(Vec::len), Some(1), "{entries}");
}

#[tokio::test]
async fn the_calendar_pages_give_a_refused_form_back_and_mark_the_current_term() {
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

    let page = admin.get("/setup/years/new").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let refused = admin
        .post(
            "/setup/years",
            &[
                ("_csrf", &page.csrf()),
                ("name", "Next year"),
                ("starts_on", "2099-07-01"),
                ("ends_on", "30/06/2100"),
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
    doc.expect_text("#ends_on-error", "a date such as");
    assert_eq!(doc.attr("#ends_on", "value").as_deref(), Some("30/06/2100"));
    assert_eq!(doc.attr("#name", "value").as_deref(), Some("Next year"));
    let made = admin
        .post(
            "/setup/years",
            &[
                ("_csrf", &page.csrf()),
                ("name", "Next year"),
                ("starts_on", "2099-07-01"),
                ("ends_on", "2100-06-30"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let year = made.location.clone().expect("the year's page");
    let shown = admin.get(&year).await;
    let doc = Doc::parse(&shown.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Academic year Next year created",
    );
    assert!(
        doc.has(&format!("form[action='{year}/make-current']")),
        "a year that is not current may be made so"
    );

    // The world's term is current: its page says so and offers no button.
    let list = admin.get("/setup/terms").await;
    let doc = Doc::parse(&list.html);
    doc.expect_text("#records td[data-label=Current]", "Current");
    let term = format!("/setup/terms/{}", w.term);
    let shown = admin.get(&term).await;
    let doc = Doc::parse(&shown.html);
    doc.expect_text(".badge-success", "Current");
    assert!(!doc.has(&format!("form[action='{term}/make-current']")));

    // Making the new year current, from its page.
    let made = admin
        .post(&format!("{year}/make-current"), &[("_csrf", &shown.csrf())])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let shown = admin.get(&year).await;
    Doc::parse(&shown.html).expect_text("main .alert-success", "is now the current academic year");

    // The overview counts the calendar's registers.
    let overview = admin.get("/setup").await;
    let doc = Doc::parse(&overview.html);
    assert!(doc.has("a[href='/setup/years']") && doc.has("a[href='/setup/periods']"));
    assert!(doc.has("a[href='/setup/calendar']") && doc.has("a[href='/setup/terms']"));
}

#[tokio::test]
async fn a_new_colleges_administrator_works_down_the_setup_checklist() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let dashboard = browser.get("/dashboard").await;
    let doc = Doc::parse(&dashboard.html);
    doc.expect_text("#setup-steps", "0 of 7 steps done");
    for href in [
        "/setup/campuses",
        "/setup/departments",
        "/setup/years",
        "/staff",
        "/catalog",
    ] {
        assert!(doc.has(&format!(".checklist a[href='{href}']")), "{href}");
    }

    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    for (uri, body) in [
        (
            "/api/v1/campuses",
            json!({"code": "MAIN", "name": "Main campus"}),
        ),
        (
            "/api/v1/buildings",
            json!({"code": "ENG", "name": "Engineering", "campus": "MAIN", "floors": 2}),
        ),
        (
            "/api/v1/rooms",
            json!({"code": "ENG-1", "name": "Room 1", "building": "ENG", "kind": "classroom", "capacity": 40}),
        ),
        (
            "/api/v1/academic-years",
            json!({"name": "This year", "starts_on": "2026-07-01", "ends_on": "2027-06-30"}),
        ),
        (
            "/api/v1/terms",
            json!({"name": "Odd", "academic_year": "This year", "starts_on": "2026-07-01", "ends_on": "2026-12-31"}),
        ),
        (
            "/api/v1/bell-periods",
            json!({"name": "Period 1", "starts": "09:00", "ends": "10:00"}),
        ),
    ] {
        let (status, answer) = call(&app, "POST", uri, &admin, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{uri}: {answer}");
    }
    let dashboard = browser.get("/dashboard").await;
    let doc = Doc::parse(&dashboard.html);
    doc.expect_text("#setup-steps", "2 of 7 steps done");
    let overview = browser.get("/setup").await;
    Doc::parse(&overview.html).expect_text("#steps", "2 of 7 steps done");
}
