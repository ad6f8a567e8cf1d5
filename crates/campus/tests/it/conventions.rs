//! The conventions every page follows (issue 14): one form pattern (a refused form comes
//! back with status 422 inside the normal page, a summary at the top, each message under
//! its field and what was typed kept), post/redirect/get with a message saying what
//! happened, and a confirmation before what cannot be undone.

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
