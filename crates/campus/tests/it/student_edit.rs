//! A student's record edited through the API and the page: details, program, batch, year
//! and advisor changed; wrong input named by field with nothing written; each change in
//! the record's history on the profile; only those who manage students may edit.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use serde_json::json;

use crate::util::api::{call, field_errors, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::world::{students, token_of, world};
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn a_students_details_change_with_their_history_kept() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    fixtures::user(&app.pool, w.college, "tess@alpha.edu", &[Role::Teacher]).await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    let (student, own) = students(&app, &w, 1).await.remove(0);
    let one = format!("/api/v1/students/{student}");
    let (status, staff) = call(
        &app,
        "POST",
        "/api/v1/staff",
        &admin,
        Some(json!({"staff_number": "ST-0001", "first_name": "Asha", "last_name": "Rao"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{staff}");

    let (_, before) = call(&app, "GET", &one, &admin, None).await;
    for (body, fields) in [
        (json!({"program": "NOPE"}), vec!["program"]),
        (json!({"year_of_study": 11}), vec!["year_of_study"]),
        (
            json!({"email": "nobody@", "date_of_birth": "2999-01-01", "phone": "ring"}),
            vec!["date_of_birth", "email", "phone"],
        ),
        (json!({"advisor": "ST-9999"}), vec!["advisor"]),
        (json!({"first_name": "  "}), vec!["first_name"]),
    ] {
        let (status, answer) = call(&app, "PATCH", &one, &admin, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(field_errors(&answer), fields, "{answer}");
    }
    let (_, unchanged) = call(&app, "GET", &one, &admin, None).await;
    assert_eq!(unchanged, before, "nothing half-written");

    let (status, after) = call(
        &app,
        "PATCH",
        &one,
        &admin,
        Some(
            json!({"phone": "+91 98765 43210", "year_of_study": 2, "advisor": "st-0001",
                    "date_of_birth": "2006-04-30"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{after}");
    assert_eq!(after["phone"], "+91 98765 43210");
    assert_eq!(after["year_of_study"], 2);
    assert_eq!(after["advisor"], "Asha Rao");
    assert_eq!(after["date_of_birth"], "2006-04-30");
    let fields: Vec<&str> = after["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter_map(|c| c["field"].as_str())
        .collect();
    assert_eq!(fields.len(), 4, "{after}");
    for field in ["phone", "year_of_study", "advisor", "date_of_birth"] {
        assert!(fields.contains(&field), "{field}: {after}");
    }
    // The same values again change nothing and add no history.
    let (_, again) = call(
        &app,
        "PATCH",
        &one,
        &admin,
        Some(json!({"year_of_study": 2})),
    )
    .await;
    assert_eq!(again["changes"].as_array().map(Vec::len), Some(4));

    // A teacher, and the student themself, may not.
    let teacher = token_of(&app, "tess@alpha.edu").await;
    let (status, _) = call(
        &app,
        "PATCH",
        &one,
        &teacher,
        Some(json!({"year_of_study": 3})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(&app, "PATCH", &one, &own, Some(json!({"year_of_study": 3}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "student.changed").count(),
        1,
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_edit_page_gives_a_refused_form_back_and_the_profile_shows_the_changes() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let (student, _) = students(&app, &w, 1).await.remove(0);
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;

    let profile = format!("/students/{student}");
    let page = admin.get(&profile).await;
    assert!(Doc::parse(&page.html).has(&format!("a[href='{profile}/edit']")));
    let form = admin.get(&format!("{profile}/edit")).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let doc = Doc::parse(&form.html);
    let value = |name: &str| doc.attr(&format!("#{name}"), "value").unwrap_or_default();
    let mut fields: Vec<(String, String)> = [
        "student_number",
        "first_name",
        "last_name",
        "date_of_birth",
        "email",
        "phone",
        "admitted_on",
        "year_of_study",
        "advisor",
    ]
    .iter()
    .map(|name| (name.to_string(), value(name)))
    .collect();
    fields.push(("program".into(), "BSC-CS".into()));
    fields.push(("address".into(), "12 Lake Road".into()));
    let with = |changes: &[(&str, &str)]| {
        let mut sent = fields.clone();
        for (name, new) in changes {
            if let Some(field) = sent.iter_mut().find(|(n, _)| n == name) {
                field.1 = new.to_string();
            }
        }
        sent
    };
    let send = |sent: &Vec<(String, String)>, csrf: String| {
        let mut all: Vec<(String, String)> = vec![("_csrf".into(), csrf)];
        all.extend(sent.iter().cloned());
        all
    };
    let refused_fields = send(
        &with(&[("email", "bad@"), ("last_name", "Renamed")]),
        form.csrf(),
    );
    let pairs: Vec<(&str, &str)> = refused_fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let refused = admin.post(&format!("{profile}/edit"), &pairs).await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.html
    );
    let doc = Doc::parse(&refused.html);
    doc.expect_text("#email-error", "email");
    assert_eq!(doc.attr("#last_name", "value").as_deref(), Some("Renamed"));

    let saved_fields = send(
        &with(&[("last_name", "Renamed"), ("year_of_study", "3")]),
        form.csrf(),
    );
    let pairs: Vec<(&str, &str)> = saved_fields
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let saved = admin.post(&format!("{profile}/edit"), &pairs).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let page = admin.get(&profile).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("main .alert-success", "details changed");
    doc.expect_text("h1", "Renamed");
    doc.expect_text("section[aria-labelledby=changes]", "Last name");
}

#[tokio::test]
async fn imported_students_are_given_sign_in_accounts_one_or_all_at_once() {
    let mail = fixtures::mail_dir();
    let app = TestApp::with_settings(&[("CAMPUS_MAIL_DIR", mail.to_str().expect("path"))]).await;
    let w = world(&app, 30).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    let csv = "student_number,first_name,last_name,program,admitted_on,email\n\
               S-101,Ama,One,BSC-CS,2026-07-01,ama@alpha.edu\n\
               S-102,Ben,Two,BSC-CS,2026-07-01,ben@alpha.edu\n\
               S-103,Cai,Three,BSC-CS,2026-07-01,\n";
    let (status, report) = crate::util::api::call_multipart(
        &app,
        "POST",
        "/api/v1/students/import",
        &admin,
        &[("preview", "false")],
        &[("file", "students.csv", csv.as_bytes())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");

    let (status, made) = call(
        &app,
        "POST",
        "/api/v1/students/accounts",
        &admin,
        Some(json!({"program": "NOPE"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{made}");
    let (status, made) = call(
        &app,
        "POST",
        "/api/v1/students/accounts",
        &admin,
        Some(json!({})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(made, json!({"created": 2, "linked": 0, "without_email": 1}));
    let mails = fixtures::delivered_mail(&app, &mail).await;
    assert!(
        mails.iter().any(|m| m.contains("ama@alpha.edu"))
            && mails.iter().any(|m| m.contains("ben@alpha.edu"))
    );
    let (_, made) = call(
        &app,
        "POST",
        "/api/v1/students/accounts",
        &admin,
        Some(json!({})),
    )
    .await;
    assert_eq!(
        made,
        json!({"created": 0, "linked": 0, "without_email": 1}),
        "only the one without email is left"
    );

    // The one without an email: refused by field until the record has one.
    let mut tx = campus::db::begin_for_college(&app.pool, w.college)
        .await
        .expect("tx");
    let cai: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM students WHERE student_number = 'S-103'")
            .fetch_one(&mut *tx)
            .await
            .expect("cai");
    tx.commit().await.expect("commit");
    let give = format!("/api/v1/students/{cai}/account");
    let (status, problem) = call(&app, "POST", &give, &admin, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&problem), ["email"]);
    let (status, _) = call(
        &app,
        "PATCH",
        &format!("/api/v1/students/{cai}"),
        &admin,
        Some(json!({"email": "cai@alpha.edu"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // The profile's button gives it; a second time is refused, said on the profile.
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let profile = browser.get(&format!("/students/{cai}")).await;
    assert!(profile.html.contains(&format!("/students/{cai}/account")));
    let done = browser
        .post(
            &format!("/students/{cai}/account"),
            &[("_csrf", &profile.csrf())],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    let after = browser.get(&format!("/students/{cai}")).await;
    assert!(
        after
            .html
            .contains("Account made; the invitation was mailed."),
        "{}",
        after.html
    );
    assert!(!after.html.contains(&format!("/students/{cai}/account")));
    let (status, _) = call(&app, "POST", &give, &admin, None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let list = browser.get("/students").await;
    assert!(Doc::parse(&list.html).has("form[action='/students/accounts']"));
    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "student.account_given")
            .count(),
        3
    );
}
