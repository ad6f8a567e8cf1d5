//! Dashboards shaped by the work, on the demo college: each staff role's "To do" panel
//! shows its items (a teacher's class of today with attendance taken in one click, the
//! registrar's counts of what waits, a counselor's caseload and students at risk, a
//! warden told plainly that hostel management is not in Campus yet, the principal's
//! college in bars, things to try for the demo's administrator); students and parents
//! keep their own views; and the demo itself has weeks of attendance, work in several
//! states, and prints every fixed account, the applicant's included.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::{CollegeId, begin_for_college};
use uuid::Uuid;

use crate::util::browser::Page;
use crate::util::db::scalar;
use crate::util::fixtures::demo_college;
use crate::util::html::Doc;
use crate::util::{Browser, TestApp};

const PASSWORD: &str = campus::demo::PASSWORD;

/// A browser signed in as a demo account without a second factor.
async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    let answer = browser
        .sign_in_password_only("riverside", email, PASSWORD)
        .await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "{email} could not sign in: {}",
        answer.html
    );
    browser
}

/// A browser signed in as a demo account with a second factor (the college admin, the
/// principal), answered with one of the demo's recovery codes (each test has its own
/// database, so the code is fresh).
async fn signed_in_with_code<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    let password = browser
        .sign_in_password_only("riverside", email, PASSWORD)
        .await;
    let location = password
        .location
        .clone()
        .filter(|l| l.starts_with("/login/mfa"))
        .unwrap_or_else(|| panic!("no second-factor step for {email}: {}", password.html));
    let form = browser.get(&location).await;
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
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{email}: {}", done.html);
    browser
}

/// The dashboard, which must answer 200.
async fn dashboard(browser: &mut Browser<'_>) -> (Page, Doc) {
    let page = browser.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    (page, doc)
}

/// Every `name` attribute of the elements `css` selects in `html`.
fn attrs(html: &str, css: &str, name: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).expect("selector");
    doc.select(&selector)
        .filter_map(|e| e.value().attr(name).map(str::to_string))
        .collect()
}

/// The markup of each element `css` selects in `html`.
fn markup(html: &str, css: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse(css).expect("selector");
    doc.select(&selector).map(|e| e.html()).collect()
}

/// Runs `sql` (no result) in the college.
async fn execute(app: &TestApp, college: CollegeId, sql: &'static str, param: Uuid) {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    sqlx::query(sql)
        .bind(param)
        .execute(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
}

/// The single uuid `sql` selects, `$1` bound to `param`.
async fn uuid_of(app: &TestApp, college: CollegeId, sql: &'static str, param: Uuid) -> Uuid {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let value: Uuid = sqlx::query_scalar(sql)
        .bind(param)
        .fetch_one(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
    value
}

/// Whether a term runs today; otherwise the term of the demo's sections is made to
/// start today, when the academic year allows (between the autumn and spring terms it
/// does; in the summer, before the next academic year begins, it does not).
async fn a_term_runs_today(app: &TestApp, college: CollegeId) -> bool {
    let running: i64 = scalar(
        app,
        college,
        "SELECT count(*) FROM terms WHERE current_date BETWEEN starts_on AND ends_on",
    )
    .await;
    if running > 0 {
        return true;
    }
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let moved = sqlx::query(
        "UPDATE terms SET starts_on = current_date WHERE id = \
           (SELECT id FROM terms WHERE starts_on > current_date ORDER BY starts_on LIMIT 1)",
    )
    .execute(&mut *tx)
    .await;
    match moved {
        Ok(_) => {
            tx.commit().await.expect("commit");
            true
        }
        Err(e) => {
            eprintln!("no term can run today ({e}); the check of today's classes is skipped");
            false
        }
    }
}

#[tokio::test]
async fn a_teachers_class_of_today_is_taken_in_one_click_and_marks_missing_are_listed() {
    let (app, college) = demo_college().await;
    if !a_term_runs_today(&app, college).await {
        return;
    }
    let teacher: Uuid = scalar(
        &app,
        college,
        "SELECT id FROM users WHERE email = 'teacher@riverside.edu'",
    )
    .await;
    // The teacher's first section of the running term, which meets today at 20:00 (a
    // meeting added for the test, whatever day it runs on).
    let section = uuid_of(
        &app,
        college,
        "SELECT s.id FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id \
         JOIN terms t ON t.college_id = s.college_id AND t.id = s.term_id \
          AND current_date BETWEEN t.starts_on AND t.ends_on \
         JOIN section_teachers x ON x.college_id = s.college_id AND x.section_id = s.id \
         JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id AND st.user_id = $1 \
         ORDER BY c.code LIMIT 1",
        teacher,
    )
    .await;
    let meeting = uuid_of(
        &app,
        college,
        "INSERT INTO section_meetings (college_id, section_id, term_id, weekday, start_minute, end_minute) \
         SELECT app_current_college(), s.id, s.term_id, extract(isodow FROM current_date)::int2, 1200, 1260 \
         FROM sections s WHERE s.id = $1 RETURNING id",
        section,
    )
    .await;
    let label: String = {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        let label = sqlx::query_scalar(
            "SELECT c.code || ' ' || s.code FROM sections s JOIN courses c \
             ON c.college_id = s.college_id AND c.id = s.course_id WHERE s.id = $1",
        )
        .bind(section)
        .fetch_one(&mut *tx)
        .await
        .expect("label");
        tx.commit().await.expect("commit");
        label
    };
    // A student of the section and an assessment without their mark.
    let student = uuid_of(
        &app,
        college,
        "SELECT st.id FROM students st WHERE st.status = 'enrolled' AND NOT EXISTS \
           (SELECT 1 FROM enrollments e WHERE e.student_id = st.id AND e.section_id = $1) \
         ORDER BY st.student_number LIMIT 1",
        section,
    )
    .await;
    {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        sqlx::query(
            "INSERT INTO enrollments (college_id, section_id, student_id, status) \
             VALUES (app_current_college(), $1, $2, 'enrolled')",
        )
        .bind(section)
        .bind(student)
        .execute(&mut *tx)
        .await
        .expect("enrolled");
        sqlx::query("UPDATE sections SET enrolled = enrolled + 1 WHERE id = $1")
            .bind(section)
            .execute(&mut *tx)
            .await
            .expect("seat");
        tx.commit().await.expect("commit");
    }
    let assessment = uuid_of(
        &app,
        college,
        "INSERT INTO assessments (college_id, section_id, name, kind, weight, max_marks) \
         VALUES (app_current_college(), $1, 'Lab report 1', 'practical', 5, 20) RETURNING id",
        section,
    )
    .await;

    let mut browser = signed_in(&app, "teacher@riverside.edu").await;
    let (_, doc) = dashboard(&mut browser).await;
    assert_eq!(doc.text("h2#todo"), "To do");
    // Today's class, with the button that makes its session.
    let form = format!(
        "section[aria-labelledby=todo-classes] form[action='/sections/{section}/sessions/today']"
    );
    let forms = doc.count(&format!("{form} input[name=meeting][value='{meeting}']"));
    assert_eq!(forms, 1, "no button for today's 20:00 class");
    doc.expect_text("section[aria-labelledby=todo-classes] li", "20:00–21:00");
    doc.expect_text("section[aria-labelledby=todo-classes] li", &label);
    doc.expect_text(&format!("{form} button"), "Take attendance");
    // The assessment still without the new student's mark.
    doc.expect_text(
        &format!("section[aria-labelledby=todo-marks] a[href='/assessments/{assessment}/marks']"),
        &format!("{label}: Lab report 1"),
    );
    doc.expect_text(
        "section[aria-labelledby=todo-marks] li",
        "Lab report 1: 1 mark missing",
    );

    // One click: the session is made and the marking page opens on it.
    let page = browser.get("/dashboard").await;
    let taken = browser
        .post(
            &format!("/sections/{section}/sessions/today"),
            &[("_csrf", &page.csrf()), ("meeting", &meeting.to_string())],
        )
        .await;
    assert_eq!(taken.status, StatusCode::SEE_OTHER, "{}", taken.html);
    let to = taken.location.clone().expect("to the marking page");
    assert!(
        to.starts_with("/sessions/") && to.ends_with("/mark"),
        "{to}"
    );
    let marking = browser.get(&to).await;
    assert_eq!(marking.status, StatusCode::OK, "{}", marking.html);
    let doc = Doc::parse(&marking.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "ready: mark who is here",
    );
    doc.expect_text(".page-header .lead", &label);
    doc.expect_text(".page-header .lead", "20:00");
    assert!(
        doc.has("form[action$='/mark'] input[type=radio][value=present]"),
        "the roster to mark: {}",
        marking.html
    );
    let session = to
        .trim_start_matches("/sessions/")
        .trim_end_matches("/mark")
        .to_string();

    // The dashboard now links the class to its session, and a second click makes no
    // second session.
    let page = browser.get("/dashboard").await;
    let doc = Doc::parse(&page.html);
    assert!(
        doc.has(&format!(
            "section[aria-labelledby=todo] a[href='/sessions/{session}/mark']"
        )),
        "{}",
        page.html
    );
    assert_eq!(doc.count(&format!("{form} input[value='{meeting}']")), 0);
    let again = browser
        .post(
            &format!("/sections/{section}/sessions/today"),
            &[("_csrf", &page.csrf()), ("meeting", &meeting.to_string())],
        )
        .await;
    assert_eq!(again.location.as_deref(), Some(to.as_str()));
    let sessions: i64 = {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        let n = sqlx::query_scalar(
            "SELECT count(*) FROM class_sessions WHERE section_id = $1 \
             AND held_on = current_date AND start_minute = 1200",
        )
        .bind(section)
        .fetch_one(&mut *tx)
        .await
        .expect("sessions");
        tx.commit().await.expect("commit");
        n
    };
    assert_eq!(sessions, 1);

    // A meeting of another day, or of another section, makes nothing.
    let other: Uuid = uuid_of(
        &app,
        college,
        "SELECT m.id FROM section_meetings m WHERE m.section_id <> $1 LIMIT 1",
        section,
    )
    .await;
    let refused = browser
        .post(
            &format!("/sections/{section}/sessions/today"),
            &[("_csrf", &page.csrf()), ("meeting", &other.to_string())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_teacher_cannot_take_attendance_for_a_section_they_do_not_teach() {
    let (app, college) = demo_college().await;
    let section = uuid_of(
        &app,
        college,
        "SELECT s.id FROM sections s WHERE NOT EXISTS (SELECT 1 FROM section_teachers x \
           JOIN staff st ON st.college_id = x.college_id AND st.id = x.staff_id \
           WHERE x.section_id = s.id AND st.user_id = $1) \
         AND EXISTS (SELECT 1 FROM section_meetings m WHERE m.section_id = s.id) LIMIT 1",
        scalar(
            &app,
            college,
            "SELECT id FROM users WHERE email = 'teacher@riverside.edu'",
        )
        .await,
    )
    .await;
    let meeting = uuid_of(
        &app,
        college,
        "SELECT id FROM section_meetings WHERE section_id = $1 LIMIT 1",
        section,
    )
    .await;
    let mut browser = signed_in(&app, "teacher@riverside.edu").await;
    let page = browser.get("/dashboard").await;
    let refused = browser
        .post(
            &format!("/sections/{section}/sessions/today"),
            &[("_csrf", &page.csrf()), ("meeting", &meeting.to_string())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
}

#[tokio::test]
async fn the_registrars_to_do_counts_what_waits_with_links() {
    let (app, college) = demo_college().await;
    let mut browser = signed_in(&app, "registrar@riverside.edu").await;
    let (_, doc) = dashboard(&mut browser).await;
    assert_eq!(doc.text("h2#todo"), "To do");
    let leave: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM leave_requests WHERE status = 'pending' AND chain[stage] = 'registrar'",
    )
    .await;
    let results: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM sections WHERE results_status = 'submitted'",
    )
    .await;
    let applications: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM applications WHERE status IN ('submitted', 'under_review')",
    )
    .await;
    // The demo leaves each of them waiting.
    assert!(
        leave > 0 && results > 0 && applications > 0,
        "leave {leave}, results {results}, applications {applications}"
    );
    for (href, said) in [
        ("/requests", counted(leave, "leave request", "to decide")),
        (
            "/results?status=submitted",
            counted(results, "section", "with results to publish"),
        ),
        (
            "/admissions/intakes",
            counted(applications, "application", "to decide"),
        ),
    ] {
        assert_eq!(
            doc.text(&format!(
                "section[aria-labelledby=waiting] a[href='{href}']"
            )),
            said
        );
    }
    // The registrar's own pages hold what the counts say.
    let page = browser.get("/results?status=submitted").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    // The registrar's college figures stay below.
    assert!(
        doc.texts("main h2")
            .iter()
            .any(|h| h == "Students by status")
    );
}

#[tokio::test]
async fn the_counselors_to_do_lists_their_caseload_and_students_at_risk() {
    let (app, college) = demo_college().await;
    // A student alerted for low attendance, whatever the day (the demo's own alerts
    // depend on a term running).
    let alerted = uuid_of(
        &app,
        college,
        "SELECT st.id FROM students st WHERE st.status = 'enrolled' AND st.id <> $1 \
         ORDER BY st.student_number LIMIT 1",
        Uuid::nil(),
    )
    .await;
    execute(
        &app,
        college,
        "INSERT INTO attendance_alerts (college_id, student_id, section_id, percent) \
         SELECT app_current_college(), $1, (SELECT id FROM sections LIMIT 1), 61.5",
        alerted,
    )
    .await;
    let mut browser = signed_in(&app, "counselor@riverside.edu").await;
    let (_, doc) = dashboard(&mut browser).await;
    assert_eq!(doc.text("h2#todo"), "To do");

    // The caseload: the students the counselor wrote about (the demo writes three).
    let noted: i64 = scalar(
        &app,
        college,
        "SELECT count(DISTINCT n.student_id) FROM guidance_notes n JOIN users u \
         ON u.college_id = n.college_id AND u.id = n.author_id WHERE u.email = 'counselor@riverside.edu'",
    )
    .await;
    assert!(noted > 0, "the demo's counselor has written notes");
    assert_eq!(
        doc.count("section[aria-labelledby=caseload] li a[href$='/guidance']"),
        noted as usize
    );

    // At risk: under the minimum lately, each linking to the profile.
    let risky = format!("section[aria-labelledby=at-risk] a[href='/students/{alerted}']");
    assert!(doc.has(&risky), "{}", doc.texts("main").join(" "));
    doc.expect_text("section[aria-labelledby=at-risk] li", "61.5%");
    let alerts: i64 = scalar(
        &app,
        college,
        "SELECT count(DISTINCT student_id) FROM attendance_alerts WHERE sent_at > now() - interval '30 days'",
    )
    .await;
    assert_eq!(
        doc.count("ul[aria-labelledby=at-risk-attendance] li"),
        alerts.min(10) as usize
    );
    // Failing results of the last published term, when there are any.
    let failing: i64 = scalar(
        &app,
        college,
        "SELECT count(DISTINCT r.student_id) FROM results r JOIN sections s \
           ON s.college_id = r.college_id AND s.id = r.section_id AND s.results_status = 'published' \
         WHERE NOT r.passed",
    )
    .await;
    assert_eq!(doc.has("ul[aria-labelledby=at-risk-results]"), failing > 0);
    // The profile opens.
    let profile = browser.get(&format!("/students/{alerted}")).await;
    assert_eq!(profile.status, StatusCode::OK);
}

#[tokio::test]
async fn the_warden_librarian_and_accountant_are_told_plainly_what_campus_lacks() {
    let (app, _) = demo_college().await;
    for (email, said, links) in [
        (
            "warden@riverside.edu",
            "Hostel management is not part of Campus yet. Meanwhile you can:",
            &[
                "/tickets?category=hostel",
                "/notices",
                "/students",
                "/requests",
            ][..],
        ),
        (
            "librarian@riverside.edu",
            "Library management (the catalogue, loans and fines) is not part of Campus yet.",
            &["/notices", "/students", "/staff", "/requests"][..],
        ),
        (
            "accountant@riverside.edu",
            "Fees and accounts are not part of Campus yet.",
            &["/notices", "/students", "/requests"][..],
        ),
    ] {
        let mut browser = signed_in(&app, email).await;
        let (_, doc) = dashboard(&mut browser).await;
        doc.expect_text("section[aria-labelledby=todo] .todo-missing p", said);
        for href in links {
            assert!(
                doc.has(&format!(".todo-missing a[href='{href}']")),
                "{email}: no link to {href}"
            );
            let page = browser.get(href).await;
            assert_eq!(page.status, StatusCode::OK, "{email} at {href}");
        }
        // Not a generic dashboard of the college's figures.
        let headings = doc.texts("main h2");
        for generic in [
            "Students by status",
            "Staff by department",
            "Largest programs",
        ] {
            assert!(!headings.iter().any(|h| h == generic), "{email}: {generic}");
        }
    }
    // The warden's hostel tickets are counted.
    let mut browser = signed_in(&app, "warden@riverside.edu").await;
    let (_, doc) = dashboard(&mut browser).await;
    doc.expect_text(
        ".todo-missing a[href='/tickets?category=hostel']",
        "handle the hostel's tickets (2 open)",
    );
}

#[tokio::test]
async fn the_principal_sees_the_college_in_bars() {
    let (app, college) = demo_college().await;
    let mut browser = signed_in_with_code(&app, "principal@riverside.edu").await;
    let (page, doc) = dashboard(&mut browser).await;
    assert_eq!(doc.text("h2#college"), "The college at a glance");
    let titles = doc.texts("section[aria-labelledby=college] svg.chart title");
    for title in [
        "Enrolled students by department",
        "Enrolled students by program",
    ] {
        assert!(titles.iter().any(|t| t == title), "{title} in {titles:?}");
    }
    // Each department is a bar, the largest drawn full.
    let departments: i64 = scalar(&app, college, "SELECT count(*) FROM departments").await;
    let department_chart = markup(&page.html, "section[aria-labelledby=college] svg.chart")
        .into_iter()
        .find(|svg| svg.contains("Enrolled students by department"))
        .expect("the departments' chart");
    assert_eq!(
        department_chart.matches("class=\"chart-bar").count(),
        departments as usize
    );
    assert!(
        department_chart.contains("width=\"330.0\""),
        "the largest is full"
    );
    doc.expect_text("section[aria-labelledby=college] details.chart-key", "CSE");
    // The college's attendance of the last 30 days, against the minimum, once marked.
    let marked: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM attendance a JOIN class_sessions cs ON cs.college_id = a.college_id \
           AND cs.id = a.session_id WHERE cs.held_on > current_date - 30",
    )
    .await;
    if marked > 0 {
        doc.expect_text(
            "section[aria-labelledby=college] .stat-label",
            "present or late in the last 30 days",
        );
        assert!(
            titles.iter().any(|t| t == "Attendance in the last 30 days"),
            "{titles:?}"
        );
        doc.expect_text("section[aria-labelledby=college] svg.chart", "minimum 75%");
    }
    // The principal's own work: the staff leave waiting for them.
    doc.expect_text(
        "section[aria-labelledby=waiting] a[href='/requests']",
        "to decide",
    );
}

#[tokio::test]
async fn the_demo_admin_has_things_to_try_and_each_opens() {
    let (app, _) = demo_college().await;
    let mut browser = signed_in_with_code(&app, "admin@riverside.edu").await;
    let (page, doc) = dashboard(&mut browser).await;
    assert_eq!(doc.text("h2#try"), "Things to try in the demo");
    let links = attrs(&page.html, "section[aria-labelledby=try] a", "href");
    for expected in [
        "/admin/users/new",
        "/admin/audit",
        "/admin/oneroster/export",
        "/timetable",
    ] {
        assert!(
            links.iter().any(|l| l == expected),
            "{expected} in {links:?}"
        );
    }
    assert!(
        links.iter().any(|l| l.starts_with("/students/")),
        "a student's profile in {links:?}"
    );
    for link in &links {
        let page = browser.get(link).await;
        assert_eq!(page.status, StatusCode::OK, "{link}");
    }
}

#[tokio::test]
async fn things_to_try_are_the_demo_colleges_only() {
    let app = TestApp::new().await;
    let college = crate::util::fixtures::college(&app.pool, "alpha").await;
    crate::util::fixtures::user(&app.pool, college, "boss@alpha.edu", &[Role::CollegeAdmin]).await;
    let mut browser = Browser::new(&app);
    let signed = browser
        .sign_in("alpha", "boss@alpha.edu", crate::util::fixtures::PASSWORD)
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER, "{}", signed.html);
    let (_, doc) = dashboard(&mut browser).await;
    assert!(!doc.has("section[aria-labelledby=try]"));
    assert_eq!(doc.text("h2#todo"), "To do");
}

#[tokio::test]
async fn the_student_organizers_to_do_is_the_achievements_to_review() {
    let (app, college) = demo_college().await;
    let waiting: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM achievements a JOIN achievement_organizers o \
           ON o.college_id = a.college_id AND o.category = a.category \
         JOIN users u ON u.college_id = o.college_id AND u.id = o.user_id \
         WHERE u.email = 'organizer@riverside.edu' AND a.status = 'submitted'",
    )
    .await;
    assert!(waiting > 0, "the demo leaves achievements to review");
    let mut browser = signed_in(&app, "organizer@riverside.edu").await;
    let (_, doc) = dashboard(&mut browser).await;
    assert_eq!(doc.text("h2#todo"), "To do");
    assert_eq!(
        doc.text("section[aria-labelledby=waiting] a[href='/achievements/review']"),
        counted(waiting, "achievement", "to review")
    );
    // Still a student's dashboard otherwise.
    assert!(doc.texts("main h2").iter().any(|h| h == "Your record"));
    assert!(!doc.has("section[aria-labelledby=college]"));
    let queue = browser.get("/achievements/review").await;
    assert_eq!(queue.status, StatusCode::OK);
}

#[tokio::test]
async fn students_and_parents_keep_their_own_views() {
    let (app, _) = demo_college().await;
    for (email, own) in [
        ("student@riverside.edu", "Your record"),
        ("parent@riverside.edu", "Your children"),
        ("applicant@riverside.edu", "Your applications"),
    ] {
        let mut browser = signed_in(&app, email).await;
        let (_, doc) = dashboard(&mut browser).await;
        assert!(!doc.has("section[aria-labelledby=todo]"), "{email}");
        assert!(!doc.has("section[aria-labelledby=college]"), "{email}");
        assert!(
            doc.texts("main h2").iter().any(|h| h == own),
            "{email}: {:?}",
            doc.texts("main h2")
        );
    }
}

#[tokio::test]
async fn the_demo_has_weeks_of_attendance_and_work_in_several_states() {
    let (app, college) = demo_college().await;
    let days_running: i32 = scalar(
        &app,
        college,
        "SELECT coalesce(max(current_date - starts_on), -1) FROM terms \
         WHERE current_date BETWEEN starts_on AND ends_on",
    )
    .await;
    if days_running >= 21 {
        let (weeks, marks, present): (i64, i64, i64) = {
            let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
            let row = sqlx::query_as(
                "SELECT count(DISTINCT date_trunc('week', cs.held_on)), count(*), \
                        count(*) FILTER (WHERE a.status IN ('present', 'late')) \
                 FROM attendance a JOIN class_sessions cs ON cs.college_id = a.college_id AND cs.id = a.session_id",
            )
            .fetch_one(&mut *tx)
            .await
            .expect("attendance");
            tx.commit().await.expect("commit");
            row
        };
        assert!(
            (3..=7).contains(&weeks),
            "marks over {weeks} weeks ({days_running} days into the term)"
        );
        assert!(
            present * 100 > marks * 75,
            "mostly present: {present} of {marks}"
        );
        let alerts: i64 = scalar(&app, college, "SELECT count(*) FROM attendance_alerts").await;
        assert!(alerts > 0, "some students are under the minimum");
        // No session is in the future, none is unmarked.
        let unmarked: i64 = scalar(
            &app,
            college,
            "SELECT count(*) FROM class_sessions cs WHERE cs.held_on >= current_date \
             OR NOT EXISTS (SELECT 1 FROM attendance a WHERE a.college_id = cs.college_id AND a.session_id = cs.id)",
        )
        .await;
        assert_eq!(unmarked, 0);
    }
    for (what, sql, at_least) in [
        (
            "application states",
            "SELECT count(DISTINCT status) FROM applications",
            6,
        ),
        (
            "ticket states",
            "SELECT count(DISTINCT status) FROM tickets",
            4,
        ),
        (
            "leave states",
            "SELECT count(DISTINCT status) FROM leave_requests",
            4,
        ),
        (
            "notice audiences",
            "SELECT count(DISTINCT audience) FROM notices",
            5,
        ),
        (
            "online meetings",
            "SELECT count(*) FROM online_meetings WHERE starts_at > now()",
            1,
        ),
        (
            "timetabled rooms",
            "SELECT count(DISTINCT room_id) FROM section_meetings",
            1,
        ),
        (
            "open registration windows",
            "SELECT count(*) FROM registration_windows WHERE now() BETWEEN opens_at AND closes_at",
            1,
        ),
        (
            "published sections",
            "SELECT count(*) FROM sections WHERE results_status = 'published'",
            1,
        ),
    ] {
        let n: i64 = scalar(&app, college, sql).await;
        assert!(n >= at_least, "{what}: {n}");
    }
    // Decided leave has its decision; a ticket handled says so in its history.
    let undecided: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM leave_requests l WHERE l.status IN ('approved', 'rejected') \
         AND NOT EXISTS (SELECT 1 FROM leave_decisions d WHERE d.request_id = l.id)",
    )
    .await;
    assert_eq!(undecided, 0);
    // The documented accounts have no requests of their own: their pages start empty.
    let theirs: i64 = scalar(
        &app,
        college,
        "WITH fixed AS (SELECT id FROM users WHERE email::text IN ('admin@riverside.edu', \
             'principal@riverside.edu', 'registrar@riverside.edu', 'coordinator@riverside.edu', \
             'accountant@riverside.edu', 'warden@riverside.edu', 'librarian@riverside.edu', \
             'counselor@riverside.edu', 'teacher@riverside.edu', 'organizer@riverside.edu', \
             'student@riverside.edu', 'parent@riverside.edu', 'applicant@riverside.edu')) \
         SELECT (SELECT count(*) FROM leave_requests WHERE user_id IN (SELECT id FROM fixed)) \
              + (SELECT count(*) FROM tickets WHERE requester_id IN (SELECT id FROM fixed))",
    )
    .await;
    assert_eq!(theirs, 0);

    // `campus demo` prints every fixed account, the applicant's included.
    let accounts = campus::demo::accounts(&app.pool).await.expect("accounts");
    assert_eq!(accounts.len(), Role::COLLEGE.len(), "{accounts:?}");
    assert!(
        accounts
            .iter()
            .any(|(role, email, _)| *role == Role::Applicant && email == "applicant@riverside.edu"),
        "{accounts:?}"
    );
}

/// A count as the dashboard says it: "1 application to decide", "3 applications to decide".
fn counted(n: i64, noun: &str, rest: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} {noun}{s} {rest}")
}
