//! User administration: creating and inviting, roles, deactivation, CSV import, custom
//! roles, through the pages and the API; and password recovery by mail.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use serde_json::{Value, json};

use crate::util::api::{call, token_with_code};
use crate::util::fixtures::{self, PASSWORD, audit_actions, delivered_mail, link_token, mail_dir};
use crate::util::html::Doc;
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn an_admin_invites_a_user_who_chooses_a_password_and_signs_in() {
    let mail = mail_dir();
    let app = TestApp::with_settings(&[("CAMPUS_MAIL_DIR", mail.to_str().expect("path"))]).await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let mut admin = Browser::new(&app);
    admin.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;

    let form = admin.get("/admin/users/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf();
    let created = admin
        .post(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("email", "New.Teacher@Alpha.edu"),
                ("display_name", "Nia Teacher"),
                ("roles", "teacher"),
                ("roles", "counselor"),
                ("invite", "on"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.html);
    let page = admin
        .get(created.location.as_deref().expect("location"))
        .await;
    let doc = Doc::parse(&page.html);
    doc.expect_text(".page-header .lead", "new.teacher@alpha.edu");
    assert_eq!(doc.text(".page-header .lead .badge"), "Invited");
    doc.expect_text(
        "main .alert-success[role=status]",
        "Account created for new.teacher@alpha.edu; an invitation was mailed",
    );

    // The same email again is a field error and writes nothing.
    let again = admin
        .post(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("email", "new.teacher@alpha.edu"),
                ("display_name", "Twin"),
            ],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    Doc::parse(&again.html).expect_text("#email-error", "another account has this email");

    let mails = delivered_mail(&app, &mail).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("new.teacher@alpha.edu"));
    let token = link_token(&mails[0]);

    // A link to a mistyped address dies when the address is corrected.
    let typo = admin
        .post(
            "/admin/users",
            &[
                ("_csrf", &csrf),
                ("email", "typo@gmial.com"),
                ("display_name", "Ty Po"),
                ("invite", "on"),
            ],
        )
        .await;
    let typo_id = typo
        .location
        .clone()
        .expect("location")
        .trim_start_matches("/admin/users/")
        .split('?')
        .next()
        .expect("id")
        .to_string();
    std::fs::remove_dir_all(&mail).ok();
    let typo_token = link_token(&delivered_mail(&app, &mail).await[0]);
    let fix = admin.get(&format!("/admin/users/{typo_id}")).await;
    let fixed = admin
        .post(
            &format!("/admin/users/{typo_id}"),
            &[
                ("_csrf", &fix.csrf()),
                ("display_name", "Ty Po"),
                ("email", "typo@gmail.com"),
            ],
        )
        .await;
    assert_eq!(fixed.status, StatusCode::SEE_OTHER, "{}", fixed.html);
    assert_eq!(
        Browser::new(&app)
            .get(&format!("/invite?token={typo_token}"))
            .await
            .status,
        StatusCode::GONE,
        "the old link still works"
    );

    let mut newcomer = Browser::new(&app);
    let accept = newcomer.get(&format!("/invite?token={token}")).await;
    assert_eq!(accept.status, StatusCode::OK, "{}", accept.html);
    let csrf = accept.csrf();
    let weak = newcomer
        .post(
            "/invite",
            &[
                ("_csrf", &csrf),
                ("token", &token),
                ("new", "teacher123"),
                ("confirm", "teacher123"),
            ],
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = newcomer
        .post(
            "/invite",
            &[
                ("_csrf", &csrf),
                ("token", &token),
                ("new", "amber canyon whistle parade"),
                ("confirm", "amber canyon whistle parade"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(
        done.location.as_deref(),
        Some("/dashboard"),
        "accepting signs in"
    );
    let used = newcomer.get(&format!("/invite?token={token}")).await;
    assert_eq!(used.status, StatusCode::GONE, "an invitation worked twice");

    let mut newcomer = Browser::new(&app);
    let signed_in = newcomer
        .sign_in(
            "alpha",
            "new.teacher@alpha.edu",
            "amber canyon whistle parade",
        )
        .await;
    assert_eq!(signed_in.status, StatusCode::SEE_OTHER);
    let dashboard = newcomer.get("/dashboard").await;
    let doc = Doc::parse(&dashboard.html);
    doc.expect_text(".page-header .lead", "Teacher");
    doc.expect_text(".page-header .lead", "Counselor");

    let actions = audit_actions(&app.pool, college).await;
    for expected in ["user.created", "user.invited", "user.invite_accepted"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} not audited: {actions:?}"
        );
    }
    std::fs::remove_dir_all(mail).ok();
}

#[tokio::test]
async fn roles_cannot_be_raised_by_those_without_the_right() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let admin_id =
        fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let teacher_id = fixtures::user(&app.pool, college, "t@alpha.edu", &[Role::Teacher]).await;

    // A teacher gives themselves the admin role: refused, audited, unchanged.
    let teacher = token_with_code(
        &app,
        "alpha",
        "t@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/users/{teacher_id}/roles"),
        &teacher,
        Some(json!({"roles": ["college_admin"]})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "t@alpha.edu", PASSWORD).await;
    assert_eq!(
        browser.get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );

    // Even an admin cannot change their own roles.
    let admin = token_with_code(
        &app,
        "alpha",
        "admin@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/users/{admin_id}/roles"),
        &admin,
        Some(json!({"roles": ["teacher"]})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, problem) = call(
        &app,
        "PUT",
        &format!("/api/v1/users/{teacher_id}/roles"),
        &admin,
        Some(json!({"roles": ["wizard"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "roles");

    // An admin changes the teacher's roles: the teacher's sessions and tokens end.
    let (status, user) = call(
        &app,
        "PUT",
        &format!("/api/v1/users/{teacher_id}/roles"),
        &admin,
        Some(json!({"roles": ["teacher", "librarian"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(user["roles"], json!(["librarian", "teacher"]));
    assert_eq!(
        browser.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "old session kept new privileges"
    );
    let (status, _) = call(&app, "GET", "/api/v1/users/me", &teacher, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let actions = audit_actions(&app.pool, college).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "authz.denied").count(),
        2,
        "{actions:?}"
    );
    assert!(actions.iter().any(|a| a == "user.roles_changed"));
}

#[tokio::test]
async fn deactivated_users_are_signed_out_and_cannot_sign_in() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let admin_id =
        fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let user_id = fixtures::user(&app.pool, college, "t@alpha.edu", &[Role::Teacher]).await;
    let mut teacher = Browser::new(&app);
    teacher.sign_in("alpha", "t@alpha.edu", PASSWORD).await;
    let admin = token_with_code(
        &app,
        "alpha",
        "admin@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;

    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/users/{admin_id}"),
        &admin,
        Some(json!({"status": "deactivated"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an admin deactivated themselves"
    );
    let (status, user) = call(
        &app,
        "PUT",
        &format!("/api/v1/users/{user_id}"),
        &admin,
        Some(json!({"status": "deactivated", "display_name": "  Tara T.  "})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{user}");
    assert_eq!(user["display_name"], "Tara T.");
    assert_eq!(
        teacher.get("/dashboard").await.status,
        StatusCode::SEE_OTHER
    );
    let mut again = Browser::new(&app);
    assert_eq!(
        again.sign_in("alpha", "t@alpha.edu", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_csv_import_checks_every_row_and_writes_all_or_nothing() {
    let mail = mail_dir();
    let app = TestApp::with_settings(&[("CAMPUS_MAIL_DIR", mail.to_str().expect("path"))]).await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let admin = token_with_code(
        &app,
        "alpha",
        "admin@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;

    let bad = "email,name,roles\nada@alpha.edu,Ada,teacher\nnot-an-email,Bob,teacher\ncy@alpha.edu,Cy,wizard\nada@alpha.edu,Ada Again,\nadmin@alpha.edu,Dup,\n";
    let (status, report) = call(
        &app,
        "POST",
        "/api/v1/users/import",
        &admin,
        Some(json!({"csv": bad, "dry_run": false})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(report["invalid"], 4);
    assert_eq!(report["created"], 0);
    let errors: Vec<String> = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["errors"].to_string())
        .collect();
    assert!(errors[1].contains("email"));
    assert!(errors[2].contains("wizard"));
    assert!(errors[3].contains("repeats line 2"));
    assert!(errors[4].contains("another account"));
    let (_, users) = call(&app, "GET", "/api/v1/users", &admin, None).await;
    assert_eq!(
        users.as_array().expect("users").len(),
        1,
        "a failed import wrote rows"
    );

    let good =
        "email,name,roles\nada@alpha.edu,Ada,teacher\nbo@alpha.edu,Bo,student;student_organizer\n";
    let (status, dry) = call(
        &app,
        "POST",
        "/api/v1/users/import",
        &admin,
        Some(json!({"csv": good})),
    )
    .await;
    assert_eq!((status, dry["created"].as_i64()), (StatusCode::OK, Some(0)));
    let (status, done) = call(
        &app,
        "POST",
        "/api/v1/users/import",
        &admin,
        Some(json!({"csv": good, "dry_run": false})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["created"], 2);
    let (_, users) = call(&app, "GET", "/api/v1/users?status=invited", &admin, None).await;
    assert_eq!(users.as_array().expect("users").len(), 2);
    assert_eq!(
        delivered_mail(&app, &mail).await.len(),
        2,
        "each imported user is invited"
    );

    // The same through the page: a check, then the import.
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "admin@alpha.edu", PASSWORD).await;
    let form = browser.get("/admin/users/import").await;
    let csrf = form.csrf();
    let checked = browser
        .post(
            "/admin/users/import",
            &[
                ("_csrf", &csrf),
                ("csv", "email,name,roles\ncy@alpha.edu,Cy,librarian\n"),
                ("mode", "check"),
            ],
        )
        .await;
    assert_eq!(checked.status, StatusCode::OK);
    assert_eq!(
        Doc::parse(&checked.html).text("button[name=mode][value=commit]"),
        "Import 1 users"
    );
    let imported = browser
        .post(
            "/admin/users/import",
            &[
                ("_csrf", &csrf),
                ("csv", "email,name,roles\ncy@alpha.edu,Cy,librarian\n"),
                ("mode", "commit"),
            ],
        )
        .await;
    assert_eq!(imported.status, StatusCode::SEE_OTHER, "{}", imported.html);
    let to = imported.location.clone().expect("location");
    assert_eq!(to, "/admin/users?status=invited");
    let invited = browser.get(&to).await;
    let doc = Doc::parse(&invited.html);
    doc.expect_text(
        "main .alert-success[role=status]",
        "1 account was created and invited",
    );
    doc.expect_text("table tbody td[data-label=Email]", "cy@alpha.edu");
    std::fs::remove_dir_all(mail).ok();
}

#[tokio::test]
async fn a_custom_role_grants_exactly_its_permissions() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let clerk = fixtures::user(&app.pool, college, "clerk@alpha.edu", &[]).await;
    let admin = token_with_code(
        &app,
        "alpha",
        "admin@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;

    let (status, problem) = call(
        &app,
        "POST",
        "/api/v1/roles",
        &admin,
        Some(json!({"label": "Exam cell", "permissions": ["students.read:everywhere"]})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let (status, role) = call(&app, "POST", "/api/v1/roles", &admin, Some(json!({"label": "Exam cell", "permissions": ["students.read:college", "audit.read:college"]}))).await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    assert_eq!(role["name"], "custom_exam_cell");
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/users/{clerk}/roles"),
        &admin,
        Some(json!({"roles": ["custom_exam_cell"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let clerk_token = token_with_code(
        &app,
        "alpha",
        "clerk@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;
    let (_, me) = call(&app, "GET", "/api/v1/users/me", &clerk_token, None).await;
    let grants: Vec<String> = me["permissions"]
        .as_array()
        .expect("grants")
        .iter()
        .map(|g| {
            format!(
                "{}:{}",
                g["permission"].as_str().unwrap_or(""),
                g["scope"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(grants, ["audit.read:college", "students.read:college"]);
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "clerk@alpha.edu", PASSWORD).await;
    assert_eq!(browser.get("/admin/audit").await.status, StatusCode::OK);
    assert_eq!(
        browser.get("/admin/users").await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn users_of_another_college_are_not_found() {
    let app = TestApp::new().await;
    let alpha = fixtures::college(&app.pool, "alpha").await;
    let beta = fixtures::college(&app.pool, "beta").await;
    fixtures::user(&app.pool, alpha, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let stranger = fixtures::user(&app.pool, beta, "someone@beta.edu", &[Role::Teacher]).await;
    let admin = token_with_code(
        &app,
        "alpha",
        "admin@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;
    for (method, uri, body) in [
        ("GET", format!("/api/v1/users/{stranger}"), None),
        (
            "PUT",
            format!("/api/v1/users/{stranger}"),
            Some(json!({"status": "deactivated"})),
        ),
        (
            "PUT",
            format!("/api/v1/users/{stranger}/roles"),
            Some(json!({"roles": ["teacher"]})),
        ),
        ("POST", format!("/api/v1/users/{stranger}/invite"), None),
    ] {
        let (status, _) = call(&app, method, &uri, &admin, body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {uri}");
    }
    let (_, list) = call(&app, "GET", "/api/v1/users?q=beta", &admin, None).await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_mail_once() {
    let mail = mail_dir();
    let app = TestApp::with_settings(&[("CAMPUS_MAIL_DIR", mail.to_str().expect("path"))]).await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "t@alpha.edu", &[Role::Teacher]).await;
    let mut old_session = Browser::new(&app);
    old_session.sign_in("alpha", "t@alpha.edu", PASSWORD).await;
    // A stranger who knows the address locks the account by guessing...
    let mut stranger = Browser::new(&app);
    for _ in 0..6 {
        stranger
            .sign_in_password_only("alpha", "t@alpha.edu", "wrong guess here")
            .await;
    }
    let mut owner = Browser::new(&app);
    assert_eq!(
        owner.sign_in("alpha", "t@alpha.edu", PASSWORD).await.status,
        StatusCode::UNAUTHORIZED,
        "a locked account refuses even the right password"
    );

    // ...but the owner gets in through the mailed link.
    let mut browser = Browser::new(&app);
    let form = browser.get("/password/forgot?college=alpha").await;
    let csrf = form.csrf();
    let unknown = browser
        .post(
            "/password/forgot",
            &[
                ("_csrf", &csrf),
                ("college", "alpha"),
                ("email", "ghost@alpha.edu"),
            ],
        )
        .await;
    let known = browser
        .post(
            "/password/forgot",
            &[
                ("_csrf", &csrf),
                ("college", "alpha"),
                ("email", "T@alpha.edu"),
            ],
        )
        .await;
    // Both are answered alike: back to the college's sign-in page, which says a link may
    // be on its way.
    assert_eq!(unknown.status, known.status);
    assert_eq!(unknown.status, StatusCode::SEE_OTHER);
    assert_eq!(unknown.location, known.location);
    assert_eq!(unknown.location.as_deref(), Some("/c/alpha/login"));
    let said = browser.get("/c/alpha/login").await;
    Doc::parse(&said.html).expect_text(
        "main .alert-success[role=status]",
        "a link to choose a new password is on its way",
    );
    let mails = delivered_mail(&app, &mail).await;
    assert_eq!(
        mails.len(),
        1,
        "mail for an unknown account, or none for a known one"
    );
    let token = link_token(&mails[0]);

    let reset = browser.get(&format!("/password/reset?token={token}")).await;
    assert_eq!(reset.status, StatusCode::OK);
    let csrf = reset.csrf();
    let done = browser
        .post(
            "/password/reset",
            &[
                ("_csrf", &csrf),
                ("token", &token),
                ("new", "silver otter lantern quay"),
                ("confirm", "silver otter lantern quay"),
            ],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location.as_deref(), Some("/dashboard"));
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::OK);
    // The stranger guessing on changes nothing for the owner's session.
    for _ in 0..6 {
        stranger
            .sign_in_password_only("alpha", "t@alpha.edu", "wrong guess again")
            .await;
    }
    assert_eq!(browser.get("/dashboard").await.status, StatusCode::OK);
    let mut other = Browser::new(&app);
    let csrf = other.get("/password/forgot?college=alpha").await.csrf();
    let twice = other
        .post(
            "/password/reset",
            &[
                ("_csrf", &csrf),
                ("token", &token),
                ("new", "another fine long phrase"),
                ("confirm", "another fine long phrase"),
            ],
        )
        .await;
    assert_eq!(twice.status, StatusCode::GONE, "a reset link worked twice");
    assert_eq!(
        old_session.get("/dashboard").await.status,
        StatusCode::SEE_OTHER,
        "a reset kept old sessions"
    );
    std::fs::remove_dir_all(mail).ok();
}

#[tokio::test]
async fn a_changed_email_is_confirmed_by_a_mailed_link() {
    let mail = mail_dir();
    let app = TestApp::with_settings(&[("CAMPUS_MAIL_DIR", mail.to_str().expect("path"))]).await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    let user = fixtures::user(&app.pool, college, "old@alpha.edu", &[Role::Teacher]).await;
    let admin = token_with_code(
        &app,
        "alpha",
        "admin@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;
    let (status, body) = call(
        &app,
        "PUT",
        &format!("/api/v1/users/{user}"),
        &admin,
        Some(json!({"email": "New@Alpha.edu"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["email"], "new@alpha.edu");
    let mails = delivered_mail(&app, &mail).await;
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains("new@alpha.edu"));
    let token = link_token(&mails[0]);
    let mut browser = Browser::new(&app);
    let page = browser
        .get(&format!("/account/verify-email?token={token}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(Doc::parse(&page.html).text("h1"), "Email address confirmed");
    assert_eq!(
        browser
            .get(&format!("/account/verify-email?token={token}"))
            .await
            .status,
        StatusCode::GONE
    );
    let actions = audit_actions(&app.pool, college).await;
    assert!(actions.contains(&"user.email_verified".to_string()));
    std::fs::remove_dir_all(mail).ok();
}

#[tokio::test]
async fn the_user_list_pages_by_keyset_and_by_offset_alike() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    fixtures::user(&app.pool, college, "admin@alpha.edu", &[Role::CollegeAdmin]).await;
    for n in 0..7 {
        fixtures::user(
            &app.pool,
            college,
            &format!("user{n}@alpha.edu"),
            &[Role::Student],
        )
        .await;
    }
    let admin = token_with_code(
        &app,
        "alpha",
        "admin@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;
    let emails = |page: &Value| -> Vec<String> {
        page.as_array()
            .expect("a page")
            .iter()
            .map(|u| u["email"].as_str().expect("email").to_string())
            .collect()
    };
    let mut by_keyset = Vec::new();
    let mut uri = "/api/v1/users?limit=3".to_string();
    loop {
        let (status, page) = call(&app, "GET", &uri, &admin, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let page = emails(&page);
        let Some(last) = page.last().cloned() else {
            break;
        };
        by_keyset.extend(page);
        uri = format!("/api/v1/users?limit=3&after={}", last.replace('@', "%40"));
    }
    let mut by_offset = Vec::new();
    for offset in (0..9).step_by(3) {
        let (_, page) = call(
            &app,
            "GET",
            &format!("/api/v1/users?limit=3&offset={offset}"),
            &admin,
            None,
        )
        .await;
        by_offset.extend(emails(&page));
    }
    assert_eq!(by_keyset.len(), 8);
    assert_eq!(by_keyset, by_offset);
    let mut sorted = by_keyset.clone();
    sorted.sort();
    assert_eq!(by_keyset, sorted);

    // Filters apply to keyset pages too; both ways of paging at once is refused.
    let (_, students) = call(
        &app,
        "GET",
        "/api/v1/users?role=student&after=user2%40alpha.edu",
        &admin,
        None,
    )
    .await;
    assert_eq!(
        emails(&students),
        ["user3", "user4", "user5", "user6"].map(|u| format!("{u}@alpha.edu"))
    );
    let (status, _) = call(
        &app,
        "GET",
        "/api/v1/users?offset=3&after=user2%40alpha.edu",
        &admin,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_deactivated_or_demoted_user_loses_a_remembered_session_at_once() {
    let app = TestApp::new().await;
    let college = fixtures::college(&app.pool, "alpha").await;
    let teacher = fixtures::user(&app.pool, college, "t@alpha.edu", &[Role::Teacher]).await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "t@alpha.edu", PASSWORD).await;
    // Twice: the second is served from the cache.
    for _ in 0..2 {
        assert_eq!(browser.get("/dashboard").await.status, StatusCode::OK);
    }
    let unknown = format!("/sessions/{}/mark", uuid::Uuid::new_v4());
    assert_eq!(browser.get(&unknown).await.status, StatusCode::NOT_FOUND);
    assert!(
        !app.state.principals.is_empty(),
        "the session was not remembered"
    );
    let api_token = token_with_code(
        &app,
        "alpha",
        "t@alpha.edu",
        PASSWORD,
        fixtures::TOTP_SECRET,
    )
    .await;
    let (status, _) = call(&app, "GET", "/api/v1/users/me", &api_token, None).await;
    assert_eq!(status, StatusCode::OK);

    // A role withdrawn straight in the database (another server, a script) is heard.
    let mut tx = campus::db::begin_for_college(&app.pool, college)
        .await
        .expect("tx");
    sqlx::query("DELETE FROM role_assignments WHERE user_id = $1")
        .bind(teacher)
        .execute(&mut *tx)
        .await
        .expect("withdraw");
    tx.commit().await.expect("commit");
    let mark = browser
        .get(&format!("/sessions/{}/mark", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(
        mark.status,
        StatusCode::FORBIDDEN,
        "a withdrawn role still worked"
    );

    // So is a deactivation: neither the session nor the token works any more.
    let mut tx = campus::db::begin_for_college(&app.pool, college)
        .await
        .expect("tx");
    sqlx::query("UPDATE users SET status = 'deactivated' WHERE id = $1")
        .bind(teacher)
        .execute(&mut *tx)
        .await
        .expect("deactivate");
    tx.commit().await.expect("commit");
    let page = browser.get("/dashboard").await;
    assert_ne!(
        page.status,
        StatusCode::OK,
        "a deactivated user's session still works"
    );
    let (status, _) = call(&app, "GET", "/api/v1/users/me", &api_token, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
