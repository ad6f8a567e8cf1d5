//! The back-office lists of people (students, staff, users, the audit trail) as the list
//! component draws them: columns sorted both ways, the count and numbered pages, filters
//! kept across pages and in the CSV link, the CSV holding exactly the filtered rows, and
//! bulk actions on ticked rows that change exactly those and are refused to whoever may
//! not take them.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::{CollegeId, begin_for_college};
use uuid::Uuid;

use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::world;
use crate::util::{Browser, TestApp};

/// `count` students "Ada NameNN" numbered LNNN, every fourth in year 2 and the others in
/// year 1; their ids and numbers, in number order.
async fn numbered_students(app: &TestApp, college: CollegeId, count: usize) -> Vec<(Uuid, String)> {
    let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
    let mut out = Vec::new();
    for i in 1..=count {
        let number = format!("L{i:03}");
        let year: i16 = if i % 4 == 0 { 2 } else { 1 };
        let id: Uuid = sqlx::query_scalar(
            "INSERT INTO students (college_id, student_number, first_name, last_name, program_id, admitted_on, year_of_study) \
             SELECT app_current_college(), $1, 'Ada', $2, id, current_date, $3 FROM programs RETURNING id",
        )
        .bind(&number)
        .bind(format!("Name{i:02}"))
        .bind(year)
        .fetch_one(&mut *tx)
        .await
        .expect("student");
        out.push((id, number));
    }
    tx.commit().await.expect("commit");
    out
}

/// A browser signed in as a fixture account of `alpha`.
async fn signed_in<'a>(app: &'a TestApp, email: &str) -> Browser<'a> {
    let mut browser = Browser::new(app);
    let answer = browser.sign_in("alpha", email, PASSWORD).await;
    assert_eq!(
        answer.status,
        StatusCode::SEE_OTHER,
        "{email}: {}",
        answer.html
    );
    browser
}

/// The names in the students table, top to bottom.
fn student_names(doc: &Doc) -> Vec<String> {
    doc.texts("table#students tbody td[data-label=Name]")
}

/// The rows of a CSV answer: its header and its records.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("a header")
        .iter()
        .map(str::to_string)
        .collect();
    let records = reader
        .records()
        .map(|r| r.expect("a record").iter().map(str::to_string).collect())
        .collect();
    (header, records)
}

#[tokio::test]
async fn the_students_list_sorts_both_ways_counts_pages_and_keeps_its_filter() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    numbered_students(&app, w.college, 40).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let mut registrar = signed_in(&app, "reg@alpha.edu").await;

    // By name, A to Z by default: the first page of 25 of 40, numbered pages and Next.
    let page = registrar.get("/students").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    let expected: Vec<String> = (1..=25).map(|i| format!("Ada Name{i:02}")).collect();
    assert_eq!(student_names(&doc), expected);
    doc.expect_text(".list-summary", "Showing 1–25 of 40");
    assert_eq!(
        doc.attr("th[aria-sort=ascending] a", "href").as_deref(),
        Some("/students?sort=name&dir=desc"),
        "the sorted column's header turns the order round"
    );
    assert_eq!(doc.texts(".pager li a"), ["1", "2", "Next"]);
    assert_eq!(doc.text(".pager a[aria-current=page]"), "1");
    assert_eq!(
        doc.attr(".pager a[rel=next]", "href").as_deref(),
        Some("/students?sort=name&page=2")
    );
    // Every number and name leads to the profile.
    let number = doc.attr("table#students tbody td[data-label=Number] a", "href");
    let name = doc.attr("table#students tbody td[data-label=Name] a", "href");
    assert!(
        number
            .as_ref()
            .is_some_and(|href| href.starts_with("/students/"))
    );
    assert_eq!(number, name);

    // Z to A.
    let page = registrar.get("/students?sort=name&dir=desc").await;
    let doc = Doc::parse(&page.html);
    let expected: Vec<String> = (16..=40).rev().map(|i| format!("Ada Name{i:02}")).collect();
    assert_eq!(student_names(&doc), expected);
    assert!(doc.has("th[aria-sort=descending]"));

    // By number, both ways, on the second page.
    let page = registrar.get("/students?sort=number&page=2").await;
    let doc = Doc::parse(&page.html);
    assert_eq!(
        doc.texts("table#students tbody td[data-label=Number]"),
        [
            "L026", "L027", "L028", "L029", "L030", "L031", "L032", "L033", "L034", "L035", "L036",
            "L037", "L038", "L039", "L040"
        ]
    );
    doc.expect_text(".list-summary", "Showing 26–40 of 40");
    assert_eq!(doc.texts(".pager li a"), ["Previous", "1", "2"]);
    let page = registrar.get("/students?sort=number&dir=desc").await;
    let doc = Doc::parse(&page.html);
    let numbers = doc.texts("table#students tbody td[data-label=Number]");
    assert_eq!(numbers.first().map(String::as_str), Some("L040"));
    assert_eq!(numbers.last().map(String::as_str), Some("L016"));

    // Year 1 is 30 of them: the filter stays in the form, the pages and the CSV link.
    let page = registrar.get("/students?year=1").await;
    let doc = Doc::parse(&page.html);
    assert_eq!(doc.attr("input#year", "value").as_deref(), Some("1"));
    doc.expect_text(".list-summary", "Showing 1–25 of 30");
    assert_eq!(
        doc.attr(".pager a[rel=next]", "href").as_deref(),
        Some("/students?year=1&sort=name&page=2")
    );
    assert_eq!(
        doc.attr(".list-summary a", "href").as_deref(),
        Some("/students?year=1&sort=name&format=csv")
    );
    assert!(
        doc.attr("th[aria-sort] a", "href")
            .is_some_and(|href| href.starts_with("/students?year=1&sort=")),
        "sorting keeps the filter"
    );
    let second = registrar.get("/students?year=1&sort=name&page=2").await;
    let doc = Doc::parse(&second.html);
    assert_eq!(doc.count("table#students tbody tr"), 5);
    assert!(
        doc.texts("table#students tbody td[data-label=Year]")
            .iter()
            .all(|y| y == "1")
    );
    doc.expect_text(".list-summary", "Showing 26–30 of 30");

    // Past the last page: nothing shown, and the pager leads back.
    let past = registrar.get("/students?year=1&sort=name&page=9").await;
    assert_eq!(past.status, StatusCode::OK);
    let doc = Doc::parse(&past.html);
    assert_eq!(doc.count("table#students tbody tr"), 0);
    assert!(doc.has(".pager a[href='/students?year=1&sort=name&page=2']"));
}

#[tokio::test]
async fn the_students_csv_holds_exactly_the_filtered_rows_in_the_page_s_order() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    numbered_students(&app, w.college, 40).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let mut registrar = signed_in(&app, "reg@alpha.edu").await;

    let page = registrar.get("/students?year=1&sort=number&dir=desc").await;
    let link = Doc::parse(&page.html)
        .attr(".list-summary a", "href")
        .expect("the CSV link");
    assert_eq!(link, "/students?year=1&sort=number&dir=desc&format=csv");
    let csv = registrar.get(&link).await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.html);
    let (header, rows) = csv_rows(&csv.html);
    assert_eq!(header, ["Number", "Name", "Program", "Year", "Status"]);
    // Every row of year 1 (more than a page), none of year 2, newest number first.
    let expected: Vec<String> = (1..=40)
        .rev()
        .filter(|i| i % 4 != 0)
        .map(|i| format!("L{i:03}"))
        .collect();
    let numbers: Vec<String> = rows.iter().map(|r| r[0].clone()).collect();
    assert_eq!(numbers, expected);
    assert!(rows.iter().all(|r| r[3] == "1" && r[4] == "enrolled"));
    assert_eq!(rows[0][1], "Ada Name39");

    // A words filter too.
    let csv = registrar.get("/students?q=name07&format=csv").await;
    let (_, rows) = csv_rows(&csv.html);
    assert_eq!(rows.len(), 1, "{}", csv.html);
    assert_eq!(rows[0][0], "L007");
}

#[tokio::test]
async fn ticked_students_change_status_together_and_only_they() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let students = numbered_students(&app, w.college, 40).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let mut registrar = signed_in(&app, "reg@alpha.edu").await;

    let page = registrar.get("/students?year=1&sort=name&page=2").await;
    let doc = Doc::parse(&page.html);
    assert_eq!(
        doc.attr("form[action='/students/status'] input[name=back]", "value")
            .as_deref(),
        Some("/students?year=1&sort=name&page=2")
    );
    assert!(
        doc.has(
            "form[action='/students/status'] table#students input[type=checkbox][name=student]"
        )
    );
    let csrf = page.csrf();
    let ticked = [&students[0], &students[1], &students[2]];

    // Without a reason nothing changes, and the ticks and choice come back.
    let refused = registrar
        .post(
            "/students/status",
            &[
                ("_csrf", &csrf),
                ("student", &ticked[0].0.to_string()),
                ("student", &ticked[1].0.to_string()),
                ("new_status", "on_leave"),
                ("reason", ""),
                ("back", "/students?sort=name"),
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
    doc.expect_text(".error-summary", "The statuses were not changed");
    doc.expect_text("#reason-error", "say why");
    assert!(doc.has(&format!(
        "input[name=student][value='{}'][checked]",
        ticked[0].0
    )));
    assert!(!doc.has(&format!(
        "input[name=student][value='{}'][checked]",
        students[5].0
    )));
    assert_eq!(
        doc.attr("select#new_status option[selected]", "value")
            .as_deref(),
        Some("on_leave")
    );
    let on_leave = "SELECT count(*) FROM students WHERE status = 'on_leave'";
    assert_eq!(
        crate::util::db::scalar::<i64>(&app, w.college, on_leave).await,
        0
    );

    // Three ticked: those three change, with the reason in each one's history, and the
    // list comes back where it was with the message.
    let done = registrar
        .post(
            "/students/status",
            &[
                ("_csrf", &csrf),
                ("student", &ticked[0].0.to_string()),
                ("student", &ticked[1].0.to_string()),
                ("student", &ticked[2].0.to_string()),
                ("new_status", "on_leave"),
                ("reason", "A term abroad"),
                ("back", "/students?year=1&sort=name&page=2"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(
        done.location.as_deref(),
        Some("/students?year=1&sort=name&page=2")
    );
    let back = registrar.get("/students?year=1&sort=name&page=2").await;
    Doc::parse(&back.html).expect_text(
        "main .alert-success[role=status]",
        "Status of 3 students changed to on leave",
    );
    let changed: Vec<String> = {
        let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
        let numbers = sqlx::query_scalar(
            "SELECT student_number FROM students WHERE status = 'on_leave' ORDER BY student_number",
        )
        .fetch_all(&mut *tx)
        .await
        .expect("changed");
        tx.commit().await.expect("commit");
        numbers
    };
    assert_eq!(changed, ["L001", "L002", "L003"]);
    let history = "SELECT count(*) FROM student_status_history WHERE reason = 'A term abroad'";
    assert_eq!(
        crate::util::db::scalar::<i64>(&app, w.college, history).await,
        3
    );

    // One already on leave among the ticked: nothing changes, and the message names them.
    let again = registrar
        .post(
            "/students/status",
            &[
                ("_csrf", &csrf),
                ("student", &students[0].0.to_string()),
                ("student", &students[4].0.to_string()),
                ("new_status", "on_leave"),
                ("reason", "A term abroad"),
                ("back", "/students?sort=name"),
            ],
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        again.html
    );
    Doc::parse(&again.html).expect_text("#student-error", "Ada Name01 (L001) is already on leave");
    assert_eq!(
        crate::util::db::scalar::<i64>(&app, w.college, on_leave).await,
        3
    );
}

#[tokio::test]
async fn bulk_actions_are_refused_without_the_permission() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let students = numbered_students(&app, w.college, 3).await;
    fixtures::user(&app.pool, w.college, "acc@alpha.edu", &[Role::Accountant]).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let teacher = fixtures::user(&app.pool, w.college, "tea@alpha.edu", &[Role::Teacher]).await;

    // An accountant reads students but changes no status: no ticks, and the POST is 403.
    let mut accountant = signed_in(&app, "acc@alpha.edu").await;
    let page = accountant.get("/students").await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    assert!(!doc.has("form[action='/students/status']"));
    assert!(!doc.has("input[name=student]"));
    let refused = accountant
        .post(
            "/students/status",
            &[
                ("_csrf", &page.csrf()),
                ("student", &students[0].0.to_string()),
                ("new_status", "withdrawn"),
                ("reason", "Not theirs to decide"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let withdrawn = "SELECT count(*) FROM students WHERE status = 'withdrawn'";
    assert_eq!(
        crate::util::db::scalar::<i64>(&app, w.college, withdrawn).await,
        0
    );

    // A registrar reads users but does not manage them: the invitations POST is 403.
    let mut registrar = signed_in(&app, "reg@alpha.edu").await;
    let page = registrar.get("/admin/users").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!Doc::parse(&page.html).has("form[action='/admin/users/invitations']"));
    let refused = registrar
        .post(
            "/admin/users/invitations",
            &[("_csrf", &page.csrf()), ("user", &teacher.to_string())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let invitations = "SELECT count(*) FROM audit_log WHERE action = 'user.invited'";
    assert_eq!(
        crate::util::db::scalar::<i64>(&app, w.college, invitations).await,
        0
    );
}

#[tokio::test]
async fn ticked_invited_users_are_invited_again_and_only_they() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let mut invited = Vec::new();
    {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        for (email, name) in [
            ("cora@alpha.edu", "Cora Invited"),
            ("bea@alpha.edu", "Bea Invited"),
            ("abe@alpha.edu", "Abe Invited"),
        ] {
            let id: Uuid = sqlx::query_scalar(
                "INSERT INTO users (college_id, email, display_name, status) \
                 VALUES (app_current_college(), $1, $2, 'invited') RETURNING id",
            )
            .bind(email)
            .bind(name)
            .fetch_one(&mut *tx)
            .await
            .expect("invited user");
            invited.push(id);
        }
        tx.commit().await.expect("commit");
    }
    let mut admin = signed_in(&app, "admin@alpha.edu").await;

    // Sorted by name both ways; only invited rows can be ticked; emails lead to the user.
    let page = admin.get("/admin/users?sort=name").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    let names = doc.texts("table#users tbody td[data-label=Name]");
    assert_eq!(
        names,
        [
            "Abe Invited",
            "Bea Invited",
            "Cora Invited",
            "User admin@alpha.edu"
        ]
    );
    let page = admin.get("/admin/users?sort=name&dir=desc").await;
    let doc = Doc::parse(&page.html);
    let mut reversed = names.clone();
    reversed.reverse();
    assert_eq!(doc.texts("table#users tbody td[data-label=Name]"), reversed);
    assert_eq!(doc.count("table#users input[type=checkbox][name=user]"), 3);
    assert!(doc.has(&format!(
        "table#users td[data-label=Email] a[href='/admin/users/{}']",
        invited[0]
    )));
    doc.expect_text(".list-summary", "Showing 1–4 of 4");

    let page = admin.get("/admin/users?status=invited").await;
    let doc = Doc::parse(&page.html);
    let back = doc
        .attr(
            "form[action='/admin/users/invitations'] input[name=back]",
            "value",
        )
        .expect("the list's address");
    assert_eq!(back, "/admin/users?status=invited&sort=email");
    let done = admin
        .post(
            "/admin/users/invitations",
            &[
                ("_csrf", &page.csrf()),
                ("user", &invited[0].to_string()),
                ("user", &invited[2].to_string()),
                ("back", &back),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location.as_deref(), Some(back.as_str()));
    let list = admin.get(&back).await;
    Doc::parse(&list.html).expect_text("main .alert-success[role=status]", "2 invitations sent");
    let mut sent: Vec<String> = {
        let mut tx = begin_for_college(&app.pool, college).await.expect("tx");
        let ids =
            sqlx::query_scalar("SELECT object_id FROM audit_log WHERE action = 'user.invited'")
                .fetch_all(&mut *tx)
                .await
                .expect("invitations");
        tx.commit().await.expect("commit");
        ids
    };
    sent.sort();
    let mut expected = vec![invited[0].to_string(), invited[2].to_string()];
    expected.sort();
    assert_eq!(sent, expected);

    // Nothing ticked: nothing sent, and the list says why.
    let none = admin
        .post(
            "/admin/users/invitations",
            &[("_csrf", &page.csrf()), ("back", &back)],
        )
        .await;
    assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
    Doc::parse(&none.html).expect_text("#user-error", "tick the invited users");
}

#[tokio::test]
async fn staff_and_the_audit_trail_sort_both_ways_with_a_count() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    {
        let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
        for (number, first, last) in [
            ("T100", "Cleo", "Cole"),
            ("T200", "Abel", "Ames"),
            ("T300", "Bo", "Bell"),
        ] {
            sqlx::query(
                "INSERT INTO staff (college_id, staff_number, first_name, last_name, department_id) \
                 SELECT app_current_college(), $1, $2, $3, id FROM departments",
            )
            .bind(number)
            .bind(first)
            .bind(last)
            .execute(&mut *tx)
            .await
            .expect("staff");
        }
        tx.commit().await.expect("commit");
    }
    let mut admin = signed_in(&app, "admin@alpha.edu").await;

    let page = admin.get("/staff").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    assert_eq!(
        doc.texts("table#staff tbody td[data-label=Name]"),
        ["Abel Ames", "Bo Bell", "Cleo Cole"]
    );
    doc.expect_text(".list-summary", "Showing 1–3 of 3");
    let page = admin.get("/staff?sort=number&dir=desc").await;
    let doc = Doc::parse(&page.html);
    assert_eq!(
        doc.texts("table#staff tbody td[data-label=Number]"),
        ["T300", "T200", "T100"]
    );
    let csv = admin.get("/staff?q=bell&format=csv").await;
    let (header, rows) = csv_rows(&csv.html);
    assert_eq!(header, ["Number", "Name", "Title", "Department", "Status"]);
    assert_eq!(rows, [["T300", "Bo Bell", "", "Computing", "active"]]);

    // The trail: newest first by default; by action one way is the other way reversed.
    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    assert!(doc.has("th[aria-sort=descending]"));
    doc.expect_text(".list-summary", "of");
    let action = "table tbody td:nth-child(4) [data-action]";
    let up = Doc::parse(&admin.get("/admin/audit?sort=action").await.html);
    let down = Doc::parse(&admin.get("/admin/audit?sort=action&dir=desc").await.html);
    let up = up.texts(action);
    let mut down = down.texts(action);
    down.reverse();
    assert!(!up.is_empty());
    assert_eq!(up, down);
    let csv = admin.get("/admin/audit?action=auth.&format=csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.html.starts_with("seq,at,actor"));
}
