//! The list component at work on the catalog, an intake's applications and the tickets,
//! in the demo college: sortable columns turn the order round, the count and the page
//! numbers follow what the filters select, a filter is kept in every page link and in
//! the CSV link, the CSV holds exactly the filtered rows, ticked records change at once
//! (only those ticked, and the next page says so), a user without the permission is
//! refused the bulk action, and a course's page draws each section's seats as a bar.

use axum::http::{StatusCode, header};
use campus::db::{CollegeId, begin_for_college};
use uuid::Uuid;

use crate::util::browser::Page;
use crate::util::db::scalar;
use crate::util::fixtures::demo_college;
use crate::util::html::Doc;
use crate::util::{Browser, TestApp};

const PASSWORD: &str = campus::demo::PASSWORD;

/// A browser signed in as a demo account.
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

/// A page that must have answered 200.
fn ok(page: &Page) -> Doc {
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    Doc::parse(&page.html)
}

/// Runs `sql` in the college.
async fn run(app: &TestApp, college: CollegeId, sql: &'static str) {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    sqlx::query(sql).execute(&mut *tx).await.expect(sql);
    tx.commit().await.expect("commit");
}

/// The ids `sql` selects (with `$1` bound to `param`) in the college.
async fn ids(app: &TestApp, college: CollegeId, sql: &'static str, param: Uuid) -> Vec<Uuid> {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let found: Vec<Uuid> = sqlx::query_scalar(sql)
        .bind(param)
        .fetch_all(&mut *tx)
        .await
        .expect(sql);
    tx.commit().await.expect("commit");
    found
}

/// A CSV download: its content type, its disposition and its lines.
async fn download(browser: &Browser<'_>, href: &str) -> (String, String, Vec<String>) {
    let response = browser.follow(href).await;
    assert_eq!(response.status(), StatusCode::OK, "{href}");
    let head = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().expect("header").to_string())
            .unwrap_or_default()
    };
    let (kind, disposition) = (
        head(header::CONTENT_TYPE),
        head(header::CONTENT_DISPOSITION),
    );
    let bytes = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body");
    let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
    (
        kind,
        disposition,
        text.lines().map(str::to_string).collect(),
    )
}

/// The `column`-th cell (from 0) of a CSV line without quoted commas.
fn cell(line: &str, column: usize) -> String {
    line.split(',').nth(column).unwrap_or_default().to_string()
}

/// 35 tickets raised by the demo student: #1 to #30 about IT, #31 to #35 about the
/// hostel, the higher numbers changed longer ago. The demo's own tickets are removed
/// first so that the list holds exactly these.
async fn raise_tickets(app: &TestApp, college: CollegeId) {
    run(app, college, "DELETE FROM tickets").await;
    run(
        app,
        college,
        "INSERT INTO tickets (college_id, number, requester_id, category, title, body, created_at, updated_at) \
         SELECT app_current_college(), n, (SELECT id FROM users WHERE email = 'student@riverside.edu'), \
                CASE WHEN n <= 30 THEN 'it' ELSE 'hostel' END, 'Ticket ' || n, 'Please look at it.', \
                now() - make_interval(mins => n), now() - make_interval(mins => n) \
         FROM generate_series(1, 35) AS n",
    )
    .await;
}

/// The id of ticket `number`, as a form sends it.
async fn ticket_id(app: &TestApp, college: CollegeId, number: i32) -> String {
    scalar::<Uuid>(
        app,
        college,
        &format!("SELECT id FROM tickets WHERE number = {number}"),
    )
    .await
    .to_string()
}

/// The ticket numbers of a queue page, in the order shown.
fn ticket_numbers(doc: &Doc) -> Vec<i32> {
    doc.texts("table#tickets tbody td[data-label='#']")
        .iter()
        .map(|t| t.trim_start_matches('#').parse().expect("a ticket number"))
        .collect()
}

#[tokio::test]
async fn the_catalog_sorts_both_ways_pages_and_exports_what_is_filtered() {
    let (app, college) = demo_college().await;
    let mut student = signed_in(&app, "student@riverside.edu").await;
    let courses: i64 = scalar(&app, college, "SELECT count(*) FROM courses").await;
    assert!(courses > 25, "the demo has more courses than a page");

    // By code, first to last: the first page is the first 25 codes as the database
    // orders them, and the count and page numbers cover every course.
    let doc = ok(&student.get("/catalog").await);
    let first: String = scalar(
        &app,
        college,
        "SELECT string_agg(code, ',' ORDER BY code) FROM (SELECT code FROM courses ORDER BY code LIMIT 25) c",
    )
    .await;
    assert_eq!(
        doc.texts("table#courses tbody td[data-label=Code]")
            .join(","),
        first
    );
    doc.expect_text("p.list-summary", &format!("Showing 1–25 of {courses}"));
    assert_eq!(doc.text("nav.pager a[aria-current=page]"), "1");
    assert!(doc.has("nav.pager a[href='/catalog?sort=code&page=2']"));
    assert_eq!(
        doc.attr("th[aria-sort=ascending] a", "href").as_deref(),
        Some("/catalog?sort=code&dir=desc"),
        "the sorted column's header turns the order round"
    );
    // Every code links to its course.
    assert_eq!(
        doc.count("table#courses tbody td[data-label=Code] a[href^='/catalog/courses/']"),
        25
    );

    // The other way round.
    let doc = ok(&student.get("/catalog?sort=code&dir=desc").await);
    let last: String = scalar(
        &app,
        college,
        "SELECT string_agg(code, ',' ORDER BY code DESC) FROM (SELECT code FROM courses ORDER BY code DESC LIMIT 25) c",
    )
    .await;
    assert_eq!(
        doc.texts("table#courses tbody td[data-label=Code]")
            .join(","),
        last
    );
    assert!(doc.has("th[aria-sort=descending]"));

    // A department's courses: the filter is kept in the form, the sort links and the
    // CSV link, and the CSV holds exactly those courses.
    let doc = ok(&student.get("/catalog?department=cse").await);
    let cse: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM courses c JOIN departments d ON d.id = c.department_id WHERE d.code = 'CSE'",
    )
    .await;
    assert_eq!(doc.count("table#courses tbody tr") as i64, cse);
    doc.expect_text("p.list-summary", &format!("Showing 1–{cse} of {cse}"));
    assert!(!doc.has("nav.pager"), "one page needs no page numbers");
    assert!(doc.has("select#filter-department option[value=CSE][selected]"));
    assert!(doc.has("a[href='/catalog?department=CSE&sort=title']"));
    let csv = doc.attr("p.list-summary a", "href").expect("the CSV link");
    assert_eq!(csv, "/catalog?department=CSE&sort=code&format=csv");
    let (kind, disposition, lines) = download(&student, &csv).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert_eq!(lines[0], "Code,Title,Department,Credits,Prerequisites");
    assert_eq!(lines.len() as i64, cse + 1, "{lines:?}");
    assert!(lines[1..].iter().all(|l| cell(l, 2) == "CSE"), "{lines:?}");

    // A sort that is not a column falls back to the code; nothing of it reaches SQL.
    let doc = ok(&student
        .get("/catalog?sort=title%3B%20DROP%20TABLE%20courses")
        .await);
    assert!(doc.has("th[aria-sort=ascending] a[href='/catalog?sort=code&dir=desc']"));
}

#[tokio::test]
async fn a_course_page_draws_each_section_s_seats_under_its_breadcrumbs() {
    let (app, college) = demo_college().await;
    let mut student = signed_in(&app, "student@riverside.edu").await;
    let course: Uuid = scalar(
        &app,
        college,
        "SELECT c.id FROM courses c JOIN sections s ON s.course_id = c.id ORDER BY c.code LIMIT 1",
    )
    .await;
    let code: String = scalar(
        &app,
        college,
        &format!("SELECT code FROM courses WHERE id = '{course}'"),
    )
    .await;
    let seats: String = scalar(
        &app,
        college,
        &format!(
            "SELECT enrolled || ' of ' || capacity || ' seats' FROM sections \
             WHERE course_id = '{course}' ORDER BY code LIMIT 1"
        ),
    )
    .await;
    let doc = ok(&student.get(&format!("/catalog/courses/{course}")).await);
    assert_eq!(
        doc.texts("nav.breadcrumbs[aria-label=Breadcrumb] li"),
        ["Catalog", code.as_str()]
    );
    assert!(doc.has("nav.breadcrumbs a[href='/catalog']"));
    assert_eq!(doc.text("nav.breadcrumbs [aria-current=page]"), code);
    assert!(doc.has("figure.seat-bars svg.chart"), "the seats as bars");
    doc.expect_text("figure.seat-bars", &seats);
}

#[tokio::test]
async fn the_tickets_sort_count_keep_their_filter_across_pages_and_export_it() {
    let (app, college) = demo_college().await;
    raise_tickets(&app, college).await;
    let mut handler = signed_in(&app, "registrar@riverside.edu").await;

    // By number, both ways.
    let doc = ok(&handler.get("/tickets?sort=number").await);
    assert_eq!(ticket_numbers(&doc), (1..=25).collect::<Vec<_>>());
    let doc = ok(&handler.get("/tickets?sort=number&dir=desc").await);
    assert_eq!(ticket_numbers(&doc), (11..=35).rev().collect::<Vec<_>>());
    // Latest change first by default.
    let doc = ok(&handler.get("/tickets").await);
    assert_eq!(ticket_numbers(&doc)[..3], [1, 2, 3]);
    doc.expect_text("p.list-summary", "Showing 1–25 of 35");
    // Every number links to its ticket.
    assert_eq!(
        doc.count("table#tickets tbody td[data-label='#'] a[href^='/tickets/']"),
        25
    );

    // The IT tickets: 30, over two pages; the filter stays in the page links, on the
    // second page and in the CSV link.
    let doc = ok(&handler.get("/tickets?category=it").await);
    doc.expect_text("p.list-summary", "Showing 1–25 of 30");
    let second = "/tickets?category=it&sort=updated&dir=desc&page=2";
    assert!(doc.has(&format!("nav.pager a[href='{second}']")), "page 2");
    assert!(doc.has("nav.pager a[rel=next]"));
    let doc = ok(&handler.get(second).await);
    doc.expect_text("p.list-summary", "Showing 26–30 of 30");
    assert_eq!(doc.text("nav.pager a[aria-current=page]"), "2");
    assert_eq!(ticket_numbers(&doc), [26, 27, 28, 29, 30]);
    assert!(
        doc.texts("table#tickets tbody td[data-label=Kind]")
            .iter()
            .all(|k| k == "IT")
    );
    assert!(doc.has("select#filter-category option[value=it][selected]"));
    let csv = doc.attr("p.list-summary a", "href").expect("the CSV link");
    assert_eq!(csv, "/tickets?category=it&sort=updated&dir=desc&format=csv");

    // The CSV: every IT ticket and nothing else, newest change first.
    let (kind, disposition, lines) = download(&handler, &csv).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert!(
        disposition.contains("attachment") && disposition.contains("tickets.csv"),
        "{disposition}"
    );
    assert_eq!(lines.len(), 31, "a header and 30 tickets: {lines:?}");
    assert!(lines[0].starts_with("Number,Title,Kind"), "{}", lines[0]);
    assert!(lines[1..].iter().all(|l| cell(l, 2) == "IT"), "{lines:?}");
    let numbers: Vec<String> = lines[1..].iter().map(|l| cell(l, 0)).collect();
    assert_eq!(numbers.first().map(String::as_str), Some("1"));
    assert_eq!(numbers.last().map(String::as_str), Some("30"));

    // A status no ticket has: nothing to show, and the CSV is its header alone.
    let doc = ok(&handler.get("/tickets?status=closed").await);
    doc.expect_text("p.list-summary", "Nothing to show");
    let (_, _, lines) = download(&handler, "/tickets?status=closed&format=csv").await;
    assert_eq!(lines.len(), 1, "{lines:?}");
}

#[tokio::test]
async fn ticked_tickets_change_at_once_and_only_they_do() {
    let (app, college) = demo_college().await;
    raise_tickets(&app, college).await;
    let mut handler = signed_in(&app, "registrar@riverside.edu").await;
    let list = "/tickets?category=it&sort=number";
    let page = handler.get(list).await;
    let doc = ok(&page);
    let action = doc.attr("form#bulk", "action").expect("the bulk form");
    assert_eq!(action, "/tickets/bulk?category=it&sort=number");
    let (three, four, five) = (
        ticket_id(&app, college, 3).await,
        ticket_id(&app, college, 4).await,
        ticket_id(&app, college, 5).await,
    );
    for id in [&three, &four, &five] {
        assert!(doc.has(&format!(
            "form#bulk input[type=checkbox][name=ids][value='{id}']"
        )));
    }

    // Three ticked, moved to in progress: back to the same list, which says so.
    let moved = handler
        .post(
            &action,
            &[
                ("_csrf", &page.csrf()),
                ("ids", &three),
                ("ids", &four),
                ("ids", &five),
                ("status", "in_progress"),
                ("assignee_email", ""),
            ],
        )
        .await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    assert_eq!(moved.location.as_deref(), Some(list));
    let doc = ok(&handler.get(list).await);
    doc.expect_text(
        "main .alert-success[role=status]",
        "3 tickets moved to in progress.",
    );
    let in_progress: String = scalar(
        &app,
        college,
        "SELECT string_agg(number::text, ',' ORDER BY number) FROM tickets WHERE status = 'in_progress'",
    )
    .await;
    assert_eq!(in_progress, "3,4,5", "exactly the ticked tickets");
    let open: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM tickets WHERE status = 'open'",
    )
    .await;
    assert_eq!(open, 32);
    // Each change is on its ticket, as one change by hand would be.
    let noted: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM ticket_comments WHERE is_event AND body LIKE 'Status: open → in progress%'",
    )
    .await;
    assert_eq!(noted, 3);

    // Two ticked, given to the warden.
    let page = handler.get(list).await;
    let (six, seven) = (
        ticket_id(&app, college, 6).await,
        ticket_id(&app, college, 7).await,
    );
    let assigned = handler
        .post(
            &action,
            &[
                ("_csrf", &page.csrf()),
                ("ids", &six),
                ("ids", &seven),
                ("status", ""),
                ("assignee_email", "warden@riverside.edu"),
            ],
        )
        .await;
    assert_eq!(assigned.status, StatusCode::SEE_OTHER, "{}", assigned.html);
    let doc = ok(&handler.get(list).await);
    doc.expect_text(
        "main .alert-success[role=status]",
        "2 tickets assigned to warden@riverside.edu.",
    );
    let given: String = scalar(
        &app,
        college,
        "SELECT string_agg(t.number::text, ',' ORDER BY t.number) FROM tickets t \
         JOIN users u ON u.id = t.assignee_id WHERE u.email = 'warden@riverside.edu'",
    )
    .await;
    assert_eq!(given, "6,7");

    // Nothing ticked: the same list again (422), saying what to do; nothing changes.
    let page = handler.get(list).await;
    let refused = handler
        .post(&action, &[("_csrf", &page.csrf()), ("status", "resolved")])
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let doc = Doc::parse(&refused.html);
    doc.expect_text(".error-summary", "tick the tickets to change");
    assert!(
        doc.has("select#status option[value=resolved][selected]"),
        "the choice is kept"
    );
    let resolved: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM tickets WHERE status = 'resolved'",
    )
    .await;
    assert_eq!(resolved, 0);
}

/// An intake of the demo's first program with 30 applications from demo accounts: 27
/// submitted and 3 withdrawn, the qualifying percentage rising with the number (`Cand
/// N01` has 51, `Cand N30` 80, so `N30` ranks first).
async fn intake_with_applications(app: &TestApp, college: CollegeId) -> Uuid {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let intake: Uuid = sqlx::query_scalar(
        "INSERT INTO intakes (college_id, program_id, name, seats, application_fee, currency, opens_on, closes_on, admits_on) \
         SELECT app_current_college(), id, 'List intake', 40, 0, 'INR', current_date - 1, current_date + 30, current_date + 90 \
         FROM programs ORDER BY code LIMIT 1 RETURNING id",
    )
    .fetch_one(&mut *tx)
    .await
    .expect("intake");
    sqlx::query(
        "INSERT INTO applications (college_id, intake_id, user_id, status, first_name, last_name, qualifying_percent, submitted_at) \
         SELECT app_current_college(), $1, u.id, CASE WHEN u.n <= 27 THEN 'submitted' ELSE 'withdrawn' END, \
                'Cand', 'N' || lpad(u.n::text, 2, '0'), 50 + u.n, now() - make_interval(mins => u.n::int) \
         FROM (SELECT id, row_number() OVER (ORDER BY email) AS n FROM users) u WHERE u.n <= 30",
    )
    .bind(intake)
    .execute(&mut *tx)
    .await
    .expect("applications");
    tx.commit().await.expect("commit");
    intake
}

/// The qualifying percentages of an intake page, in the order shown.
fn percents(doc: &Doc) -> Vec<f64> {
    doc.texts("section[aria-labelledby=applications] tbody td[data-label=Percent]")
        .iter()
        .map(|p| p.parse().expect("a percentage"))
        .collect()
}

#[tokio::test]
async fn an_intake_s_applications_sort_page_filter_export_and_move_under_review_together() {
    let (app, college) = demo_college().await;
    let intake = intake_with_applications(&app, college).await;
    let mut office = signed_in(&app, "registrar@riverside.edu").await;
    let here = format!("/admissions/intakes/{intake}");

    // By merit rank: 1 to 25, the best first; 30 in all, over two pages.
    let doc = ok(&office.get(&here).await);
    let ranks: Vec<String> =
        doc.texts("section[aria-labelledby=applications] tbody td[data-label=Rank]");
    assert_eq!(ranks, (1..=25).map(|r| r.to_string()).collect::<Vec<_>>());
    doc.expect_text("p.list-summary", "Showing 1–25 of 30");
    assert!(doc.has(&format!("nav.pager a[href='{here}?sort=rank&page=2']")));
    // Each applicant links to their application.
    assert_eq!(
        doc.count("section[aria-labelledby=applications] tbody td[data-label=Applicant] a[href^='/admissions/applications/']"),
        25
    );

    // By percentage, both ways.
    let doc = ok(&office.get(&format!("{here}?sort=percent")).await);
    let up = percents(&doc);
    assert_eq!(up.first().copied(), Some(51.0));
    assert!(up.windows(2).all(|w| w[0] < w[1]), "{up:?}");
    let doc = ok(&office.get(&format!("{here}?sort=percent&dir=desc")).await);
    let down = percents(&doc);
    assert_eq!(down.first().copied(), Some(80.0));
    assert!(down.windows(2).all(|w| w[0] > w[1]), "{down:?}");

    // The submitted ones: 27, the filter kept on page 2 and in the CSV link.
    let doc = ok(&office.get(&format!("{here}?status=submitted")).await);
    doc.expect_text("p.list-summary", "Showing 1–25 of 27");
    let second = format!("{here}?status=submitted&sort=rank&page=2");
    assert!(doc.has(&format!("nav.pager a[href='{second}']")));
    let doc = ok(&office.get(&second).await);
    doc.expect_text("p.list-summary", "Showing 26–27 of 27");
    assert!(doc.has("select#filter-status option[value=submitted][selected]"));
    assert!(
        doc.texts("section[aria-labelledby=applications] tbody td[data-label=Status]")
            .iter()
            .all(|s| s == "Submitted")
    );
    let csv = doc.attr("p.list-summary a", "href").expect("the CSV link");
    assert_eq!(csv, format!("{here}?status=submitted&sort=rank&format=csv"));
    let (kind, _, lines) = download(&office, &csv).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    assert_eq!(lines.len(), 28, "a header and 27 applications: {lines:?}");
    assert!(lines[0].starts_with("Rank,Applicant,Email"), "{}", lines[0]);
    assert!(
        lines[1..].iter().all(|l| cell(l, 4) == "Submitted"),
        "{lines:?}"
    );

    // Four ticked and moved under review at once: back to the same list, which says so;
    // only those four moved, each with its own step in its history.
    let ticked = ids(
        &app,
        college,
        "SELECT id FROM applications WHERE intake_id = $1 AND last_name IN ('N01', 'N02', 'N03', 'N04') ORDER BY last_name",
        intake,
    )
    .await;
    assert_eq!(ticked.len(), 4);
    let list = format!("{here}?sort=rank");
    let page = office.get(&list).await;
    let doc = ok(&page);
    let action = doc.attr("form#review", "action").expect("the review form");
    assert_eq!(action, format!("{here}/review?sort=rank"));
    let csrf = page.csrf();
    let mut fields: Vec<(&str, String)> = vec![("_csrf", csrf)];
    fields.extend(ticked.iter().map(|id| ("ids", id.to_string())));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let moved = office.post(&action, &fields).await;
    assert_eq!(moved.status, StatusCode::SEE_OTHER, "{}", moved.html);
    assert_eq!(moved.location.as_deref(), Some(list.as_str()));
    let doc = ok(&office.get(&list).await);
    doc.expect_text(
        "main .alert-success[role=status]",
        "4 applications moved to under review",
    );
    let reviewed = ids(
        &app,
        college,
        "SELECT id FROM applications WHERE intake_id = $1 AND status = 'under_review' ORDER BY last_name",
        intake,
    )
    .await;
    assert_eq!(reviewed, ticked, "exactly the ticked applications");
    let still: Vec<Uuid> = ids(
        &app,
        college,
        "SELECT id FROM applications WHERE intake_id = $1 AND status = 'submitted'",
        intake,
    )
    .await;
    assert_eq!(still.len(), 23);
    let steps = ids(
        &app,
        college,
        "SELECT e.application_id FROM application_events e JOIN applications a ON a.id = e.application_id \
         WHERE a.intake_id = $1 AND e.status = 'under_review' ORDER BY a.last_name",
        intake,
    )
    .await;
    assert_eq!(steps, ticked);

    // One that cannot move (withdrawn) ticked with one that can: neither moves, and the
    // list comes back (422) naming the applicant.
    let withdrawn = ids(
        &app,
        college,
        "SELECT id FROM applications WHERE intake_id = $1 AND last_name IN ('N05', 'N30') ORDER BY last_name",
        intake,
    )
    .await;
    let page = office.get(&list).await;
    let (first, second) = (withdrawn[0].to_string(), withdrawn[1].to_string());
    let refused = office
        .post(
            &action,
            &[("_csrf", &page.csrf()), ("ids", &first), ("ids", &second)],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    Doc::parse(&refused.html).expect_text(".error-summary", "Cand N30");
    let reviewed = ids(
        &app,
        college,
        "SELECT id FROM applications WHERE intake_id = $1 AND status = 'under_review' ORDER BY last_name",
        intake,
    )
    .await;
    assert_eq!(reviewed, ticked, "nothing moved");

    // The application's page leads back through the intake.
    let doc = ok(&office
        .get(&format!("/admissions/applications/{}", ticked[0]))
        .await);
    assert_eq!(
        doc.texts("nav.breadcrumbs li"),
        ["Admissions", "List intake", "Cand N01"]
    );
    assert!(doc.has(&format!("nav.breadcrumbs a[href='{here}']")));
}

#[tokio::test]
async fn a_user_without_the_permission_is_refused_the_bulk_actions() {
    let (app, college) = demo_college().await;
    raise_tickets(&app, college).await;
    let intake = intake_with_applications(&app, college).await;
    let mut teacher = signed_in(&app, "teacher@riverside.edu").await;
    let csrf = teacher.get("/catalog").await.csrf();
    let ticket: Uuid = scalar(&app, college, "SELECT id FROM tickets WHERE number = 1").await;
    let application = ids(
        &app,
        college,
        "SELECT id FROM applications WHERE intake_id = $1 AND status = 'submitted' LIMIT 1",
        intake,
    )
    .await[0];

    let refused = teacher
        .post(
            "/tickets/bulk",
            &[
                ("_csrf", &csrf),
                ("ids", &ticket.to_string()),
                ("status", "closed"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    let refused = teacher
        .post(
            &format!("/admissions/intakes/{intake}/review"),
            &[("_csrf", &csrf), ("ids", &application.to_string())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);

    let closed: i64 = scalar(
        &app,
        college,
        "SELECT count(*) FROM tickets WHERE status = 'closed'",
    )
    .await;
    assert_eq!(closed, 0);
    let reviewed = ids(
        &app,
        college,
        "SELECT id FROM applications WHERE intake_id = $1 AND status = 'under_review'",
        intake,
    )
    .await;
    assert!(reviewed.is_empty(), "{reviewed:?}");
    // Nor do they see the lists.
    assert_eq!(teacher.get("/tickets").await.status, StatusCode::FORBIDDEN);
    assert_eq!(
        teacher
            .get(&format!("/admissions/intakes/{intake}"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
