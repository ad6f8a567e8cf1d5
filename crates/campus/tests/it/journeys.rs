//! Key journeys in a real browser (headless Chromium through chromedriver) against the
//! real server and its database: every role signs in and out; a student enrols, records
//! an achievement that a teacher approves, and downloads the portfolio; a teacher marks
//! attendance that the student then sees; a forged cross-role address is refused.

use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::json;

use crate::util::TestApp;
use crate::util::api::call;
use crate::util::chromium::Web;
use crate::util::fixtures::{self, PASSWORD};
use crate::util::world::{Class, class, same_password, world};

#[tokio::test]
async fn every_built_in_role_signs_in_and_out_in_chromium() {
    let app = TestApp::new().await;
    let report = campus::demo::create(&app.pool, 40, &app.state.config.field_keys)
        .await
        .expect("demo");
    let web = Web::start(&app, "every-role").await;
    for (role, email, name) in report.accounts {
        web.sign_in(
            "riverside",
            &email,
            campus::demo::PASSWORD,
            campus::demo::TOTP_SECRET,
        )
        .await;
        web.expect(
            &format!("{role} sees their name"),
            &format!("Welcome, {name}"),
        )
        .await;
        web.expect(&format!("{role} sees their role"), role.label())
            .await;
        web.sign_out(&format!("{role} signs out")).await;
        web.goto("/dashboard").await;
        web.expect(&format!("{role} is signed out"), "Sign in")
            .await;
    }
    web.close().await;
}

#[tokio::test]
async fn a_student_enrols_records_an_achievement_a_teacher_approves_and_the_portfolio_downloads() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { tess, .. } = class(&app, &w, 1).await;
    let _ = tess;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query(
        "UPDATE staff SET department_id = (SELECT id FROM departments) WHERE staff_number = 'ST9'",
    )
    .execute(&mut *tx)
    .await
    .expect("department");
    let course: uuid::Uuid = sqlx::query_scalar("SELECT course_id FROM sections WHERE id = $1")
        .bind(w.advanced)
        .fetch_one(&mut *tx)
        .await
        .expect("course");
    // The student without CS101 enrols in a course without prerequisites: CS101's own
    // section, from the catalog page.
    let first: uuid::Uuid = sqlx::query_scalar("SELECT course_id FROM sections WHERE id = $1")
        .bind(w.section)
        .fetch_one(&mut *tx)
        .await
        .expect("first course");
    tx.commit().await.expect("commit");
    let _ = course;
    same_password(&app, &w, "s1@alpha.edu", "tess@alpha.edu").await;
    let web = Web::start(&app, "student-journey").await;

    web.sign_in("alpha", "s1@alpha.edu", PASSWORD, fixtures::TOTP_SECRET)
        .await;
    web.goto(&format!("/catalog/courses/{first}")).await;
    web.click("enrol", "form[action$='/enrol'] button[type=submit]")
        .await;
    // The enrolment's own answer first: leaving earlier would abandon the request.
    web.expect("enrol", "You are enrolled in CS101 A").await;
    web.goto("/registration").await;
    web.expect("enrolled in CS101", "CS101: Programming").await;
    web.expect("enrolled", "badge-success\">Enrolled").await;

    web.goto("/achievements").await;
    web.fill("record", "#title", "Robotics finalist").await;
    web.fill("record", "#organiser", "IEEE student branch")
        .await;
    let today = time::OffsetDateTime::now_utc().date();
    // A date field takes the date as the browser's locale types it; set it directly.
    web.run(
        "record",
        &format!("document.getElementById('achieved_on').value = '{today}'; return true;"),
    )
    .await;
    web.click("record", "form[action='/achievements'] button[type=submit]")
        .await;
    web.expect(
        "recorded",
        "Robotics finalist recorded. It waits for a reviewer",
    )
    .await;
    web.expect("submitted", "Submitted").await;
    web.sign_out("student signs out").await;

    web.sign_in("alpha", "tess@alpha.edu", PASSWORD, fixtures::TOTP_SECRET)
        .await;
    web.goto("/achievements/review").await;
    web.expect("the queue", "Robotics finalist").await;
    web.click("approve", "button[name=decision][value=approve]")
        .await;
    web.expect("approved", "Approved; the student sees it now")
        .await;
    web.sign_out("teacher signs out").await;

    web.sign_in("alpha", "s1@alpha.edu", PASSWORD, fixtures::TOTP_SECRET)
        .await;
    web.goto("/achievements").await;
    web.expect("the student sees the approval", "Approved by Tess Teach")
        .await;
    let kind = web
        .run_async(
            "portfolio",
            "const form = document.querySelector(\"form[action$='/portfolio']\"); \
             fetch(form.action, {method: 'POST', credentials: 'same-origin', \
                 body: new URLSearchParams(new FormData(form))}) \
               .then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), \
                 new TextDecoder().decode(new Uint8Array(b).slice(0, 5))]))) \
               .catch(e => done(String(e)));",
        )
        .await;
    if kind != json!([200, "application/pdf", "%PDF-"]) {
        web.fail("portfolio", &format!("the download gave {kind}"))
            .await;
    }
    web.close().await;
}

#[tokio::test]
async fn a_teacher_marks_attendance_and_the_student_sees_it() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, tess, .. } = class(&app, &w, 1).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let (_, session) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/sessions", w.section),
        &tess,
        Some(json!({"held_on": today, "starts": "09:00", "ends": "10:00"})),
    )
    .await;
    let session = session["id"].as_str().expect("session").to_string();
    same_password(&app, &w, "s0@alpha.edu", "tess@alpha.edu").await;
    let web = Web::start(&app, "attendance-journey").await;

    web.sign_in("alpha", "tess@alpha.edu", PASSWORD, fixtures::TOTP_SECRET)
        .await;
    web.goto(&format!("/sessions/{session}/mark")).await;
    web.click(
        "mark absent",
        &format!("input[name='status_{}'][value=absent]", people[0].0),
    )
    .await;
    web.click("save", "form[data-live] button[type=submit]")
        .await;
    web.expect("saved", "Attendance saved for 1 student").await;
    web.sign_out("teacher signs out").await;

    web.sign_in("alpha", "s0@alpha.edu", PASSWORD, fixtures::TOTP_SECRET)
        .await;
    web.expect("absent counted", "CS101: 0% (0 of 1)").await;
    // Drawn as a chart against the college's minimum, not only told.
    web.expect("attendance drawn", "<svg class=\"chart\"").await;
    web.expect("the minimum drawn", "minimum 75%").await;
    web.close().await;
}

#[tokio::test]
async fn a_forged_cross_role_address_is_refused_in_the_browser() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "pupil@alpha.edu", &[Role::Student]).await;
    let web = Web::start(&app, "forged-url").await;
    web.sign_in("alpha", "pupil@alpha.edu", PASSWORD, fixtures::TOTP_SECRET)
        .await;
    for path in [
        "/admin/users",
        "/admin/settings",
        "/achievements/review",
        "/tickets",
    ] {
        web.goto(path).await;
        web.expect(&format!("{path} refused"), "error-code\">403")
            .await;
    }
    web.close().await;
}

#[tokio::test]
async fn an_admin_creates_a_user_who_then_signs_in() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let web = Web::start(&app, "admin-creates-user").await;
    web.sign_in("alpha", "admin@alpha.edu", PASSWORD, fixtures::TOTP_SECRET)
        .await;
    web.goto("/admin/users/new").await;
    web.fill("new user", "#email", "newcomer@alpha.edu").await;
    web.fill("new user", "#display_name", "Nia Newcomer").await;
    web.click("new user", "input[name=roles][value=teacher]")
        .await;
    web.click(
        "new user",
        "form[action='/admin/users'] button[type=submit]",
    )
    .await;
    web.expect("created", "newcomer@alpha.edu").await;
    web.sign_out("admin signs out").await;

    // The invitation's link, as the mail delivers it.
    let mail = fixtures::mail_dir();
    let sent = fixtures::delivered_mail(&app, &mail).await;
    let invitation = sent
        .iter()
        .find(|m| m.contains("newcomer@alpha.edu"))
        .expect("an invitation");
    let token = fixtures::link_token(invitation);
    web.goto(&format!("/invite?token={token}")).await;
    web.fill("choose a password", "#new", "amber canyon whistle parade")
        .await;
    web.fill(
        "choose a password",
        "#confirm",
        "amber canyon whistle parade",
    )
    .await;
    web.click("choose a password", "main form.form button[type=submit]")
        .await;
    // Choosing the password from the mailed link signs the newcomer in.
    web.expect("signed in by the invitation", "Welcome, Nia Newcomer")
        .await;
    web.sign_out("newcomer signs out after setting the password")
        .await;
    web.sign_in(
        "alpha",
        "newcomer@alpha.edu",
        "amber canyon whistle parade",
        fixtures::TOTP_SECRET,
    )
    .await;
    web.expect("the newcomer's dashboard", "Welcome, Nia Newcomer")
        .await;
    web.expect("as a teacher", "Teacher").await;
    web.close().await;
}
