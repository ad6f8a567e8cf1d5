//! The conventions every page follows (issue 14): a refused form comes back with status
//! 422 keeping what was typed, a summary at the top and each message under its field; a
//! form that did its work redirects (303) to a page that says what happened; what cannot
//! be undone is confirmed on a page of its own first.

// ---- Academics: the catalog, registration, attendance, marks and results ----
mod academics {
    use axum::http::StatusCode;
    use campus::access::permissions::Role;
    use serde_json::json;

    use crate::util::api::{call, id};
    use crate::util::fixtures::{self, PASSWORD};
    use crate::util::html::Doc;
    use crate::util::world::{Class, class, same_password, world};
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

    /// The count a table of grades gives `letter` (`None` when the letter is not listed).
    fn students_with(doc: &Doc, letter: &str) -> Option<String> {
        let rows = "section[aria-labelledby=distribution] tbody tr";
        let letters = doc.texts(&format!("{rows} > td:nth-child(1)"));
        let counts = doc.texts(&format!("{rows} > td:nth-child(3)"));
        letters
            .iter()
            .position(|l| l == letter)
            .and_then(|i| counts.get(i).cloned())
    }

    #[tokio::test]
    async fn academics_a_refused_course_keeps_what_was_typed_and_a_created_one_is_announced() {
        let app = TestApp::new().await;
        let w = world(&app, 10).await;
        fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
        let mut browser = signed_in(&app, "reg@alpha.edu").await;
        let page = browser.get("/catalog").await;
        assert_eq!(page.status, StatusCode::OK);

        let refused = browser
            .post(
                "/catalog/courses",
                &[
                    ("_csrf", &page.csrf()),
                    ("code", "cs 9"),
                    ("title", "Algorithms"),
                    ("credits", "four"),
                    ("department", "CSE"),
                    ("prerequisites", "CS101"),
                    ("description", "Sorting and searching."),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let doc = Doc::parse(&refused.html);
        assert!(doc.has("header.site-header"), "inside the college's page");
        doc.expect_text(".error-summary a[href='#code']", "capital letters");
        doc.expect_text(".error-summary a[href='#credits']", "must be a number");
        doc.expect_text("#code-error", "capital letters");
        doc.expect_text("#credits-error", "must be a number");
        assert_eq!(doc.attr("#code", "value").as_deref(), Some("cs 9"));
        assert_eq!(doc.attr("#credits", "value").as_deref(), Some("four"));
        assert_eq!(doc.attr("#title", "value").as_deref(), Some("Algorithms"));
        assert_eq!(
            doc.attr("#prerequisites", "value").as_deref(),
            Some("CS101")
        );
        doc.expect_text("#description", "Sorting and searching.");

        let created = browser
            .post(
                "/catalog/courses",
                &[
                    ("_csrf", &page.csrf()),
                    ("code", "CS999"),
                    ("title", "Algorithms"),
                    ("credits", "4"),
                    ("department", "CSE"),
                    ("prerequisites", ""),
                    ("description", ""),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
        let course = created.location.expect("the course's page");
        assert!(course.starts_with("/catalog/courses/"), "{course}");
        let page = browser.get(&course).await;
        let doc = Doc::parse(&page.html);
        doc.expect_text("main .alert-success[role=status]", "Course CS999 created");
        doc.expect_text("h1", "CS999: Algorithms");

        // The section form: a count that is not a number is named, the code kept.
        let sections = format!("{course}/sections");
        let term = w.term.to_string();
        let refused = browser
            .post(
                &sections,
                &[
                    ("_csrf", &page.csrf()),
                    ("term_id", &term),
                    ("code", "B"),
                    ("capacity", "lots"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let doc = Doc::parse(&refused.html);
        doc.expect_text("#capacity-error", "whole number");
        assert_eq!(doc.attr("#capacity", "value").as_deref(), Some("lots"));
        assert_eq!(doc.attr("#code", "value").as_deref(), Some("B"));
        assert!(doc.has(&format!("#term_id option[value='{term}'][selected]")));
        let created = browser
            .post(
                &sections,
                &[
                    ("_csrf", &page.csrf()),
                    ("term_id", &term),
                    ("code", "B"),
                    ("capacity", "30"),
                ],
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
        assert_eq!(created.location.as_deref(), Some(course.as_str()));
        let page = browser.get(&course).await;
        Doc::parse(&page.html).expect_text(
            "main .alert-success[role=status]",
            "Section B of CS999 created",
        );
    }

    #[tokio::test]
    async fn academics_a_drop_is_confirmed_first_and_the_seat_goes_to_the_waitlist() {
        let app = TestApp::new().await;
        let w = world(&app, 1).await;
        let Class {
            people, outsider, ..
        } = class(&app, &w, 1).await;
        // The section is full: the other student waits.
        let (_, waiting) = call(
            &app,
            "POST",
            &format!("/api/v1/sections/{}/enroll", w.section),
            &outsider[0].1,
            None,
        )
        .await;
        assert_eq!(waiting["outcome"], "waitlisted", "{waiting}");
        same_password(&app, &w, "s0@alpha.edu", "tess@alpha.edu").await;
        let mut browser = signed_in(&app, "s0@alpha.edu").await;

        let drop = format!("/registration/sections/{}/drop", w.section);
        let page = browser.get("/registration").await;
        let doc = Doc::parse(&page.html);
        assert!(
            doc.has(&format!("a[href='{drop}']")),
            "the drop is a link to its confirmation: {}",
            page.html
        );
        assert!(!doc.has(&format!("form[action='{drop}']")));

        let confirm = browser.get(&drop).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
        let doc = Doc::parse(&confirm.html);
        doc.expect_text("h1", "Drop CS101 A?");
        doc.expect_text(".alert-warning", "You give up your seat in CS101 A");
        doc.expect_text(".alert-warning", "first of the 1 waiting");
        doc.expect_text(
            &format!("form[action='{drop}'] button[type=submit]"),
            "Drop the course",
        );
        // Looking at the confirmation changes nothing.
        let (_, mine) = call(&app, "GET", "/api/v1/me/enrollments", &people[0].1, None).await;
        assert_eq!(mine[0]["status"], "enrolled");

        let dropped = browser.post(&drop, &[("_csrf", &confirm.csrf())]).await;
        assert_eq!(dropped.status, StatusCode::SEE_OTHER, "{}", dropped.html);
        assert_eq!(dropped.location.as_deref(), Some("/registration"));
        let page = browser.get("/registration").await;
        let doc = Doc::parse(&page.html);
        doc.expect_text("main .alert-success[role=status]", "You dropped CS101 A");
        doc.expect_text("main .empty", "not enrolled in any section");
        let (_, theirs) = call(&app, "GET", "/api/v1/me/enrollments", &outsider[0].1, None).await;
        assert_eq!(
            theirs[0]["status"], "enrolled",
            "the first waiting got the seat"
        );

        // A section the student is not in has nothing to confirm.
        let again = browser.get(&drop).await;
        assert_eq!(again.status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn academics_results_are_checked_before_they_are_submitted_and_published() {
        let app = TestApp::new().await;
        let w = world(&app, 10).await;
        let Class { people, tess, .. } = class(&app, &w, 2).await;
        fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
        let assessments = format!("/api/v1/sections/{}/assessments", w.section);
        let (_, exam) = call(
            &app,
            "POST",
            &assessments,
            &tess,
            Some(json!({"name": "Exam", "kind": "exam", "weight": 60, "max_marks": 50})),
        )
        .await;
        let (status, _) = call(
            &app,
            "PUT",
            &format!("/api/v1/assessments/{}/marks", id(&exam)),
            &tess,
            Some(json!({"marks": [{"student_id": people[0].0, "score": 45}]})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);

        let mut teacher = signed_in(&app, "tess@alpha.edu").await;
        let results = format!("/sections/{}/results", w.section);
        let submit = format!("{results}/submit");
        let page = teacher.get(&results).await;
        let doc = Doc::parse(&page.html);
        assert!(doc.has(&format!("a[href='{submit}']")), "{}", page.html);
        // A student with a mark missing is never shown as failed.
        let grades = doc.texts("table tbody td:nth-child(4)");
        assert!(grades.iter().any(|g| g == "Missing"), "{grades:?}");
        assert!(!grades.iter().any(|g| g == "F"), "{grades:?}");

        // The check names what is missing, by student, and holds the step back.
        let check = teacher.get(&submit).await;
        assert_eq!(check.status, StatusCode::OK, "{}", check.html);
        let doc = Doc::parse(&check.html);
        doc.expect_text("#blockers", "weigh 60%");
        doc.expect_text("#blockers", "1 student has marks missing");
        doc.expect_text("section[aria-labelledby=missing] tbody td", "Student No1");
        doc.expect_text("section[aria-labelledby=missing] tbody td", "Exam");
        assert_eq!(students_with(&doc, "O").as_deref(), Some("1"));
        assert_eq!(students_with(&doc, "F").as_deref(), Some("0"));
        assert_eq!(students_with(&doc, "Marks missing").as_deref(), Some("1"));
        assert!(!doc.has(&format!("form[action='{submit}']")));

        // Complete: the check shows the grades and the button, and the post submits.
        let (_, quiz) = call(
            &app,
            "POST",
            &assessments,
            &tess,
            Some(json!({"name": "Quiz", "kind": "quiz", "weight": 40, "max_marks": 10})),
        )
        .await;
        call(
            &app,
            "PUT",
            &format!("/api/v1/assessments/{}/marks", id(&exam)),
            &tess,
            Some(json!({"marks": [{"student_id": people[1].0, "score": 20}]})),
        )
        .await;
        call(
            &app,
            "PUT",
            &format!("/api/v1/assessments/{}/marks", id(&quiz)),
            &tess,
            Some(json!({"marks": [
                {"student_id": people[0].0, "score": 10},
                {"student_id": people[1].0, "score": 2},
            ]})),
        )
        .await;
        let check = teacher.get(&submit).await;
        let doc = Doc::parse(&check.html);
        assert!(!doc.has("#blockers"), "{}", check.html);
        doc.expect_text(".alert-warning", "grades below are fixed");
        assert_eq!(students_with(&doc, "O").as_deref(), Some("1"));
        assert_eq!(students_with(&doc, "F").as_deref(), Some("1"));
        doc.expect_text(
            &format!("form[action='{submit}'] button[type=submit]"),
            "Submit the results",
        );
        let done = teacher.post(&submit, &[("_csrf", &check.csrf())]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
        assert_eq!(done.location.as_deref(), Some(results.as_str()));
        let page = teacher.get(&results).await;
        let doc = Doc::parse(&page.html);
        doc.expect_text(
            "main .alert-success[role=status]",
            "submitted for publishing: 2 students graded",
        );
        assert_eq!(doc.text(".page-header .lead .badge"), "Submitted");

        // The registrar's check before publishing, then the publishing itself.
        let mut registrar = signed_in(&app, "reg@alpha.edu").await;
        let publish = format!("{results}/publish");
        let page = registrar.get(&results).await;
        assert!(
            Doc::parse(&page.html).has(&format!("a[href='{publish}']")),
            "{}",
            page.html
        );
        let check = registrar.get(&publish).await;
        assert_eq!(check.status, StatusCode::OK, "{}", check.html);
        let doc = Doc::parse(&check.html);
        doc.expect_text(".alert-warning", "Students and guardians see the grades");
        assert_eq!(students_with(&doc, "F").as_deref(), Some("1"));
        let published = registrar.post(&publish, &[("_csrf", &check.csrf())]).await;
        assert_eq!(
            published.status,
            StatusCode::SEE_OTHER,
            "{}",
            published.html
        );
        let page = registrar.get(&results).await;
        let doc = Doc::parse(&page.html);
        doc.expect_text("main .alert-success[role=status]", "published");
        assert_eq!(doc.text(".page-header .lead .badge"), "Published");
        // Published results have nothing more to check before publishing.
        let check = registrar.get(&publish).await;
        Doc::parse(&check.html).expect_text("#blockers", "these are published");
    }

    #[tokio::test]
    async fn academics_attendance_refused_comes_back_as_marked() {
        let app = TestApp::new().await;
        let w = world(&app, 10).await;
        let Class { people, tess, .. } = class(&app, &w, 2).await;
        let today = time::OffsetDateTime::now_utc().date().to_string();
        let (_, session) = call(
            &app,
            "POST",
            &format!("/api/v1/sections/{}/sessions", w.section),
            &tess,
            Some(json!({"held_on": today, "starts": "09:00", "ends": "10:00"})),
        )
        .await;
        let mark = format!("/sessions/{}/mark", id(&session));
        let mut teacher = signed_in(&app, "tess@alpha.edu").await;
        let page = teacher.get(&mark).await;
        assert_eq!(page.status, StatusCode::OK);
        let first = format!("status_{}", people[0].0);
        let second = format!("status_{}", people[1].0);
        let refused = teacher
            .post(
                &mark,
                &[
                    ("_csrf", &page.csrf()),
                    (&first, "absent"),
                    (&second, "asleep"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let doc = Doc::parse(&refused.html);
        doc.expect_text(".error-summary", "Student No1: must be present");
        doc.expect_text(&format!("#{second}-error"), "must be present");
        assert!(
            doc.has(&format!("input[name='{first}'][value=absent][checked]")),
            "the typed mark is kept: {}",
            refused.html
        );

        let saved = teacher
            .post(
                &mark,
                &[
                    ("_csrf", &page.csrf()),
                    (&first, "absent"),
                    (&second, "late"),
                ],
            )
            .await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
        assert_eq!(saved.location.as_deref(), Some(mark.as_str()));
        let page = teacher.get(&mark).await;
        let doc = Doc::parse(&page.html);
        doc.expect_text(
            "main .alert-success[role=status]",
            "Attendance saved for 2 students",
        );
        assert!(doc.has(&format!("input[name='{second}'][value=late][checked]")));
    }
}

// ---------------------------------------------------------------------------------------
// People and administration: college settings, users and custom roles, students,
// guardians, privacy (erasure), issued documents (revocation), the audit trail and the
// platform's sign-in page. Helpers here are prefixed `people_` so the sections of this
// file stay apart.
// ---------------------------------------------------------------------------------------

/// A browser signed in as a fixture college admin of `alpha` (the second factor
/// answered by the browser helper).
async fn people_admin(app: &crate::util::TestApp) -> crate::util::Browser<'_> {
    let mut browser = crate::util::Browser::new(app);
    let signed_in = browser
        .sign_in("alpha", "admin@alpha.edu", crate::util::fixtures::PASSWORD)
        .await;
    assert_eq!(
        signed_in.status,
        axum::http::StatusCode::SEE_OTHER,
        "the admin could not sign in: {}",
        signed_in.html
    );
    browser
}

/// Follows a form's redirect to `to` (its fragment is the browser's business) and
/// returns the page it lands on.
async fn people_follow(
    browser: &mut crate::util::Browser<'_>,
    answer: &crate::util::browser::Page,
    to: &str,
) -> crate::util::browser::Page {
    assert_eq!(
        answer.status,
        axum::http::StatusCode::SEE_OTHER,
        "the form was not redirected: {}",
        answer.html
    );
    assert_eq!(answer.location.as_deref(), Some(to));
    let path = to.split('#').next().unwrap_or(to);
    let page = browser.get(path).await;
    assert_eq!(
        page.status,
        axum::http::StatusCode::OK,
        "{to}: {}",
        page.html
    );
    page
}

/// A value `sql` selects in `college`, `$1` bound to `param`.
async fn people_scalar<T>(
    app: &crate::util::TestApp,
    college: campus::db::CollegeId,
    sql: &'static str,
    param: uuid::Uuid,
) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let mut tx = campus::db::begin_for_college(&app.pool, college)
        .await
        .expect("tx");
    let value: T = sqlx::query_scalar(sql)
        .bind(param)
        .fetch_one(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
    value
}

#[tokio::test]
async fn people_college_settings_keep_what_was_typed_and_say_when_saved() {
    use crate::util::html::Doc;
    use axum::http::StatusCode;

    let app = crate::util::TestApp::new().await;
    let college = crate::util::fixtures::college(&app.pool, "alpha").await;
    crate::util::fixtures::user(
        &app.pool,
        college,
        "admin@alpha.edu",
        &[campus::access::permissions::Role::CollegeAdmin],
    )
    .await;
    let mut admin = people_admin(&app).await;
    let page = admin.get("/admin/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();

    // Refused: the page again, in the college's chrome, every input as typed.
    let refused = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &csrf),
                ("mfa_required_for_staff", "on"),
                ("attendance_threshold", "eighty"),
                ("retention_years", "12"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    assert!(doc.has("nav.site-nav"), "the page keeps its navigation");
    doc.expect_text(
        ".error-summary a[href='#attendance_threshold']",
        "whole number",
    );
    doc.expect_text("#attendance_threshold-error", "whole number");
    assert_eq!(
        doc.attr("input#attendance_threshold", "value").as_deref(),
        Some("eighty")
    );
    assert_eq!(
        doc.attr("input#retention_years", "value").as_deref(),
        Some("12")
    );
    assert!(doc.has("input#mfa_required_for_staff[checked]"));

    // Out of range: refused by the field too.
    let refused = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &csrf),
                ("attendance_threshold", "0"),
                ("retention_years", "12"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    Doc::parse(&refused.html).expect_text("#attendance_threshold-error", "between 1 and 100");

    // Nothing was saved by either.
    let doc = Doc::parse(&admin.get("/admin/settings").await.html);
    assert_eq!(
        doc.attr("input#attendance_threshold", "value").as_deref(),
        Some("75")
    );
    assert!(!doc.has("input#mfa_required_for_staff[checked]"));

    // Saved: the page again by redirect, saying so once.
    let saved = admin
        .post(
            "/admin/settings",
            &[
                ("_csrf", &csrf),
                ("attendance_threshold", "80"),
                ("retention_years", "12"),
            ],
        )
        .await;
    let page = people_follow(&mut admin, &saved, "/admin/settings").await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success[role=status]", "Settings saved");
    assert_eq!(
        doc.attr("input#attendance_threshold", "value").as_deref(),
        Some("80")
    );
    assert!(
        !Doc::parse(&admin.get("/admin/settings").await.html).has("main .alert-success"),
        "the message is shown once"
    );
}

#[tokio::test]
async fn people_a_user_and_a_custom_role_keep_their_input_when_refused() {
    use crate::util::html::Doc;
    use axum::http::StatusCode;
    use campus::access::permissions::Role;

    let app = crate::util::TestApp::new().await;
    let college = crate::util::fixtures::college(&app.pool, "alpha").await;
    crate::util::fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let teacher =
        crate::util::fixtures::user(&app.pool, college, "t@alpha.edu", &[Role::Teacher]).await;
    let mut admin = people_admin(&app).await;

    // A user's details: a bad email comes back by its field, the name as typed.
    let path = format!("/admin/users/{teacher}");
    let page = admin.get(&path).await;
    assert_eq!(page.status, StatusCode::OK);
    let refused = admin
        .post(
            &path,
            &[
                ("_csrf", &page.csrf()),
                ("display_name", "Tara Teacher"),
                ("email", "not-an-email"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    assert!(doc.has(".error-summary a[href='#email']"));
    assert!(doc.has("#email-error"));
    assert_eq!(
        doc.attr("input#display_name", "value").as_deref(),
        Some("Tara Teacher")
    );
    assert_eq!(
        doc.attr("input#email", "value").as_deref(),
        Some("not-an-email")
    );
    let saved = admin
        .post(
            &path,
            &[
                ("_csrf", &page.csrf()),
                ("display_name", "Tara Teacher"),
                ("email", "t@alpha.edu"),
                ("status", "active"),
            ],
        )
        .await;
    let page = people_follow(&mut admin, &saved, &path).await;
    Doc::parse(&page.html).expect_text(
        "main .alert-success[role=status]",
        "Changes to Tara Teacher saved",
    );

    // The role editor is a matrix: areas by row, scopes by column, a box only where the
    // permission may be held at that scope.
    let page = admin.get("/admin/roles").await;
    let doc = Doc::parse(&page.html);
    assert!(doc.count("table.permission-matrix tbody tr") > 10);
    assert_eq!(
        doc.count("table.permission-matrix thead th"),
        6,
        "the area and five scopes"
    );
    let matrix = "form[action='/admin/roles'] table.permission-matrix";
    assert!(doc.has(&format!(
        "{matrix} input[name=permissions][value='students.read:department']"
    )));
    assert!(!doc.has(&format!(
        "{matrix} input[name=permissions][value='admissions.manage:department']"
    )));
    assert!(!doc.has(&format!("{matrix} input[value^='users.manage:']")));

    // Refused (a name too short), the boxes ticked stay ticked.
    let refused = admin
        .post(
            "/admin/roles",
            &[
                ("_csrf", &page.csrf()),
                ("label", "X"),
                ("permissions", "students.read:college"),
                ("permissions", "marks.enter:own_sections"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    doc.expect_text("#label-error", "2 to 100 characters");
    assert_eq!(doc.attr("input#label", "value").as_deref(), Some("X"));
    assert!(doc.has(&format!(
        "{matrix} input[value='students.read:college'][checked]"
    )));
    assert!(doc.has(&format!(
        "{matrix} input[value='marks.enter:own_sections'][checked]"
    )));
    assert!(!doc.has(&format!(
        "{matrix} input[value='students.read:department'][checked]"
    )));
}

#[tokio::test]
async fn people_a_guardian_is_linked_then_unlinked_after_a_confirmation() {
    use crate::util::html::Doc;
    use axum::http::StatusCode;
    use campus::access::permissions::Role;

    let app = crate::util::TestApp::new().await;
    let w = crate::util::world::world(&app, 10).await;
    let student = crate::util::world::students(&app, &w, 1).await[0].0;
    crate::util::fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    crate::util::fixtures::user(&app.pool, w.college, "mum@example.org", &[Role::Parent]).await;
    let mut admin = people_admin(&app).await;
    let profile = format!("/students/{student}");
    let page = admin.get(&profile).await;
    assert_eq!(page.status, StatusCode::OK);
    let csrf = page.csrf();
    let link = format!("/students/{student}/guardians");

    // No such parent: the profile again, the email and relationship as typed.
    let refused = admin
        .post(
            &link,
            &[
                ("_csrf", &csrf),
                ("email", "nobody@example.org"),
                ("relationship", "aunt"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    doc.expect_text("#email-error", "no parent account");
    assert_eq!(
        doc.attr("input#email", "value").as_deref(),
        Some("nobody@example.org")
    );
    assert_eq!(
        doc.attr("select#relationship option[selected]", "value")
            .as_deref(),
        Some("aunt")
    );

    // Linked: back to the profile, saying so.
    let linked = admin
        .post(
            &link,
            &[
                ("_csrf", &csrf),
                ("email", "mum@example.org"),
                ("relationship", "mother"),
            ],
        )
        .await;
    let page = people_follow(&mut admin, &linked, &profile).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success[role=status]", "mum@example.org linked");
    let unlink = doc
        .attr(
            &format!("section[aria-labelledby=guardians] a[href^='{link}?unlink=']"),
            "href",
        )
        .expect("the unlink link");
    let links = "SELECT count(*) FROM student_guardians WHERE student_id = $1";
    assert_eq!(
        people_scalar::<i64>(&app, w.college, links, student).await,
        1
    );

    // The confirmation names who loses sight of whom; opening it changes nothing.
    let confirm = admin.get(&unlink).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
    let doc = Doc::parse(&confirm.html);
    doc.expect_text("h1", "Unlink");
    doc.expect_text(
        ".alert-warning",
        "will no longer see Student's attendance, results",
    );
    let guardian = doc
        .attr(
            &format!("form[action='{link}'] input[name=unlink]"),
            "value",
        )
        .expect("the guardian to unlink");
    assert_eq!(
        people_scalar::<i64>(&app, w.college, links, student).await,
        1
    );

    // Pressing the button unlinks, and the profile says so.
    let unlinked = admin
        .post(&link, &[("_csrf", &confirm.csrf()), ("unlink", &guardian)])
        .await;
    let page = people_follow(&mut admin, &unlinked, &profile).await;
    Doc::parse(&page.html).expect_text("main .alert-success[role=status]", "unlinked from");
    assert_eq!(
        people_scalar::<i64>(&app, w.college, links, student).await,
        0
    );
}

#[tokio::test]
async fn people_a_document_is_revoked_after_a_confirmation_with_a_reason() {
    use crate::util::html::Doc;
    use axum::http::StatusCode;
    use campus::access::permissions::Role;

    let app = crate::util::TestApp::new().await;
    let w = crate::util::world::world(&app, 10).await;
    let student = crate::util::world::students(&app, &w, 1).await[0].0;
    crate::util::fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let document: uuid::Uuid = people_scalar(
        &app,
        w.college,
        "INSERT INTO issued_documents (college_id, code, kind, student_id, contents, pdf_sha256) \
         VALUES (app_current_college(), 'ABCDEFGHJKMNPQRS', 'transcript', $1, \
           jsonb_build_object('kind', 'transcript', 'college', 'College alpha', 'student_name', 'Student No0', \
             'student_number', 'S00000', 'program', 'B.Sc.', 'terms', '[]'::jsonb, 'cumulative_gpa', null, \
             'credits_earned', 0, 'issued_on', '2026-01-01'), repeat('a', 64)) RETURNING id",
        student,
    )
    .await;
    let mut admin = people_admin(&app).await;

    // The profile links to the confirmation; the confirmation names the consequence.
    let revoke = format!("/documents/{document}/revoke");
    let profile = Doc::parse(&admin.get(&format!("/students/{student}")).await.html);
    assert!(profile.has(&format!(
        "section[aria-labelledby=issued] a[href='{revoke}']"
    )));
    let confirm = admin.get(&revoke).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
    Doc::parse(&confirm.html).expect_text(
        ".alert-warning",
        "The verification page will show the document as revoked",
    );
    let revoked_at =
        "SELECT count(*) FROM issued_documents WHERE id = $1 AND revoked_at IS NOT NULL";
    assert_eq!(
        people_scalar::<i64>(&app, w.college, revoked_at, document).await,
        0
    );

    // No reason: the confirmation again, by its field.
    let refused = admin
        .post(&revoke, &[("_csrf", &confirm.csrf()), ("reason", "")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    assert!(doc.has(".error-summary a[href='#reason']"));
    doc.expect_text("#reason-error", "3 to 500 characters");
    assert!(doc.has(&format!("form[action='{revoke}']")));

    // Revoked: back to the student's documents, saying so; the verification page too.
    let done = admin
        .post(
            &revoke,
            &[("_csrf", &confirm.csrf()), ("reason", "issued in error")],
        )
        .await;
    let page = people_follow(&mut admin, &done, &format!("/students/{student}#issued")).await;
    Doc::parse(&page.html).expect_text(
        "main .alert-success[role=status]",
        "revoked; its verification page says so",
    );
    assert_eq!(
        people_scalar::<i64>(&app, w.college, revoked_at, document).await,
        1
    );
    let verify =
        crate::util::app::body_text(app.get("/c/alpha/verify/ABCDEFGHJKMNPQRS").await).await;
    Doc::parse(&verify).expect_text(".alert-error", "issued in error");
}

#[tokio::test]
async fn people_a_former_student_is_erased_after_a_confirmation_and_the_trail_links_them() {
    use crate::util::html::Doc;
    use axum::http::StatusCode;
    use campus::access::permissions::Role;

    let app = crate::util::TestApp::new().await;
    let w = crate::util::world::world(&app, 10).await;
    let student = crate::util::world::students(&app, &w, 1).await[0].0;
    crate::util::fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let mut admin = people_admin(&app).await;
    let profile = format!("/students/{student}");
    let page = admin.get(&profile).await;
    let csrf = page.csrf();

    // The student leaves (post/redirect/get, the status in words).
    let left = admin
        .post(
            &format!("/students/{student}/status"),
            &[
                ("_csrf", &csrf),
                ("status", "withdrawn"),
                ("effective_on", ""),
                ("reason", "Moved abroad with family"),
            ],
        )
        .await;
    let page = people_follow(&mut admin, &left, &profile).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Status changed to withdrawn",
    );
    doc.expect_text(".page-header .lead", "Withdrawn");
    let erase = format!("/students/{student}/erase");
    assert!(doc.has(&format!("a[href='{erase}']")), "the erase link");

    // The college keeps nobody's data after they leave (settings, by their form).
    let settings = admin.get("/admin/settings").await;
    let saved = admin
        .post(
            "/admin/settings",
            &[("_csrf", &settings.csrf()), ("retention_years", "0")],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);

    // The confirmation says what goes and what the trail keeps; opening it erases nothing.
    let confirm = admin.get(&erase).await;
    assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
    let doc = Doc::parse(&confirm.html);
    doc.expect_text("h1", "Erase Student No0?");
    doc.expect_text(".alert-warning", "removed for good");
    doc.expect_text(".alert-warning", "The audit trail keeps that it happened");
    let first = "SELECT first_name FROM students WHERE id = $1";
    assert_eq!(
        people_scalar::<String>(&app, w.college, first, student).await,
        "Student"
    );

    // The wrong number: the confirmation again, the number as typed.
    let refused = admin
        .post(&erase, &[("_csrf", &confirm.csrf()), ("confirm", "S99999")])
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&refused.html);
    doc.expect_text("#confirm-error", "type the student number");
    assert_eq!(
        doc.attr("input#confirm", "value").as_deref(),
        Some("S99999")
    );

    // The right one erases, and the (now anonymous) record says so.
    let number: String = people_scalar(
        &app,
        w.college,
        "SELECT student_number FROM students WHERE id = $1",
        student,
    )
    .await;
    let erased = admin
        .post(&erase, &[("_csrf", &confirm.csrf()), ("confirm", &number)])
        .await;
    let page = people_follow(&mut admin, &erased, &profile).await;
    Doc::parse(&page.html).expect_text("main .alert-success[role=status]", "was erased");
    assert_eq!(
        people_scalar::<String>(&app, w.college, first, student).await,
        "Erased"
    );

    // The audit trail: actions in words, the student as a link, times in the zone.
    let trail = admin.get("/admin/audit?object_type=student").await;
    assert_eq!(trail.status, StatusCode::OK);
    let doc = Doc::parse(&trail.html);
    assert!(doc.has(&format!("table tbody td a[href='{profile}']")));
    doc.expect_text("table tbody td [data-action]", "Student status changed");
    assert!(
        !doc.texts("table thead th")
            .iter()
            .any(|h| h.contains("UTC"))
    );
    doc.expect_text("table tbody td li", "status: enrolled → withdrawn");
}

#[tokio::test]
async fn people_the_platform_sign_in_page_goes_home_to_the_front_page() {
    use crate::util::html::Doc;
    use axum::http::{StatusCode, header};

    let app = crate::util::TestApp::new().await;
    crate::util::fixtures::college(&app.pool, "alpha").await;
    crate::util::fixtures::college(&app.pool, "beta").await;
    campus::platform::ensure_tenant(&app.pool)
        .await
        .expect("the platform tenant");
    let page = app.get("/platform/login").await;
    assert_eq!(page.status(), StatusCode::OK);
    let doc = Doc::parse(&crate::util::app::body_text(page).await);
    let home = doc.attr("nav.site-nav a", "href").expect("the Home link");
    let answer = app.get(&home).await;
    assert_ne!(
        answer.status(),
        StatusCode::NOT_FOUND,
        "{home} is not found"
    );
    let to = answer
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or(&home)
        .to_string();
    let front = app.get(&to).await;
    assert_eq!(front.status(), StatusCode::OK, "{to}");
    Doc::parse(&crate::util::app::body_text(front).await).expect_text("h1", "Colleges");
}

// ---- Coursework, admissions, achievements, requests (leave, tickets), notices, guidance,
// ---- enrollment and identity (sign-in, second factor, account pages, single sign-on).
mod coursework_admissions_requests_identity {
    use axum::http::StatusCode;

    use crate::util::browser::Page;
    use crate::util::db::scalar;
    use crate::util::fixtures::{self, demo_college};
    use crate::util::html::Doc;
    use crate::util::world::{class, world};
    use crate::util::{Browser, TestApp};

    const DEMO_PASSWORD: &str = campus::demo::PASSWORD;

    /// The date `offset` days from today, as a date field sends it (`2027-01-15`).
    fn day(offset: i64) -> String {
        (time::OffsetDateTime::now_utc().date() + time::Duration::days(offset)).to_string()
    }

    /// A browser signed in as a demo account without a second factor.
    async fn demo_user<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
        let mut browser = Browser::new(app);
        let answer = browser.sign_in("riverside", email, DEMO_PASSWORD).await;
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "{email} could not sign in: {}",
            answer.html
        );
        browser
    }

    /// Follows a form's redirect to `to` and returns the page it lands on.
    async fn follow(browser: &mut Browser<'_>, answer: &Page, to: &str) -> Doc {
        assert_eq!(
            answer.status,
            StatusCode::SEE_OTHER,
            "the form was not redirected: {}",
            answer.html
        );
        assert_eq!(answer.location.as_deref(), Some(to));
        let page = browser.get(to).await;
        assert_eq!(page.status, StatusCode::OK, "{to}: {}", page.html);
        Doc::parse(&page.html)
    }

    /// A refused page is the normal page: the college's header and the navigation.
    fn in_the_colleges_chrome(doc: &Doc, college: &str) {
        assert_eq!(doc.text(".site-header .brand span"), college);
        assert!(doc.has("nav.site-nav a"), "no navigation");
    }

    #[tokio::test]
    async fn the_assignment_form_names_each_field_and_keeps_what_was_typed() {
        let app = TestApp::new().await;
        let w = world(&app, 10).await;
        class(&app, &w, 1).await;
        let mut teacher = Browser::new(&app);
        teacher
            .sign_in("alpha", "tess@alpha.edu", fixtures::PASSWORD)
            .await;
        let section = format!("/sections/{}", w.section);
        let page = teacher.get(&section).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        let action = format!("{section}/assignments");
        let assignments = "SELECT count(*) FROM assignments";
        let before: i64 = scalar(&app, w.college, assignments).await;

        let refused = teacher
            .post_multipart(
                &action,
                &[
                    ("_csrf", &page.csrf()),
                    ("title", "Essay 1"),
                    ("instructions", "Write about loops."),
                    ("due_at", "next friday"),
                    ("max_marks", "20"),
                    ("weight", "120"),
                ],
                &[],
            )
            .await;
        assert_eq!(
            refused.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            refused.html
        );
        let doc = Doc::parse(&refused.html);
        in_the_colleges_chrome(&doc, "College alpha");
        // The summary at the top of the form links to each field; each message is under
        // its own field, which is marked invalid.
        let summary = "form#post-assignment .error-summary";
        assert!(
            doc.has(&format!("{summary} a[href='#a_due']")),
            "{}",
            refused.html
        );
        assert!(doc.has(&format!("{summary} a[href='#a_weight']")));
        doc.expect_text("#a_due-error", "must be a date and time");
        doc.expect_text("#a_weight-error", "at most 100");
        assert_eq!(
            doc.attr("input#a_due", "aria-invalid").as_deref(),
            Some("true")
        );
        assert!(!doc.has("#a_title-error"), "the title was right");
        // What was typed stays.
        assert_eq!(
            doc.attr("input#a_title", "value").as_deref(),
            Some("Essay 1")
        );
        assert_eq!(doc.attr("input#a_weight", "value").as_deref(), Some("120"));
        assert_eq!(doc.attr("input#a_max", "value").as_deref(), Some("20"));
        assert_eq!(doc.text("textarea#a_instructions"), "Write about loops.");
        assert_eq!(scalar::<i64>(&app, w.college, assignments).await, before);

        // Right, it is set: the browser goes to the assignment, which says so, due at the
        // time typed in the college's zone (UTC here), not in a machine's format.
        let set = teacher
            .post_multipart(
                &action,
                &[
                    ("_csrf", &page.csrf()),
                    ("title", "Essay 1"),
                    ("due_at", "2099-03-01T09:00"),
                    ("max_marks", "20"),
                    ("weight", "20"),
                    ("accept_late", "on"),
                ],
                &[],
            )
            .await;
        assert_eq!(set.status, StatusCode::SEE_OTHER, "{}", set.html);
        let to = set.location.clone().expect("to the assignment");
        assert!(to.starts_with("/assignments/"), "{to}");
        let doc = follow(&mut teacher, &set, &to).await;
        doc.expect_text("main .alert-success[role=status]", "Assignment Essay 1 set");
        doc.expect_text(".page-header .lead", "due 1 Mar 2099, 09:00 UTC");
        // The message is shown once.
        let again = Doc::parse(&teacher.get(&to).await.html);
        assert!(!again.has("main .alert-success"));
    }

    #[tokio::test]
    async fn a_refused_leave_request_comes_back_with_its_messages_and_input() {
        let (app, college) = demo_college().await;
        let mut student = demo_user(&app, "student@riverside.edu").await;
        let page = student.get("/requests").await;
        assert_eq!(page.status, StatusCode::OK);
        let leave = "SELECT count(*) FROM leave_requests";
        let before: i64 = scalar(&app, college, leave).await;
        let (starts, ends) = (day(12), day(10));
        let refused = student
            .post(
                "/requests/leave",
                &[
                    ("_csrf", &page.csrf()),
                    ("starts_on", &starts),
                    ("ends_on", &ends),
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
        let doc = Doc::parse(&refused.html);
        in_the_colleges_chrome(&doc, "Riverside College");
        doc.expect_text(
            "form#leave-form .error-summary a[href='#ends_on']",
            "must not be before the first day",
        );
        doc.expect_text("#ends_on-error", "must not be before the first day");
        assert_eq!(doc.attr("input#starts_on", "type").as_deref(), Some("date"));
        assert_eq!(doc.attr("input#starts_on", "value"), Some(starts));
        assert_eq!(doc.attr("input#ends_on", "value"), Some(ends));
        assert_eq!(doc.text("textarea#reason"), "Family wedding out of town");
        // The ticket form beside it is not blamed.
        assert!(!doc.has("form#ticket-form .error-summary"));
        assert_eq!(scalar::<i64>(&app, college, leave).await, before);
    }

    #[tokio::test]
    async fn a_ticket_raised_goes_to_its_page_which_says_so_once() {
        let (app, _) = demo_college().await;
        let mut student = demo_user(&app, "student@riverside.edu").await;
        let page = student.get("/requests").await;
        let raised = student
            .post(
                "/tickets",
                &[
                    ("_csrf", &page.csrf()),
                    ("category", "it"),
                    ("title", "Projector flickers"),
                    (
                        "body",
                        "The projector in room 4 flickers all through the lecture.",
                    ),
                    ("location", "Room 4"),
                ],
            )
            .await;
        let to = raised.location.clone().unwrap_or_default();
        assert!(to.starts_with("/tickets/"), "{}", raised.html);
        let doc = follow(&mut student, &raised, &to).await;
        doc.expect_text("main .alert-success[role=status]", "opened");
        doc.expect_text("h1", "Projector flickers");
        // Codes in words: the kind and the status.
        doc.expect_text("#ticket > section.card > p:first-child", "IT");
        doc.expect_text("#ticket > section.card .badge", "Open");
        let again = Doc::parse(&student.get(&to).await.html);
        assert!(!again.has("main .alert-success"), "the message shows once");
        // Back on the requests page, the ticket's kind and status read as words.
        let doc = Doc::parse(&student.get("/requests").await.html);
        doc.expect_text(
            "section[aria-labelledby=tickets] li",
            "Projector flickers · IT · Open",
        );
    }

    #[tokio::test]
    async fn withdrawing_an_application_is_confirmed_first_and_details_keep_their_input() {
        let (app, college) = demo_college().await;
        let mut applicant = demo_user(&app, "applicant@riverside.edu").await;
        let application: uuid::Uuid = scalar(
            &app,
            college,
            "SELECT a.id FROM applications a JOIN users u ON u.college_id = a.college_id \
             AND u.id = a.user_id WHERE u.email = 'applicant@riverside.edu'",
        )
        .await;
        let status_sql = format!("SELECT status FROM applications WHERE id = '{application}'");
        let page_uri = format!("/admissions/applications/{application}");
        let page = applicant.get(&page_uri).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);

        // The details form: a date in the wrong shape is refused by name, input kept.
        let refused = applicant
            .post(
                &page_uri,
                &[
                    ("_csrf", &page.csrf()),
                    ("first_name", "Asha"),
                    ("last_name", "Menon"),
                    ("date_of_birth", "30/04/2008"),
                    ("qualifying_percent", "91.5"),
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
        in_the_colleges_chrome(&doc, "Riverside College");
        assert!(doc.has(".error-summary a[href='#date_of_birth']"));
        doc.expect_text("#date_of_birth-error", "must be a past date");
        assert_eq!(
            doc.attr("input#first_name", "value").as_deref(),
            Some("Asha")
        );
        assert_eq!(
            doc.attr("input#date_of_birth", "value").as_deref(),
            Some("30/04/2008")
        );
        assert_eq!(
            doc.attr("input#qualifying_percent", "value").as_deref(),
            Some("91.5")
        );

        // Saved right, the page says so.
        let saved = applicant
            .post(
                &page_uri,
                &[
                    ("_csrf", &page.csrf()),
                    ("first_name", "Asha"),
                    ("last_name", "Menon"),
                    ("date_of_birth", "2008-04-30"),
                    ("qualifying_percent", "91.5"),
                ],
            )
            .await;
        let doc = follow(&mut applicant, &saved, &page_uri).await;
        doc.expect_text("main .alert-success[role=status]", "Your details are saved");

        // Withdrawing is a link to a confirmation, which names the consequence and
        // changes nothing.
        let confirm_uri = format!("{page_uri}/withdraw");
        assert!(doc.has(&format!("a.btn-danger[href='{confirm_uri}']")));
        let confirm = applicant.get(&confirm_uri).await;
        assert_eq!(confirm.status, StatusCode::OK, "{}", confirm.html);
        let doc = Doc::parse(&confirm.html);
        doc.expect_text("h1", "Withdraw your application");
        doc.expect_text(".alert-warning", "is withdrawn; you cannot submit it again");
        assert_eq!(
            doc.attr("main form[method=post]", "action").as_deref(),
            Some(confirm_uri.as_str())
        );
        doc.expect_text(
            "main form[method=post] button.btn-danger",
            "Withdraw the application",
        );
        assert_eq!(scalar::<String>(&app, college, &status_sql).await, "draft");

        // Confirmed, it is withdrawn, and the application says so.
        let done = applicant
            .post(&confirm_uri, &[("_csrf", &confirm.csrf())])
            .await;
        let doc = follow(&mut applicant, &done, &page_uri).await;
        doc.expect_text("main .alert-success[role=status]", "is withdrawn");
        assert_eq!(doc.text(".page-header .lead strong"), "Withdrawn");
        assert!(!doc.has(&format!("a[href='{confirm_uri}']")));
        assert_eq!(
            scalar::<String>(&app, college, &status_sql).await,
            "withdrawn"
        );
        // Nothing is left to confirm.
        let gone = applicant.get(&confirm_uri).await;
        assert_eq!(gone.status, StatusCode::SEE_OTHER);
        assert_eq!(gone.location.as_deref(), Some(page_uri.as_str()));
    }

    #[tokio::test]
    async fn the_second_factor_step_is_in_the_colleges_header() {
        let (app, _) = demo_college().await;
        let mut admin = Browser::new(&app);
        let password = admin
            .sign_in_password_only("riverside", "admin@riverside.edu", DEMO_PASSWORD)
            .await;
        let location = password
            .location
            .clone()
            .filter(|l| l.starts_with("/login/mfa"))
            .unwrap_or_else(|| panic!("no second-factor step: {}", password.html));
        let form = admin.get(&location).await;
        assert_eq!(form.status, StatusCode::OK, "{}", form.html);
        let doc = Doc::parse(&form.html);
        assert_eq!(doc.text(".site-header .brand span"), "Riverside College");
        assert_eq!(
            doc.attr(".site-header a.brand", "href").as_deref(),
            Some("/c/riverside")
        );
        let wrong = admin
            .post(
                "/login/mfa",
                &[
                    ("_csrf", &form.csrf()),
                    ("code", "000000"),
                    ("next", "/dashboard"),
                ],
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        let doc = Doc::parse(&wrong.html);
        assert_eq!(doc.text(".site-header .brand span"), "Riverside College");
        doc.expect_text("#code-error", "is not right");
        assert_eq!(
            doc.attr("input#code", "aria-invalid").as_deref(),
            Some("true")
        );
    }

    #[tokio::test]
    async fn the_sessions_page_names_devices_and_a_password_change_says_what_happened() {
        let (app, _) = demo_college().await;
        let mut student = demo_user(&app, "student@riverside.edu").await;
        let page = student.get("/account/sessions").await;
        assert_eq!(page.status, StatusCode::OK);
        let doc = Doc::parse(&page.html);
        // The test browser sends no User-Agent: its device cannot be told.
        doc.expect_text("table.cards td[data-label=Device]", "Unknown device");

        let form = student.get("/account/password").await;
        let refused = student
            .post(
                "/account/password",
                &[
                    ("_csrf", &form.csrf()),
                    ("current", DEMO_PASSWORD),
                    ("new", "copper meadow quiet harbour"),
                    ("confirm", "copper meadow quiet harbor"),
                ],
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        let doc = Doc::parse(&refused.html);
        assert!(doc.has(".error-summary a[href='#confirm']"));
        doc.expect_text("#confirm-error", "does not match the new password");
        // Passwords are never sent back.
        assert_eq!(doc.attr("input#new", "value"), None);
        let changed = student
            .post(
                "/account/password",
                &[
                    ("_csrf", &form.csrf()),
                    ("current", DEMO_PASSWORD),
                    ("new", "copper meadow quiet harbour"),
                    ("confirm", "copper meadow quiet harbour"),
                ],
            )
            .await;
        let doc = follow(&mut student, &changed, "/account/sessions").await;
        doc.expect_text(
            "main .alert-success[role=status]",
            "Your password was changed and your other sessions were signed out.",
        );
    }
}
