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
