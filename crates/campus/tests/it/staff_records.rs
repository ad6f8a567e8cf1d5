//! Staff records kept by the college through the API and the pages: created, edited,
//! marked as left and back, deleted only while nothing refers to them, imported from
//! CSV; wrong input named by field with nothing written; only those who manage staff
//! may change them.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::json;

use crate::util::api::{call, call_multipart, field_errors, id, token_with_code};
use crate::util::fixtures::{self, PASSWORD, TOTP_SECRET};
use crate::util::html::Doc;
use crate::util::world::world;
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn staff_records_are_created_edited_marked_as_left_and_deleted_through_the_api() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;

    let (status, asha) = call(
        &app,
        "POST",
        "/api/v1/staff",
        &admin,
        Some(json!({"staff_number": "st-0042", "first_name": "Asha", "last_name": "Rao",
                    "title": "Associate Professor", "department": "cse", "employment_type": "part_time",
                    "email": "Asha.Rao@alpha.edu", "phone": "+91 98765 43210", "joined_on": "2019-07-01"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{asha}");
    assert_eq!(asha["staff_number"], "ST-0042");
    assert_eq!(asha["department"], "CSE");
    assert_eq!(asha["status"], "active");
    assert_eq!(asha["joined_on"], "2019-07-01");

    for (body, fields) in [
        (
            json!({"staff_number": "ST-0042", "first_name": "Again", "last_name": "Rao"}),
            vec!["staff_number"],
        ),
        (
            json!({"staff_number": "x", "first_name": "", "last_name": "Rao", "email": "not-mail",
                   "phone": "call me", "employment_type": "forever", "joined_on": "July"}),
            vec![
                "staff_number",
                "first_name",
                "employment_type",
                "email",
                "phone",
                "joined_on",
            ],
        ),
        (
            json!({"staff_number": "ST-0043", "first_name": "Ben", "last_name": "Ode", "department": "NOPE"}),
            vec!["department"],
        ),
        (
            json!({"staff_number": "ST-0043", "first_name": "Ben", "last_name": "Ode", "status": "left"}),
            vec!["status"],
        ),
    ] {
        let (status, answer) = call(&app, "POST", "/api/v1/staff", &admin, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
        assert_eq!(field_errors(&answer), fields, "{answer}");
    }

    // A partial edit changes what is sent.
    let one = format!("/api/v1/staff/{}", id(&asha));
    let (status, edited) = call(
        &app,
        "PATCH",
        &one,
        &admin,
        Some(json!({"title": "Professor"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["title"], "Professor");
    assert_eq!(edited["employment_type"], "part_time");

    // Teaching a section, the record is kept: marked as left, not deleted.
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("INSERT INTO section_teachers (college_id, section_id, staff_id) VALUES (app_current_college(), $1, $2)")
        .bind(w.section)
        .bind(uuid::Uuid::parse_str(&id(&asha)).expect("uuid"))
        .execute(&mut *tx)
        .await
        .expect("teacher");
    tx.commit().await.expect("commit");
    let (status, refused) = call(&app, "DELETE", &one, &admin, None).await;
    assert_eq!(status, StatusCode::CONFLICT, "{refused}");
    let detail = refused["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("1 section taught") && detail.contains("Mark them as left"),
        "{refused}"
    );
    let (status, left) = call(&app, "POST", &format!("{one}/left"), &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{left}");
    assert_eq!(left["status"], "left");
    let (_, edited) = call(
        &app,
        "PATCH",
        &one,
        &admin,
        Some(json!({"status": "active", "phone": "+91 11111 22222"})),
    )
    .await;
    assert_eq!(edited["status"], "left", "an edit does not bring them back");
    let (_, back) = call(&app, "POST", &format!("{one}/returned"), &admin, None).await;
    assert_eq!(back["status"], "active");
    let (_, list) = call(&app, "GET", "/api/v1/staff?q=rao", &admin, None).await;
    assert_eq!(list["staff"][0]["title"], "Professor", "{list}");

    // A record nothing refers to is deleted.
    let (status, ben) = call(
        &app,
        "POST",
        "/api/v1/staff",
        &admin,
        Some(json!({"staff_number": "ST-0043", "first_name": "Ben", "last_name": "Ode"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{ben}");
    let (status, _) = call(
        &app,
        "DELETE",
        &format!("/api/v1/staff/{}", id(&ben)),
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Importing: every problem named by line and column, then all rows or none.
    let import = |csv: &'static str, preview: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            call_multipart(
                app,
                "POST",
                "/api/v1/staff/import",
                &admin,
                &[("preview", preview)],
                &[("file", "staff.csv", csv.as_bytes())],
            )
            .await
        }
    };
    let (status, report) = import(
        "staff_number,first_name,last_name,department,employment_type,email,phone\r\n\
         ST-0100,Chitra,Iyer,CSE,Visiting,chitra@alpha.edu,+91 90000 00001\r\n\
         ST-0101,Dev,@Mehta,CSE,full_time,,\r\n\
         ST-0102,Esha,Nair,CSE,Full time,esha@,\r\n",
        "false",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{report}");
    let problems: Vec<(u64, String)> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap_or_default(),
                e["column"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [(3, "last_name".to_string()), (4, "email".to_string())],
        "{report}"
    );
    let (status, report) = import(
        "staff_number,first_name,last_name,department,employment_type,email,phone\n\
         ST-0100,Chitra,Iyer,CSE,Visiting,chitra@alpha.edu,+91 90000 00001\n\
         ST-0042,Asha,Rao,CSE,Full time,asha.rao@alpha.edu,\n",
        "false",
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["created"].clone(), report["updated"].clone()),
        (json!(1), json!(1)),
        "{report}"
    );
    let (_, found) = call(&app, "GET", "/api/v1/staff?q=iyer", &admin, None).await;
    assert_eq!(found["staff"].as_array().map(Vec::len), Some(1), "{found}");

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in [
        "staff.created",
        "staff.changed",
        "staff.left",
        "staff.returned",
        "staff.deleted",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn staff_are_added_and_edited_from_the_pages_by_those_who_manage_them() {
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
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;

    let list = admin.get("/staff").await;
    let doc = Doc::parse(&list.html);
    assert!(doc.has("a[href='/staff/new']") && doc.has("a[href='/staff/import']"));
    let form = admin.get("/staff/new").await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.html);
    let doc = Doc::parse(&form.html);
    doc.expect_text(".breadcrumbs", "Staff");
    let refused = admin
        .post(
            "/staff",
            &[
                ("_csrf", &form.csrf()),
                ("staff_number", "ST-9"),
                ("first_name", "Farah"),
                ("last_name", "Khan"),
                ("email", "farah@"),
                ("employment_type", "contract"),
                ("status", "active"),
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
    doc.expect_text("#email-error", "email");
    assert_eq!(doc.attr("#email", "value").as_deref(), Some("farah@"));
    assert!(doc.has("#employment_type option[value='contract'][selected]"));
    let made = admin
        .post(
            "/staff",
            &[
                ("_csrf", &form.csrf()),
                ("staff_number", "ST-9"),
                ("first_name", "Farah"),
                ("last_name", "Khan"),
                ("email", "farah@alpha.edu"),
                ("employment_type", "contract"),
                ("department", "CSE"),
                ("status", "active"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.html);
    let profile = made.location.clone().expect("the profile");
    let page = admin.get(&profile).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "Farah Khan (ST-9) created",
    );
    doc.expect_text("dl.facts", "Contract");
    assert!(doc.has(&format!("a[href='{profile}/edit']")));

    let edit = admin.get(&format!("{profile}/edit")).await;
    assert_eq!(
        Doc::parse(&edit.html)
            .attr("#last_name", "value")
            .as_deref(),
        Some("Khan")
    );
    let saved = admin
        .post(
            &profile,
            &[
                ("_csrf", &edit.csrf()),
                ("staff_number", "ST-9"),
                ("first_name", "Farah"),
                ("last_name", "Khan-Ali"),
                ("email", "farah@alpha.edu"),
                ("employment_type", "full_time"),
                ("department", "CSE"),
                ("status", "on_leave"),
            ],
        )
        .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.html);
    let page = admin.get(&profile).await;
    Doc::parse(&page.html).expect_text("h1", "Farah Khan-Ali");
    let left = admin
        .post(&format!("{profile}/left"), &[("_csrf", &page.csrf())])
        .await;
    assert_eq!(left.status, StatusCode::SEE_OTHER, "{}", left.html);
    let page = admin.get(&profile).await;
    Doc::parse(&page.html).expect_text("main .alert-success", "is marked as left");

    // A teacher sees the staff but changes nothing.
    let mut teacher = Browser::new(&app);
    teacher.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    let list = teacher.get("/staff").await;
    assert!(!Doc::parse(&list.html).has("a[href='/staff/new']"));
    let refused = teacher
        .post(
            "/staff",
            &[
                ("_csrf", &list.csrf()),
                ("staff_number", "ST-10"),
                ("first_name", "X"),
                ("last_name", "Y"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        teacher.get("/staff/new").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_staff_record_is_given_a_sign_in_account_with_its_roles() {
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
    fixtures::user(
        &app.pool,
        w.college,
        "old.hand@alpha.edu",
        &[Role::Librarian],
    )
    .await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    let mut ids = Vec::new();
    for (number, first, email) in [
        ("ST-1", "Asha", "asha@alpha.edu"),
        ("ST-2", "Bala", ""),
        ("ST-3", "Old", "Old.Hand@alpha.edu"),
    ] {
        let (status, made) = call(
            &app,
            "POST",
            "/api/v1/staff",
            &admin,
            Some(json!({"staff_number": number, "first_name": first, "last_name": "Staff", "email": email})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        ids.push(id(&made));
    }
    let give = |staff: &str, body: serde_json::Value| {
        let (app, admin, uri) = (
            &app,
            admin.clone(),
            format!("/api/v1/staff/{staff}/account"),
        );
        async move { call(app, "POST", &uri, &admin, Some(body)).await }
    };

    let (status, problem) = give(&ids[0], json!({"roles": []})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&problem), ["roles"]);
    let (status, problem) = give(&ids[0], json!({"roles": ["student"]})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(field_errors(&problem), ["roles"]);
    let (status, problem) = give(&ids[1], json!({"roles": ["teacher"]})).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no email on the record"
    );
    assert_eq!(field_errors(&problem), ["email"]);

    let (status, account) = give(&ids[0], json!({"roles": ["teacher", "counselor"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{account}");
    assert_eq!(
        (account["created"].as_bool(), account["invited"].as_bool()),
        (Some(true), Some(true))
    );
    let mails = fixtures::delivered_mail(&app, &mail).await;
    assert!(
        mails.iter().any(|m| m.contains("asha@alpha.edu")),
        "the invitation"
    );
    let (status, _) = give(&ids[0], json!({"roles": ["teacher"]})).await;
    assert_eq!(status, StatusCode::CONFLICT, "an account already");
    let (_, profile) = call(
        &app,
        "GET",
        &format!("/api/v1/staff/{}", ids[0]),
        &admin,
        None,
    )
    .await;
    assert_eq!(profile["user_id"], account["user_id"], "{profile}");
    let mut roles = profile["roles"].as_array().expect("roles").clone();
    roles.sort_by_key(|r| r.as_str().unwrap_or_default().to_string());
    assert_eq!(roles, [json!("counselor"), json!("teacher")]);

    // An existing account with the record's email is linked and given the roles.
    let (status, linked) = give(&ids[2], json!({"roles": ["teacher"], "invite": false})).await;
    assert_eq!(status, StatusCode::CREATED, "{linked}");
    assert_eq!(linked["created"], false);
    let (_, profile) = call(
        &app,
        "GET",
        &format!("/api/v1/staff/{}", ids[2]),
        &admin,
        None,
    )
    .await;
    let roles = profile["roles"].to_string();
    assert!(
        roles.contains("librarian") && roles.contains("teacher"),
        "{roles}"
    );

    // The page: the form, a refusal by field, then done.
    let (status, _) = call(
        &app,
        "PATCH",
        &format!("/api/v1/staff/{}", ids[1]),
        &admin,
        Some(json!({"email": "bala@alpha.edu"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let profile = browser.get(&format!("/staff/{}", ids[1])).await;
    assert!(profile.html.contains(&format!("/staff/{}/account", ids[1])));
    let form = browser.get(&format!("/staff/{}/account", ids[1])).await;
    assert_eq!(form.status, StatusCode::OK);
    let refused = browser
        .post(
            &format!("/staff/{}/account", ids[1]),
            &[("_csrf", &form.csrf())],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(Doc::parse(&refused.html).has(".error-summary"));
    let done = browser
        .post(
            &format!("/staff/{}/account", ids[1]),
            &[
                ("_csrf", &form.csrf()),
                ("roles", "teacher"),
                ("invite", "yes"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "staff.account_given")
            .count(),
        3
    );
}

#[tokio::test]
async fn staff_identity_cards_are_issued_verified_and_replaced() {
    let app = TestApp::new().await;
    let w = world(&app, 30).await;
    fixtures::user(
        &app.pool,
        w.college,
        "admin@alpha.edu",
        &[Role::CollegeAdmin],
    )
    .await;
    let admin = token_with_code(&app, "alpha", "admin@alpha.edu", PASSWORD, TOTP_SECRET).await;
    let (status, asha) = call(
        &app,
        "POST",
        "/api/v1/staff",
        &admin,
        Some(
            json!({"staff_number": "ST-7", "first_name": "Asha", "last_name": "Rao",
                    "title": "Librarian", "department": "CSE"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{asha}");
    let staff = id(&asha);
    let card = format!("/api/v1/staff/{staff}/id-card");
    let (status, kind, pdf, _) = crate::util::api::issue(&app, &card, &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(kind, "application/pdf");
    assert!(pdf.starts_with(b"%PDF"));
    let codes = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            let mut tx = begin_for_college(&pool, w.college).await.expect("tx");
            let codes: Vec<String> = sqlx::query_scalar(
                "SELECT code FROM issued_documents WHERE kind = 'staff_id_card' ORDER BY issued_at",
            )
            .fetch_all(&mut *tx)
            .await
            .expect("codes");
            tx.commit().await.expect("commit");
            codes
        }
    };
    let first = codes(&app).await;
    let page =
        crate::util::app::body_text(app.get(&format!("/c/alpha/verify/{}", first[0])).await).await;
    assert!(
        page.contains("Staff identity card") && page.contains("ST-7") && page.contains("Genuine"),
        "{page}"
    );

    // A new card replaces the old; one who has left gets none.
    let (status, _, _, _) = crate::util::api::issue(&app, &card, &admin).await;
    assert_eq!(status, StatusCode::OK);
    let page =
        crate::util::app::body_text(app.get(&format!("/c/alpha/verify/{}", first[0])).await).await;
    assert!(page.contains("replaced by a newer card"), "{page}");
    assert_eq!(codes(&app).await.len(), 2);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/staff/{staff}/left"),
        &admin,
        None,
    )
    .await;
    assert!(status.is_success(), "{status}");
    let (status, _, _, _) = crate::util::api::issue(&app, &card, &admin).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "document.issued").count(),
        2
    );
}
