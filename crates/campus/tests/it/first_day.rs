//! A college from nothing, in Chromium, with no SQL and no demo data: the platform
//! admin creates it; its administrator accepts the invitation, sets a password and a
//! second factor and works down the setup checklist; imports students and staff and
//! gives them accounts; the registrar builds the catalog and the timetable (a clash
//! refused and named) and opens registration; a student enrols; the teacher takes
//! attendance; a paper is scheduled and the student downloads the hall ticket; a notice
//! to the section reaches its student and not another.

use campus::people::model::Email;
use fantoccini::Locator;
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::util::TestApp;
use crate::util::chromium::Web;
use crate::util::fixtures::{self, PASSWORD};

/// Base32 (RFC 4648, no padding) as the enrolment page shows a secret.
fn base32_decode(text: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut bits, mut value, mut out) = (0u32, 0u32, Vec::new());
    for c in text.trim().bytes().filter(|c| *c != b'=' && *c != b' ') {
        let index = alphabet
            .iter()
            .position(|a| *a == c.to_ascii_uppercase())
            .expect("base32");
        value = (value << 5) | index as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((value >> bits) as u8);
            value &= (1 << bits) - 1;
        }
    }
    out
}

/// Sets a field's value the way a date picker or a select would.
async fn set(web: &Web, step: &str, id: &str, value: &str) {
    let script = format!(
        "const e = document.getElementById({}); if (!e) return false; e.value = {}; return e.value === {};",
        json!(id),
        json!(value),
        json!(value)
    );
    if web.run(step, &script).await != json!(true) {
        web.fail(step, &format!("#{id} did not take {value}")).await;
    }
}

/// Chooses the option of a select whose words contain `words`.
async fn choose(web: &Web, step: &str, id: &str, words: &str) {
    let script = format!(
        "const o = [...document.querySelectorAll('#{id} option')].find(o => o.textContent.includes({})); \
         if (!o) return false; o.parentElement.value = o.value; return true;",
        json!(words)
    );
    if web.run(step, &script).await != json!(true) {
        web.fail(step, &format!("#{id} offers no {words}")).await;
    }
}

async fn submit(web: &Web, step: &str, action: &str) {
    web.click(
        step,
        &format!("form[action='{action}'] button[type=submit]"),
    )
    .await;
}

/// The path of the page the browser is on.
async fn path(web: &Web) -> String {
    web.client
        .current_url()
        .await
        .map(|u| u.path().to_string())
        .unwrap_or_default()
}

/// The last part of the page's path: the id of the record it shows.
async fn id_here(web: &Web) -> String {
    path(web)
        .await
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Opens the invitation mailed to `email`, chooses the shared password and lands on
/// what follows (a dashboard, or the second-factor enrolment).
async fn accept_invitation(web: &Web, app: &TestApp, mail: &std::path::Path, email: &str) {
    let sent = fixtures::delivered_mail(app, mail).await;
    let Some(invitation) = sent
        .iter()
        .find(|m| m.contains(&format!("To: {email}")) || m.contains(&format!("<{email}>")))
    else {
        web.fail(&format!("invitation of {email}"), "no mail").await;
    };
    let token = fixtures::link_token(invitation);
    web.goto(&format!("/invite?token={token}")).await;
    let step = format!("password of {email}");
    web.fill(&step, "#new", PASSWORD).await;
    web.fill(&step, "#confirm", PASSWORD).await;
    submit(web, &step, "/invite").await;
}

async fn sign_in_with_password(web: &Web, college: &str, email: &str) {
    web.sign_in(college, email, PASSWORD, fixtures::TOTP_SECRET)
        .await;
}

#[tokio::test]
async fn a_college_is_set_up_from_nothing_and_runs_its_first_days_in_chromium() {
    let app = TestApp::new().await;
    let mail = fixtures::mail_dir();
    // The platform's operator exists before anything (`campus admin` makes one).
    let hash = campus::identity::signin::password::hash(PASSWORD).expect("hash");
    let email = Email::parse("email", "ops@campus.example").expect("email");
    let (tenant, operator) = campus::platform::create_admin(&app.pool, &email, "Olga Ops", &hash)
        .await
        .expect("create")
        .expect("new");
    let mut tx = campus::db::begin_for_college(&app.pool, tenant)
        .await
        .expect("tx");
    campus::identity::mfa::queries::enable_with_secret(
        &mut tx,
        &app.state.config.field_keys,
        operator,
        fixtures::TOTP_SECRET,
    )
    .await
    .expect("mfa");
    tx.commit().await.expect("commit");

    let web = Web::start(&app, "first-day").await;
    let today = OffsetDateTime::now_utc().date();
    let day = |n: i64| (today + Duration::days(n)).to_string();
    let weekday = today.weekday().number_from_monday().to_string();

    // 1. The platform admin creates the college and its administrator.
    web.goto("/platform/login").await;
    web.fill("platform sign-in", "#email", "ops@campus.example")
        .await;
    web.fill("platform sign-in", "#password", PASSWORD).await;
    submit(&web, "platform sign-in", "/login").await;
    web.expect("platform second factor", "code").await;
    let code = fixtures::next_code("ops@campus.example", fixtures::TOTP_SECRET);
    web.fill("platform second factor", "#code", &code).await;
    submit(&web, "platform second factor", "/login/mfa").await;
    web.expect("platform dashboard", "Welcome, Olga Ops").await;
    web.goto("/platform").await;
    web.fill("new college", "#slug", "beta").await;
    web.fill("new college", "#name", "Beta College").await;
    web.fill("new college", "#admin_email", "head@beta.edu")
        .await;
    web.fill("new college", "#admin_name", "Hema Head").await;
    submit(&web, "new college", "/platform/colleges").await;
    web.expect(
        "college created",
        "an invitation was mailed to head@beta.edu",
    )
    .await;
    web.sign_out("operator signs out").await;

    // 2. The administrator: invitation, password, second factor.
    accept_invitation(&web, &app, &mail, "head@beta.edu").await;
    web.expect("second factor asked", "Set it up").await;
    let secret = match web
        .client
        .find(Locator::Css("section[aria-labelledby=enrol] code.mono"))
        .await
    {
        Ok(element) => element.text().await.unwrap_or_default(),
        Err(e) => web.fail("secret shown", &e.to_string()).await,
    };
    let secret = base32_decode(&secret);
    let code = fixtures::next_code("head@beta.edu", &secret);
    web.fill("second factor on", "#code", &code).await;
    submit(&web, "second factor on", "/account/mfa/confirm").await;
    web.expect("second factor on", "The second factor is on")
        .await;
    web.goto("/dashboard").await;
    web.expect("the checklist", "Setting the college up: 0 of 7 steps done")
        .await;

    // 3. The institution, down the checklist.
    let record = async |step: &str, form: &str, fields: &[(&str, &str)], done: &str| {
        web.goto(&format!("{form}/new")).await;
        for (id, value) in fields {
            set(&web, step, id, value).await;
        }
        submit(&web, step, form).await;
        web.expect(step, done).await;
    };
    record(
        "campus",
        "/setup/campuses",
        &[("code", "MAIN"), ("name", "Main campus")],
        "Campus MAIN created",
    )
    .await;
    record(
        "building",
        "/setup/buildings",
        &[
            ("code", "ENG"),
            ("name", "Engineering"),
            ("campus", "MAIN"),
            ("floors", "3"),
        ],
        "Building ENG created",
    )
    .await;
    for (code, kind, capacity) in [
        ("R101", "classroom", "40"),
        ("R102", "classroom", "40"),
        ("HALL", "hall", "120"),
    ] {
        record(
            "room",
            "/setup/rooms",
            &[
                ("code", code),
                ("name", code),
                ("building", "ENG"),
                ("kind", kind),
                ("capacity", capacity),
                ("floor", "1"),
            ],
            &format!("Room {code} created"),
        )
        .await;
    }
    record(
        "department",
        "/setup/departments",
        &[("code", "CSE"), ("name", "Computing")],
        "Department CSE created",
    )
    .await;
    record(
        "program",
        "/setup/programs",
        &[
            ("code", "BSC-CS"),
            ("name", "BSc Computing"),
            ("department", "CSE"),
            ("duration_years", "3"),
        ],
        "Program BSC-CS created",
    )
    .await;
    record(
        "year",
        "/setup/years",
        &[
            ("name", "2026-27"),
            ("starts_on", &day(-60)),
            ("ends_on", &day(300)),
        ],
        "Academic year 2026-27 created",
    )
    .await;
    record(
        "first term",
        "/setup/terms",
        &[
            ("name", "Term 1"),
            ("academic_year", "2026-27"),
            ("starts_on", &day(-30)),
            ("ends_on", &day(90)),
        ],
        "Term Term 1",
    )
    .await;
    record(
        "second term",
        "/setup/terms",
        &[
            ("name", "Term 2"),
            ("academic_year", "2026-27"),
            ("starts_on", &day(91)),
            ("ends_on", &day(250)),
        ],
        "Term Term 2",
    )
    .await;
    record(
        "holiday",
        "/setup/calendar",
        &[
            ("kind", "holiday"),
            ("name", "Founders Day"),
            ("starts_on", &day(3)),
            ("ends_on", &day(3)),
        ],
        "Holiday Founders Day created",
    )
    .await;
    record(
        "exam period",
        "/setup/calendar",
        &[
            ("kind", "exam_period"),
            ("name", "Midterms"),
            ("starts_on", &day(20)),
            ("ends_on", &day(24)),
        ],
        "Exam period Midterms created",
    )
    .await;
    for (name, starts, ends) in [("P1", "09:00", "10:00"), ("P2", "10:00", "11:00")] {
        record(
            "bell period",
            "/setup/periods",
            &[("name", name), ("starts", starts), ("ends", ends)],
            &format!("Period {name}"),
        )
        .await;
    }

    // 4. People from CSV files, then their accounts.
    let folder = std::env::temp_dir().join(format!(
        "campus-first-day-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&folder).expect("folder");
    let mut students_csv =
        String::from("student_number,first_name,last_name,program,admitted_on,email\r\n");
    for n in 1..=40 {
        students_csv.push_str(&format!(
            "S{n:04},Student,Number{n},BSC-CS,{},student.{n:03}@beta.edu\r\n",
            day(-30)
        ));
    }
    let students_file = folder.join("students.csv");
    std::fs::write(&students_file, students_csv).expect("students file");
    let mut staff_csv =
        String::from("staff_number,first_name,last_name,title,department,email\r\n");
    for (n, (first, last)) in [
        ("Tara", "Teach"),
        ("Umar", "Usher"),
        ("Rhea", "Register"),
        ("Vik", "Vance"),
        ("Wen", "Wu"),
    ]
    .iter()
    .enumerate()
    {
        staff_csv.push_str(&format!(
            "ST-{:03},{first},{last},Lecturer,CSE,{}@beta.edu\r\n",
            n + 1,
            first.to_lowercase()
        ));
    }
    let staff_file = folder.join("staff.csv");
    std::fs::write(&staff_file, staff_csv).expect("staff file");
    for (page, file, done) in [
        ("/students/import", &students_file, "Imported 40 rows"),
        ("/staff/import", &staff_file, "Imported 5 rows"),
    ] {
        web.goto(page).await;
        match web.client.find(Locator::Css("#file")).await {
            Ok(input) => {
                if let Err(e) = input.send_keys(file.to_str().expect("path")).await {
                    web.fail(page, &e.to_string()).await;
                }
            }
            Err(e) => web.fail(page, &e.to_string()).await,
        }
        web.click(page, "button[name=mode][value=import]").await;
        web.expect(page, done).await;
    }
    let mut staff_ids = Vec::new();
    for (number, role) in [
        ("ST-001", "teacher"),
        ("ST-002", "teacher"),
        ("ST-003", "registrar"),
    ] {
        let step = format!("account of {number}");
        web.goto(&format!("/staff?q={number}")).await;
        web.click(&step, "table#staff tbody a.mono").await;
        web.expect(&step, "No sign-in account").await;
        let staff = id_here(&web).await;
        web.goto(&format!("/staff/{staff}/account")).await;
        if role != "teacher" {
            web.click(&step, "input[name=roles][value=teacher]").await;
            web.click(&step, &format!("input[name=roles][value={role}]"))
                .await;
        }
        submit(&web, &step, &format!("/staff/{staff}/account")).await;
        web.expect(&step, "Account made; the invitation was mailed.")
            .await;
        staff_ids.push(staff);
    }
    web.goto("/students").await;
    submit(&web, "student accounts", "/students/accounts").await;
    web.expect("student accounts", "40 accounts made").await;
    web.goto("/dashboard").await;
    web.expect("the checklist after people", "4 of 7 steps done")
        .await;
    web.sign_out("administrator signs out").await;

    // 5. The registrar: courses, sections, the timetable, registration.
    accept_invitation(&web, &app, &mail, "rhea@beta.edu").await;
    web.expect("registrar signed in", "Welcome, Rhea Register")
        .await;
    let mut sections = Vec::new();
    let mut courses = Vec::new();
    for (code, title, teacher, room) in [
        ("CS101", "Programming", &staff_ids[0], "R101"),
        ("CS102", "Discrete mathematics", &staff_ids[0], "R102"),
        ("CS103", "Computer systems", &staff_ids[1], "R102"),
    ] {
        let step = format!("course {code}");
        web.goto("/catalog").await;
        set(&web, &step, "code", code).await;
        set(&web, &step, "title", title).await;
        set(&web, &step, "credits", "4").await;
        set(&web, &step, "department", "CSE").await;
        submit(&web, &step, "/catalog/courses").await;
        web.expect(&step, &format!("Course {code} created")).await;
        let course = id_here(&web).await;
        set(&web, &step, "capacity", "30").await;
        submit(&web, &step, &format!("/catalog/courses/{course}/sections")).await;
        web.expect(&step, &format!("Section A of {code} created"))
            .await;
        web.click(&step, "a[href^='/catalog/sections/']").await;
        web.expect(&step, "Place it in the timetable builder").await;
        let section = id_here(&web).await;
        web.goto(&format!("/catalog/sections/{section}/edit")).await;
        web.click(&step, &format!("input[name=teachers][value='{teacher}']"))
            .await;
        choose(&web, &step, "room_id", room).await;
        submit(&web, &step, &format!("/catalog/sections/{section}/edit")).await;
        web.expect(&step, &format!("{code} A saved")).await;
        courses.push(course);
        sections.push(section);
    }
    let place = async |step: &str, section: &str, period: &str| {
        web.goto(&format!(
            "/timetable/builder?section={section}&weekday={weekday}&period={period}#place"
        ))
        .await;
        submit(&web, step, "/timetable/builder/place").await;
    };
    place("CS101 placed", &sections[0], "P1").await;
    web.expect("CS101 placed", "CS101 A placed on").await;
    // The same teacher at the same hour: refused, the clash named.
    place("a clash refused", &sections[1], "P1").await;
    web.expect("a clash refused", "The meeting was not saved.")
        .await;
    web.expect("a clash refused", "already teaches CS101 A")
        .await;
    place("CS102 placed", &sections[1], "P2").await;
    web.expect("CS102 placed", "CS102 A placed on").await;
    place("CS103 placed", &sections[2], "P1").await;
    web.expect("CS103 placed", "CS103 A placed on").await;
    web.goto("/registration/windows").await;
    choose(&web, "registration", "term_id", "Term 1").await;
    set(&web, "registration", "opens_on", &day(-1)).await;
    set(&web, "registration", "closes_on", &day(10)).await;
    submit(&web, "registration", "/registration/windows").await;
    web.expect("registration", "Registration window opened")
        .await;
    web.sign_out("registrar signs out").await;

    // 6. A student enrols.
    accept_invitation(&web, &app, &mail, "student.001@beta.edu").await;
    web.expect("student signed in", "Welcome, Student Number1")
        .await;
    web.goto(&format!("/catalog/courses/{}", courses[0])).await;
    submit(
        &web,
        "enrol",
        &format!("/registration/sections/{}/enrol", sections[0]),
    )
    .await;
    web.expect("enrol", "You are enrolled in CS101 A").await;
    web.sign_out("student signs out").await;

    // 7. The teacher takes attendance from the dashboard.
    accept_invitation(&web, &app, &mail, "tara@beta.edu").await;
    web.expect("teacher signed in", "Welcome, Tara Teach").await;
    web.goto("/dashboard").await;
    submit(
        &web,
        "take attendance",
        &format!("/sections/{}/sessions/today", sections[0]),
    )
    .await;
    web.expect("take attendance", "mark who is here").await;
    web.click("attendance saved", "form[data-live] button[type=submit]")
        .await;
    web.expect("attendance saved", "Attendance saved for 1 student")
        .await;
    web.sign_out("teacher signs out").await;

    // 8. The registrar schedules the paper and posts a notice to the section.
    sign_in_with_password(&web, "beta", "rhea@beta.edu").await;
    web.goto(&format!("/sections/{}/teach", sections[0])).await;
    set(&web, "assessment", "name", "Final exam").await;
    set(&web, "assessment", "kind", "exam").await;
    set(&web, "assessment", "weight", "60").await;
    set(&web, "assessment", "max_marks", "100").await;
    submit(
        &web,
        "assessment",
        &format!("/sections/{}/teach/assessments", sections[0]),
    )
    .await;
    web.expect("assessment", "Assessment Final exam added")
        .await;
    web.goto("/exams/new").await;
    choose(&web, "paper", "assessment_id", "CS101").await;
    set(&web, "paper", "date", &day(21)).await;
    web.run("paper", "[...document.querySelectorAll('fieldset#rooms label')].find(l => l.textContent.includes('HALL')).querySelector('input').click(); return true;").await;
    submit(&web, "paper", "/exams").await;
    web.expect("paper", "Paper scheduled").await;
    let sitting = id_here(&web).await;
    submit(&web, "seating", &format!("/exams/{sitting}/seat")).await;
    web.expect("seating", "seated").await;
    web.goto("/notices/new").await;
    set(&web, "notice", "title", "Bring your laptops").await;
    set(&web, "notice", "body", "CS101 meets in the lab this week.").await;
    set(&web, "notice", "audience", "selected").await;
    web.click(
        "notice",
        &format!("input[name='to.sections'][value='{}']", sections[0]),
    )
    .await;
    submit(&web, "notice", "/notices").await;
    web.expect("notice", "Notice Bring your laptops posted.")
        .await;
    web.sign_out("registrar signs out again").await;

    // 9. The student: the hall ticket and the notice; another student: not the notice.
    sign_in_with_password(&web, "beta", "student.001@beta.edu").await;
    web.goto("/exams/mine").await;
    web.expect("my papers", "Final exam").await;
    let ticket = web
        .run_async(
            "hall ticket",
            "fetch('/exams/hall-ticket', {credentials: 'same-origin'}).then(r => r.arrayBuffer().then(b => done([r.status, r.headers.get('content-type'), new TextDecoder().decode(new Uint8Array(b).slice(0, 5))]))).catch(e => done(String(e)));",
        )
        .await;
    if ticket != json!([200, "application/pdf", "%PDF-"]) {
        web.fail("hall ticket", &ticket.to_string()).await;
    }
    web.goto("/notices").await;
    web.expect("the notice reaches the section", "Bring your laptops")
        .await;
    web.sign_out("student signs out again").await;
    accept_invitation(&web, &app, &mail, "student.002@beta.edu").await;
    web.expect("another student signed in", "Welcome, Student Number2")
        .await;
    web.goto("/notices").await;
    web.expect("another student's notices", "For you").await;
    let source = web.client.source().await.unwrap_or_default();
    if source.contains("Bring your laptops") {
        web.fail(
            "not for another student",
            "the section's notice reached a student outside it",
        )
        .await;
    }
    web.close().await;
    let _ = std::fs::remove_dir_all(&folder);
}
