//! Pages that the access matrix reaches only for their status codes, now used as a person
//! uses them in a browser, in the demo college: the admissions office opens an intake and
//! decides an application; an admin sets the enrollment steps a student then follows; an
//! admin sets activity points and organizers; a parent asks to be linked to a child and
//! the office confirms; a student asks for leave, withdraws it, and the registrar decides
//! another; an admin exports a OneRoster archive and a file that is not one is refused.
//! Each also sends one bad input to a form and checks the page answers it with 422 and
//! says what was wrong, changing nothing.

use std::io::Read;

use axum::http::{StatusCode, header};
use campus::db::{CollegeId, begin_for_college};
use serde_json::json;

use crate::util::api::{call, call_multipart, id, token};
use crate::util::browser::Page;
use crate::util::db::scalar;
use crate::util::fixtures::demo_college;
use crate::util::html::Doc;
use crate::util::{Browser, TestApp};

const PASSWORD: &str = campus::demo::PASSWORD;

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

/// A CSV file given a ZIP's name: not a OneRoster archive.
const NOT_AN_ARCHIVE: &[u8] = b"sourcedId,givenName,familyName\nstu1,Ada,Lovelace\n";

/// The date `offset` days from today, as forms take it (`2027-01-15`).
fn day(offset: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(offset)).to_string()
}

/// The date `offset` days from today, as pages show it (`15 Jan 2027`).
fn shown(offset: i64) -> String {
    campus::web::time::day(time::OffsetDateTime::now_utc().date() + time::Duration::days(offset))
}

/// A browser signed in as a demo account without a second factor.
async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    let answer = browser.sign_in("riverside", email, PASSWORD).await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "{email} could not sign in: {}",
        answer.html
    );
    browser
}

/// A browser signed in as the demo's college admin, answering the second-factor step
/// with one of the demo's recovery codes (each test has its own database, so the code
/// is fresh; the shared time-step budget of the authenticator code is left to others).
async fn admin(app: &TestApp) -> Browser<'_> {
    let mut browser = Browser::new(app);
    let password = browser
        .sign_in_password_only("riverside", "admin@riverside.edu", PASSWORD)
        .await;
    let location = password
        .location
        .clone()
        .filter(|l| l.starts_with("/login/mfa"))
        .unwrap_or_else(|| panic!("no second-factor step: {}", password.html));
    let form = browser.get(&location).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let code = campus::demo::recovery_codes().remove(0);
    let done = browser
        .post(
            "/login/mfa",
            &[
                ("_csrf", &form.csrf()),
                ("code", &code),
                ("next", "/dashboard"),
            ],
        )
        .await;
    assert_eq!(
        done.status,
        StatusCode::SEE_OTHER,
        "the recovery code was refused: {}",
        done.html
    );
    browser
}

/// Follows a form's redirect (post/redirect/get) to `to`, as a browser does, and returns
/// the page it lands on.
async fn follow_to(browser: &mut Browser<'_>, answer: &Page, to: &str) -> Page {
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "the form was not redirected: {}",
        answer.html
    );
    assert_eq!(answer.location.as_deref(), Some(to));
    let page = browser.get(to).await;
    assert_eq!(page.status, StatusCode::OK, "{to}: {}", page.html);
    page
}

/// A page that must have answered 200.
fn ok(page: &Page) -> Doc {
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    Doc::parse(&page.html)
}

/// The single value `sql` selects in `college`, with `$1` bound to `param` (text; cast
/// it in the query, e.g. `$1::uuid`).
async fn scalar_with<T>(app: &TestApp, college: CollegeId, sql: &'static str, param: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let value: T = sqlx::query_scalar(sql)
        .bind(param)
        .fetch_one(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
    value
}

/// The cells of the row `rows` selects whose text contains `needle` (cells are read one
/// by one: a row's own text runs them together).
fn row_cells(doc: &Doc, rows: &str, needle: &str) -> Vec<String> {
    let found = doc.texts(rows);
    let index = found
        .iter()
        .position(|row| row.contains(needle))
        .unwrap_or_else(|| panic!("no `{rows}` contains {needle:?}; rows: {found:?}"));
    doc.texts(&format!("{rows}:nth-child({}) > td", index + 1))
}

#[tokio::test]
async fn the_admissions_office_opens_an_intake_and_decides_an_application_on_its_pages() {
    let (app, college) = demo_college().await;
    let mut office = signed_in(&app, "registrar@riverside.edu").await;

    // The office's list shows the demo's intakes and the form to open one.
    let list = office.get("/admissions/intakes").await;
    let doc = ok(&list);
    assert_eq!(doc.text("h1"), "Intakes");
    let listed = doc.count("table tbody tr");
    assert!(listed > 0, "the demo's intakes are listed");
    let program = doc
        .attr("select#program option", "value")
        .expect("a program to choose");
    let csrf = list.csrf();
    let intakes: i64 = scalar(&app, college, "SELECT count(*) FROM intakes").await;
    let (opens, closes, admits) = (day(-1), day(30), day(90));

    // A name too short and no seats: the page comes back saying so, keeping the input.
    let refused = office
        .post(
            "/admissions/intakes",
            &[
                ("_csrf", &csrf),
                ("program", &program),
                ("name", "x"),
                ("seats", ""),
                ("application_fee", "0"),
                ("currency", ""),
                ("opens_on", &opens),
                ("closes_on", &closes),
                ("admits_on", &admits),
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
    doc.expect_text(".alert-error", "must be 3 to 100 characters");
    doc.expect_text(".alert-error", "must be 1 to 100,000");
    assert_eq!(doc.attr("input#name", "value").as_deref(), Some("x"));
    assert_eq!(
        scalar::<i64>(&app, college, "SELECT count(*) FROM intakes").await,
        intakes,
        "nothing was made"
    );

    // The office opens a free intake of three seats and lands on its page.
    let made = office
        .post(
            "/admissions/intakes",
            &[
                ("_csrf", &csrf),
                ("program", &program),
                ("name", "Evening intake"),
                ("seats", "3"),
                ("application_fee", "0"),
                ("currency", ""),
                ("opens_on", &opens),
                ("closes_on", &closes),
                ("admits_on", &admits),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let location = made.location.clone().expect("the intake's page");
    let intake = location
        .strip_prefix("/admissions/intakes/")
        .expect("a redirect to the intake")
        .to_string();
    let doc = ok(&office.get(&location).await);
    doc.expect_text("main .alert-success[role=status]", "Intake created.");
    doc.expect_text("h1", "Evening intake");
    doc.expect_text(".page-header .lead", "0 of 3 seats filled");
    doc.expect_text(
        "section[aria-labelledby=applications] .empty",
        "No application submitted yet.",
    );
    assert_eq!(
        scalar_with::<i32>(
            &app,
            college,
            "SELECT seats FROM intakes WHERE id = $1::uuid",
            &intake
        )
        .await,
        3
    );
    let doc = ok(&office.get("/admissions/intakes").await);
    assert_eq!(doc.count("table tbody tr"), listed + 1);
    assert_eq!(
        doc.text(&format!("a[href='/admissions/intakes/{intake}']")),
        "Evening intake"
    );

    // The demo applicant applies to it through the API: details, transcript, submit.
    let applicant = token(&app, "riverside", "applicant@riverside.edu", PASSWORD).await;
    let (status, started) = call(
        &app,
        "POST",
        &format!("/api/v1/intakes/{intake}/applications"),
        &applicant,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{started}");
    let application = id(&started);
    let (status, body) = call(
        &app,
        "PUT",
        &format!("/api/v1/applications/{application}"),
        &applicant,
        Some(json!({"first_name": "Asha", "last_name": "Menon", "date_of_birth": "2008-04-30", "qualifying_percent": "91.5"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = call_multipart(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/files"),
        &applicant,
        &[("kind", "transcript")],
        &[("file", "marks.pdf", PDF)],
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/applications/{application}/submit"),
        &applicant,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    // The intake's applications, by merit rank, show the application (with a box to
    // tick it); the office opens it.
    let doc = ok(&office.get(&location).await);
    let row = row_cells(
        &doc,
        "section[aria-labelledby=applications] table tbody tr",
        "Asha Menon",
    );
    assert_eq!(row.len(), 6, "{row:?}");
    assert_eq!(row[1], "1");
    assert_eq!(row[2], "Asha Menon");
    assert!(row[3].starts_with("91.5"), "{row:?}");
    assert_eq!(row[4], "Submitted");
    assert!(doc.has(&format!(
        "input[type=checkbox][name=ids][value='{application}']"
    )));
    let page_uri = format!("/admissions/applications/{application}");
    assert!(doc.has(&format!("a[href='{page_uri}']")));
    let page = office.get(&page_uri).await;
    let doc = ok(&page);
    assert_eq!(doc.text(".page-header .lead strong"), "Submitted");
    let decide = format!("{page_uri}/decision");
    assert!(
        doc.has(&format!("form[action='{decide}']")),
        "the decision form"
    );
    let csrf = page.csrf();

    // A rejection without a reason is refused on the page; nothing changes.
    let refused = office
        .post(
            &decide,
            &[("_csrf", &csrf), ("status", "rejected"), ("reason", "")],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let doc = Doc::parse(&refused.html);
    doc.expect_text(".alert-error", "a rejection says why");
    doc.expect_text("#reason-error", "a rejection says why");
    assert_eq!(doc.text(".page-header .lead strong"), "Submitted");
    assert_eq!(
        scalar_with::<String>(
            &app,
            college,
            "SELECT status FROM applications WHERE id = $1::uuid",
            &application
        )
        .await,
        "submitted"
    );

    // Accepted: back to the application (post/redirect/get), which says so.
    let accepted = office
        .post(
            &decide,
            &[
                ("_csrf", &csrf),
                ("status", "accepted"),
                ("reason", "Top of the merit list"),
            ],
        )
        .await;
    let page = follow_to(&mut office, &accepted, &page_uri).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "The application is accepted; the applicant sees it now.",
    );
    assert_eq!(doc.text(".page-header .lead strong"), "Accepted");
    assert!(
        !doc.has(&format!("form[action='{decide}']")),
        "decided once"
    );
    doc.expect_text("section[aria-labelledby=history] li", "Admitted to");
    assert_eq!(
        scalar_with::<String>(
            &app,
            college,
            "SELECT status FROM applications WHERE id = $1::uuid AND student_id IS NOT NULL",
            &application
        )
        .await,
        "accepted"
    );
    assert_eq!(
        scalar::<i64>(
            &app,
            college,
            "SELECT count(*) FROM students s JOIN users u ON u.college_id = s.college_id \
             AND u.id = s.user_id WHERE u.email = 'applicant@riverside.edu'"
        )
        .await,
        1,
        "acceptance made the student record"
    );
    let doc = ok(&office.get("/admissions/intakes").await);
    let row = row_cells(&doc, "table tbody tr", "Evening intake");
    assert_eq!(&row[1..5], ["Evening intake", "3", "1", "1"], "{row:?}");
}

#[tokio::test]
async fn an_admin_sets_the_enrollment_steps_and_a_student_sees_them() {
    let (app, college) = demo_college().await;
    let mut admin = admin(&app).await;

    // The page holds the college's steps, one a line.
    let page = admin.get("/enrollment/steps").await;
    let doc = ok(&page);
    assert_eq!(doc.text("h1"), "Enrollment steps");
    doc.expect_text(
        "textarea#steps",
        "Application accepted | Admission offered and accepted",
    );
    let csrf = page.csrf();
    let active = "SELECT count(*) FROM enrollment_steps WHERE active";
    let steps_before: i64 = scalar(&app, college, active).await;

    // A one-letter step and a step listed twice: refused, the typed list kept.
    let refused = admin
        .post(
            "/enrollment/steps",
            &[
                ("_csrf", &csrf),
                ("steps", "Orientation week\nX\norientation WEEK"),
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
    doc.expect_text(".alert-error", "must be 2 to 100 characters");
    doc.expect_text(".alert-error", "orientation WEEK is listed twice");
    assert_eq!(
        doc.text("textarea#steps"),
        "Orientation week X orientation WEEK"
    );
    assert_eq!(
        scalar::<i64>(&app, college, active).await,
        steps_before,
        "nothing was saved"
    );

    // The new list is saved, and the page shows it.
    let saved = admin
        .post(
            "/enrollment/steps",
            &[
                ("_csrf", &csrf),
                (
                    "steps",
                    "Documents verified | Certificates and identity checked\nFees cleared\n\
                     Hostel allotted | Room keys handed over\nOrientation week",
                ),
            ],
        )
        .await;
    let page = follow_to(&mut admin, &saved, "/enrollment/steps").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Enrollment steps saved.",
    );
    assert_eq!(
        doc.text("textarea#steps"),
        "Documents verified | Certificates and identity checked Fees cleared \
         Hostel allotted | Room keys handed over Orientation week"
    );
    let names: Vec<String> = scalar(
        &app,
        college,
        "SELECT array_agg(name ORDER BY position) FROM enrollment_steps WHERE active",
    )
    .await;
    assert_eq!(
        names,
        [
            "Documents verified",
            "Fees cleared",
            "Hostel allotted",
            "Orientation week"
        ]
    );

    // The student's own page lists those steps, in order, with their descriptions.
    let mut student = signed_in(&app, "student@riverside.edu").await;
    let doc = ok(&student.get("/enrollment").await);
    assert_eq!(
        doc.texts("ol.steps li strong"),
        [
            "Documents verified",
            "Fees cleared",
            "Hostel allotted",
            "Orientation week"
        ]
    );
    assert_eq!(
        doc.texts("ol.steps li small"),
        ["Certificates and identity checked", "Room keys handed over"]
    );
    assert_eq!(doc.text("h2#steps"), "Not started yet");
}

#[tokio::test]
async fn an_admin_sets_activity_points_and_organizers_and_the_settings_page_shows_them() {
    let (app, college) = demo_college().await;
    let mut admin = admin(&app).await;

    // The settings page: a box per category, and the demo's student organizer.
    let page = admin.get("/achievements/settings").await;
    let doc = ok(&page);
    assert_eq!(doc.text("h1"), "Activity points and organizers");
    assert_eq!(
        doc.count("form[action='/achievements/settings/points'] input[inputmode=numeric]"),
        campus::achievements::model::CATEGORIES.len()
    );
    let academic_before = doc.attr("input#points_academic", "value");
    doc.expect_text(
        "section[aria-labelledby=organizers] legend",
        "organizer@riverside.edu",
    );
    let organizer = doc
        .attr(
            "form[action='/achievements/settings/organizers'] input[name=user_id]",
            "value",
        )
        .expect("the organizer's form");
    assert_eq!(
        scalar_with::<String>(
            &app,
            college,
            "SELECT id::text FROM users WHERE email = $1",
            "organizer@riverside.edu"
        )
        .await,
        organizer
    );
    let csrf = page.csrf();
    let rules = "SELECT count(*) FROM activity_point_rules";
    let rules_before: i64 = scalar(&app, college, rules).await;

    // Points that are not a number: refused by the field's name, nothing saved.
    let points = |sports: &'static str| {
        [
            ("academic", "10"),
            ("sports", sports),
            ("cultural", "6"),
            ("technical", "9"),
            ("volunteering", "5"),
            ("internship", "12"),
            ("certification", "4"),
        ]
    };
    let mut fields: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
    fields.extend(points("lots"));
    let refused = admin.post("/achievements/settings/points", &fields).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let doc = Doc::parse(&refused.html);
    doc.expect_text(".alert-error", "Sports must be a whole number");
    doc.expect_text("#points_sports-error", "Sports must be a whole number");
    // What was typed stays, the refused box included.
    assert_eq!(
        doc.attr("input#points_academic", "value").as_deref(),
        Some("10")
    );
    assert_eq!(
        doc.attr("input#points_sports", "value").as_deref(),
        Some("lots")
    );
    assert_eq!(scalar::<i64>(&app, college, rules).await, rules_before);
    let _ = academic_before;

    // The rules are saved and shown.
    let mut fields: Vec<(&str, &str)> = vec![("_csrf", csrf.as_str())];
    fields.extend(points("8"));
    let saved = admin.post("/achievements/settings/points", &fields).await;
    let page = follow_to(&mut admin, &saved, "/achievements/settings").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success[role=status]", "Activity points saved");
    assert_eq!(
        doc.attr("input#points_sports", "value").as_deref(),
        Some("8")
    );
    assert_eq!(
        doc.attr("input#points_internship", "value").as_deref(),
        Some("12")
    );
    assert_eq!(
        scalar::<i32>(
            &app,
            college,
            "SELECT points FROM activity_point_rules WHERE category = 'sports'"
        )
        .await,
        8
    );

    // The organizer is given two categories, ticked on the page after.
    let saved = admin
        .post(
            "/achievements/settings/organizers",
            &[
                ("_csrf", &page.csrf()),
                ("user_id", &organizer),
                ("category", "sports"),
                ("category", "cultural"),
            ],
        )
        .await;
    let page = follow_to(&mut admin, &saved, "/achievements/settings").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "The organizer reviews Sports, Cultural now",
    );
    let ticked = "form[action='/achievements/settings/organizers'] input[name=category][checked]";
    assert_eq!(doc.count(ticked), 2);
    assert!(doc.has("input[name=category][value=sports][checked]"));
    assert!(doc.has("input[name=category][value=cultural][checked]"));
    let categories: Vec<String> = scalar_with(
        &app,
        college,
        "SELECT array_agg(category ORDER BY category) FROM achievement_organizers \
         WHERE user_id = $1::uuid",
        &organizer,
    )
    .await;
    assert_eq!(categories, ["cultural", "sports"]);
}

#[tokio::test]
async fn a_parent_asks_to_be_linked_and_the_office_confirms_on_the_requests_page() {
    let (app, college) = demo_college().await;
    // The child: the organizer's student record, which the demo parent is not linked to.
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let (child, number, born): (uuid::Uuid, String, String) = sqlx::query_as(
        "SELECT s.id, s.student_number::text, s.date_of_birth::text FROM students s \
         JOIN users u ON u.college_id = s.college_id AND u.id = s.user_id \
         WHERE u.email = 'organizer@riverside.edu'",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("the child");
    tx.commit().await.expect("commit");
    let child = child.to_string();
    let links = "SELECT coalesce(string_agg(l.relationship, ','), '') FROM student_guardians l \
         JOIN guardians g ON g.college_id = l.college_id AND g.id = l.guardian_id \
         JOIN users u ON u.college_id = g.college_id AND u.id = g.user_id \
         WHERE l.student_id = $1::uuid AND u.email = 'parent@riverside.edu'";
    assert_eq!(
        scalar_with::<String>(&app, college, links, &child).await,
        "",
        "not linked yet"
    );

    // The parent's portal has the form; a date in the wrong shape is refused by name.
    let mut parent = signed_in(&app, "parent@riverside.edu").await;
    let portal = parent.get("/children").await;
    let doc = ok(&portal);
    assert_eq!(doc.text("h1"), "My children");
    assert!(!doc.has(&format!("[id='child-{child}']")));
    let csrf = portal.csrf();
    let requests = "SELECT count(*) FROM guardian_link_requests";
    let requests_before: i64 = scalar(&app, college, requests).await;
    let refused = parent
        .post(
            "/children/link-requests",
            &[
                ("_csrf", &csrf),
                ("student_number", &number),
                ("date_of_birth", "30/04/2008"),
                ("relationship", "father"),
                ("note", ""),
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
    doc.expect_text(".alert-error", "must be a date such as 2008-04-30");
    assert_eq!(
        doc.attr("input#student_number", "value").as_deref(),
        Some(number.as_str()),
        "what was typed stays"
    );
    assert_eq!(
        scalar::<i64>(&app, college, requests).await,
        requests_before
    );

    // Asked right, the form goes back to the portal, which says so and lists the
    // request as pending.
    let asked = parent
        .post(
            "/children/link-requests",
            &[
                ("_csrf", &csrf),
                ("student_number", &number),
                ("date_of_birth", &born),
                ("relationship", "father"),
                ("note", "Their father; same address as on file."),
            ],
        )
        .await;
    let page = follow_to(&mut parent, &asked, "/children").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success[role=status]", "Sent.");
    doc.expect_text("section[aria-labelledby=asked] li", &number);
    doc.expect_text("section[aria-labelledby=asked] li", "Pending");
    let request = scalar_with::<String>(
        &app,
        college,
        "SELECT id::text FROM guardian_link_requests WHERE student_id = $1::uuid AND status = 'pending'",
        &child,
    )
    .await;

    // The office sees it, naming parent and child, and confirms it.
    let mut office = signed_in(&app, "registrar@riverside.edu").await;
    let page = office.get("/guardians/requests").await;
    let doc = ok(&page);
    assert_eq!(doc.text("h1"), "Guardian link requests");
    doc.expect_text("section.card h2.card-title", "parent@riverside.edu");
    assert!(doc.has(&format!("section.card a[href='/students/{child}']")));
    let decide = format!("/guardians/requests/{request}");
    assert!(doc.has(&format!("form[action='{decide}']")));
    let confirmed = office
        .post(
            &decide,
            &[
                ("_csrf", &page.csrf()),
                ("decision", "confirm"),
                ("reason", ""),
            ],
        )
        .await;
    let page = follow_to(&mut office, &confirmed, "/guardians/requests").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Link request confirmed.",
    );
    assert!(
        !doc.has(&format!("form[action='{decide}']")),
        "no longer waiting"
    );

    // The link exists, and the parent's portal shows the child.
    assert_eq!(
        scalar_with::<String>(&app, college, links, &child).await,
        "father"
    );
    let doc = ok(&parent.get("/children").await);
    assert!(
        doc.has(&format!("[id='child-{child}']")),
        "the child's card"
    );
    doc.expect_text(&format!("[id='child-{child}'] ~ p.muted"), &number);
    doc.expect_text("section[aria-labelledby=asked] li", "Confirmed");
}

#[tokio::test]
async fn a_student_asks_for_leave_withdraws_it_and_the_registrar_decides_another() {
    let (app, college) = demo_college().await;
    // The student has no advisor, so their leave goes straight to the registrar.
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    sqlx::query(
        "UPDATE students SET advisor_staff_id = NULL \
         WHERE user_id = (SELECT id FROM users WHERE email = 'student@riverside.edu')",
    )
    .execute(&mut *tx)
    .await
    .expect("no advisor");
    tx.commit().await.expect("commit");
    let name_of = "SELECT display_name::text FROM users WHERE email = $1";
    let student_name: String = scalar_with(&app, college, name_of, "student@riverside.edu").await;
    let registrar_name: String =
        scalar_with(&app, college, name_of, "registrar@riverside.edu").await;
    let leave_of_student = "SELECT count(*) FROM leave_requests l JOIN users u \
         ON u.college_id = l.college_id AND u.id = l.user_id WHERE u.email = 'student@riverside.edu'";

    let mut student = signed_in(&app, "student@riverside.edu").await;
    let page = student.get("/requests").await;
    let doc = ok(&page);
    assert_eq!(doc.text("h1"), "Requests");
    doc.expect_text("section[aria-labelledby=leave] .empty", "None asked for.");
    assert!(
        !doc.has("section[aria-labelledby=waiting]"),
        "students approve nothing"
    );
    let csrf = page.csrf();

    // Leave that ends before it begins is refused on the page.
    let refused = student
        .post(
            "/requests/leave",
            &[
                ("_csrf", &csrf),
                ("starts_on", &day(12)),
                ("ends_on", &day(10)),
                ("reason", "Family wedding out of town"),
            ],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    Doc::parse(&refused.html).expect_text(".alert-error", "must not be before the first day");
    assert_eq!(scalar::<i64>(&app, college, leave_of_student).await, 0);

    // Filed, it shows in the list as waiting for the registrar.
    let (first_start, first_end) = (day(10), day(12));
    let filed = student
        .post(
            "/requests/leave",
            &[
                ("_csrf", &csrf),
                ("starts_on", &first_start),
                ("ends_on", &first_end),
                ("reason", "Family wedding out of town"),
            ],
        )
        .await;
    let page = follow_to(&mut student, &filed, "/requests").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success[role=status]", "Leave requested.");
    doc.expect_text(
        "section[aria-labelledby=leave] > ul > li",
        &format!(
            "{} to {} · Pending (waiting for the registrar)",
            shown(10),
            shown(12)
        ),
    );

    // Withdrawn from the list, it shows as cancelled.
    let cancel = doc
        .attr(
            "section[aria-labelledby=leave] form[action$='/cancel']",
            "action",
        )
        .expect("a withdraw button");
    let withdrawn = student.post(&cancel, &[("_csrf", &page.csrf())]).await;
    let page = follow_to(&mut student, &withdrawn, "/requests").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Leave request withdrawn.",
    );
    doc.expect_text(
        "section[aria-labelledby=leave] > ul > li",
        &format!("{} to {} · Cancelled", shown(10), shown(12)),
    );
    assert!(!doc.has("section[aria-labelledby=leave] form[action$='/cancel']"));

    // Another request goes to the registrar, whose requests page lists it.
    let (second_start, second_end) = (day(20), day(21));
    let filed = student
        .post(
            "/requests/leave",
            &[
                ("_csrf", &page.csrf()),
                ("starts_on", &second_start),
                ("ends_on", &second_end),
                ("reason", "Inter-college football final"),
            ],
        )
        .await;
    follow_to(&mut student, &filed, "/requests").await;
    let leave = scalar::<String>(
        &app,
        college,
        "SELECT l.id::text FROM leave_requests l JOIN users u ON u.college_id = l.college_id \
         AND u.id = l.user_id WHERE u.email = 'student@riverside.edu' AND l.status = 'pending'",
    )
    .await;
    let mut registrar = signed_in(&app, "registrar@riverside.edu").await;
    let page = registrar.get("/requests").await;
    let doc = ok(&page);
    doc.expect_text(
        "section[aria-labelledby=waiting] article h3",
        &format!("{student_name}: {} to {}", shown(20), shown(21)),
    );
    let decide = format!("/requests/leave/{leave}/decision");
    assert!(doc.has(&format!("form[action='{decide}']")));
    let decided = registrar
        .post(
            &decide,
            &[
                ("_csrf", &page.csrf()),
                ("decision", "approve"),
                ("comment", "Good luck in the final"),
            ],
        )
        .await;
    let page = follow_to(&mut registrar, &decided, "/requests").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Decision recorded: approved.",
    );
    assert!(!doc.has(&format!("form[action='{decide}']")), "decided");

    // The student's list shows it granted, by whom and with the comment.
    let doc = ok(&student.get("/requests").await);
    doc.expect_text(
        "section[aria-labelledby=leave] > ul > li",
        &format!("{} to {} · Approved", shown(20), shown(21)),
    );
    doc.expect_text(
        "section[aria-labelledby=leave] small.muted",
        &format!("Registrar: approved by {registrar_name}: Good luck in the final"),
    );
    assert_eq!(
        scalar_with::<String>(
            &app,
            college,
            "SELECT status FROM leave_requests WHERE id = $1::uuid",
            &leave
        )
        .await,
        "approved"
    );
}

#[tokio::test]
async fn an_admin_exports_a_oneroster_archive_and_a_file_that_is_not_one_is_refused() {
    let (app, college) = demo_college().await;
    let mut admin = admin(&app).await;

    let page = admin.get("/admin/oneroster").await;
    let doc = ok(&page);
    assert_eq!(doc.text("h1"), "OneRoster");
    let export = doc
        .attr(
            "section[aria-labelledby=export] a[href*='version=1.2']",
            "href",
        )
        .expect("the export link");
    assert_eq!(export, "/admin/oneroster/export?version=1.2");

    // The export link answers a ZIP archive with a OneRoster manifest.
    let response = admin.follow(&export).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header_text = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("ascii").to_string())
            .unwrap_or_default()
    };
    assert_eq!(header_text(header::CONTENT_TYPE), "application/zip");
    assert!(
        header_text(header::CONTENT_DISPOSITION).starts_with("attachment"),
        "saved as a file"
    );
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body")
        .to_vec();
    assert!(bytes.starts_with(b"PK\x03\x04"), "a ZIP archive's magic");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut manifest = String::new();
    archive
        .by_name("manifest.csv")
        .expect("a manifest")
        .read_to_string(&mut manifest)
        .expect("read");
    assert!(manifest.contains("oneroster.version,1.2"), "{manifest}");
    assert_eq!(
        scalar::<i64>(
            &app,
            college,
            "SELECT count(*) FROM audit_log WHERE action = 'oneroster.exported'"
        )
        .await,
        1,
        "the export is audited"
    );

    // A file that is not an archive, sent to be imported, is refused on the page with
    // a readable error, and nothing is written.
    let counts = "SELECT (SELECT count(*) FROM students) + (SELECT count(*) FROM courses) \
         + (SELECT count(*) FROM users) + (SELECT count(*) FROM audit_log WHERE action = 'oneroster.imported')";
    let before: i64 = scalar(&app, college, counts).await;
    let department = doc
        .attr("select#department option", "value")
        .unwrap_or_default();
    let refused = admin
        .post_multipart(
            "/admin/oneroster",
            &[
                ("_csrf", &page.csrf()),
                ("program", ""),
                ("department", &department),
                ("mode", "import"),
            ],
            &[("file", "roster.zip", NOT_AN_ARCHIVE)],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let doc = Doc::parse(&refused.html);
    doc.expect_text(
        ".alert-error[role=alert]",
        "The file is not a ZIP archive Campus can read",
    );
    assert!(!doc.has("dl.facts"), "no import report");
    assert!(
        !doc.has("main .alert-success"),
        "nothing said to be imported"
    );
    assert!(doc.has("form[action='/admin/oneroster']"), "the form again");
    assert_eq!(
        scalar::<i64>(&app, college, counts).await,
        before,
        "nothing written"
    );
}
