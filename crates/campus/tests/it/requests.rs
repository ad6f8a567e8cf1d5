//! Requests: a student's leave goes to their advisor then the registrar and, granted,
//! excuses the classes it covers; staff leave goes to the principal; nobody approves
//! their own. Tickets are numbered, kept to their requester and those who handle them,
//! and their pages follow every change live.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use futures_util::StreamExt;
use serde_json::json;

use crate::util::api::{call, id};
use crate::util::fixtures::{self, PASSWORD};
use crate::util::html::Doc;
use crate::util::world::{Class, class, same_password, token_of, world};
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn leave_passes_its_approval_chain_and_excuses_the_classes_it_covers() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people,
        outsider,
        tess,
        other,
    } = class(&app, &w, 1).await;
    let (student, student_token) = people[0].clone();
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    // Tess advises the student; yesterday's class was marked absent.
    let today = time::OffsetDateTime::now_utc().date();
    let yesterday = (today - time::Duration::days(1)).to_string();
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE students SET advisor_staff_id = (SELECT id FROM staff WHERE staff_number = 'ST9') WHERE id = $1")
        .bind(student)
        .execute(&mut *tx)
        .await
        .expect("advisor");
    tx.commit().await.expect("commit");
    let (status, session) = call(
        &app,
        "POST",
        &format!("/api/v1/sections/{}/sessions", w.section),
        &tess,
        Some(json!({"held_on": yesterday, "starts": "09:00", "ends": "10:00"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{session}");
    let session = id(&session);
    let (status, _) = call(
        &app,
        "PUT",
        &format!("/api/v1/sessions/{session}/attendance"),
        &tess,
        Some(json!({"marks": [{"student_id": student, "status": "absent"}]})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Bad requests are refused.
    for (body, why) in [
        (
            json!({"starts_on": yesterday, "ends_on": "2020-01-01", "reason": "Fever"}),
            "ends before it starts",
        ),
        (
            json!({"starts_on": "2020-01-01", "ends_on": "2020-01-02", "reason": "Fever"}),
            "long past",
        ),
        (
            json!({"starts_on": yesterday, "ends_on": yesterday, "reason": ""}),
            "no reason",
        ),
    ] {
        let (status, _) = call(&app, "POST", "/api/v1/me/leave", &student_token, Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
    }
    let (status, leave) = call(
        &app,
        "POST",
        "/api/v1/me/leave",
        &student_token,
        Some(json!({"starts_on": yesterday, "ends_on": today.to_string(), "reason": "Fever; doctor's note attached at the office"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{leave}");
    let leave = id(&leave);
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/me/leave",
        &student_token,
        Some(json!({"starts_on": today.to_string(), "ends_on": today.to_string(), "reason": "Again the same days"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "overlapping leave");

    // The registrar cannot skip the advisor; another teacher is not the advisor.
    let decide = format!("/api/v1/leave/{leave}/decision");
    let (_, waiting) = call(&app, "GET", "/api/v1/leave/waiting", &registrar, None).await;
    assert_eq!(waiting, json!([]), "not the registrar's turn yet");
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &registrar,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &other,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &student_token,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "students do not approve");
    let (_, waiting) = call(&app, "GET", "/api/v1/leave/waiting", &tess, None).await;
    assert_eq!(waiting.as_array().expect("list").len(), 1);
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &tess,
        Some(json!({"decision": "approve", "comment": "Get well"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &tess,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the advisor's stage is done");
    let (_, mine) = call(&app, "GET", "/api/v1/me/leave", &student_token, None).await;
    assert_eq!(mine[0]["status"], "pending");
    assert_eq!(mine[0]["decisions"][0]["approver"], "advisor");
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &registrar,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, mine) = call(&app, "GET", "/api/v1/me/leave", &student_token, None).await;
    assert_eq!(mine[0]["status"], "approved", "{mine}");
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let mark: String = sqlx::query_scalar(
        "SELECT status FROM attendance WHERE session_id = $1::uuid AND student_id = $2",
    )
    .bind(&session)
    .bind(student)
    .fetch_one(&mut *tx)
    .await
    .expect("mark");
    tx.commit().await.expect("commit");
    assert_eq!(mark, "excused");
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/leave/{leave}/cancel"),
        &student_token,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "granted leave is not withdrawn"
    );

    // Staff leave goes to the principal; the principal's own goes to an admin.
    fixtures::user(&app.pool, w.college, "head@alpha.edu", &[Role::Principal]).await;
    let code = fixtures::next_code("head@alpha.edu", fixtures::TOTP_SECRET);
    let (_, login) =
        crate::util::api::login(&app, "alpha", "head@alpha.edu", PASSWORD, Some(&code)).await;
    let head = login["access_token"].as_str().expect("token").to_string();
    let (status, staff_leave) = call(
        &app,
        "POST",
        "/api/v1/me/leave",
        &tess,
        Some(json!({"starts_on": today.to_string(), "ends_on": today.to_string(), "reason": "Conference talk"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/leave/{}/decision", id(&staff_leave)),
        &registrar,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/leave/{}/decision", id(&staff_leave)),
        &head,
        Some(json!({"decision": "reject"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a rejection says why"
    );
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/leave/{}/decision", id(&staff_leave)),
        &head,
        Some(json!({"decision": "reject", "comment": "Exams that week"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, own) = call(
        &app,
        "POST",
        "/api/v1/me/leave",
        &head,
        Some(json!({"starts_on": today.to_string(), "ends_on": today.to_string(), "reason": "Family wedding"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/leave/{}/decision", id(&own)),
        &head,
        Some(json!({"decision": "approve"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nobody approves their own");
    let _ = outsider;
    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in ["leave.requested", "leave.approved", "leave.rejected"] {
        assert!(actions.iter().any(|a| a == action), "{action}");
    }
}

#[tokio::test]
async fn tickets_stay_with_their_requester_and_their_pages_follow_changes_live() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people, outsider, ..
    } = class(&app, &w, 1).await;
    let (_, student_token) = people[0].clone();
    fixtures::user(&app.pool, w.college, "warden@alpha.edu", &[Role::Warden]).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let warden = token_of(&app, "warden@alpha.edu").await;

    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/tickets",
        &student_token,
        Some(json!({"category": "plumbing", "title": "", "body": ""})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"].as_array().expect("errors").len(),
        3,
        "{body}"
    );
    let (status, first) = call(
        &app,
        "POST",
        "/api/v1/tickets",
        &student_token,
        Some(json!({"category": "hostel", "title": "Leaking tap", "body": "Room 204 tap drips all night.", "location": "Block B, 204"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(first["number"], 1);
    let (_, second) = call(
        &app,
        "POST",
        "/api/v1/tickets",
        &outsider[0].1,
        Some(json!({"category": "it", "title": "Wi-Fi down", "body": "No signal in the library."})),
    )
    .await;
    assert_eq!(second["number"], 2);
    let ticket = id(&first);

    // Kept to the requester and those who handle tickets.
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/tickets/{ticket}"),
        &outsider[0].1,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/tickets/{ticket}/comments"),
        &outsider[0].1,
        Some(json!({"body": "me too"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, mine) = call(&app, "GET", "/api/v1/tickets", &student_token, None).await;
    assert_eq!(mine.as_array().expect("list").len(), 1);
    let (_, all) = call(&app, "GET", "/api/v1/tickets?status=open", &warden, None).await;
    assert_eq!(all.as_array().expect("list").len(), 2);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/tickets/{ticket}/update"),
        &student_token,
        Some(json!({"status": "closed"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The requester's page hears of the warden's changes.
    same_password(&app, &w, "s0@alpha.edu", "warden@alpha.edu").await;
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "s0@alpha.edu", PASSWORD).await;
    let page = browser.get(&format!("/tickets/{ticket}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    doc.expect_text("h1", "Leaking tap");
    doc.expect_text("#ticket > section.card > p:first-child", "not assigned yet");
    let response = browser.follow(&format!("/tickets/{ticket}/events")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let mut events = response.into_body().into_data_stream();
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/tickets/{ticket}/update"),
        &warden,
        Some(json!({"assignee_email": "s1@alpha.edu"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a student does not handle tickets"
    );
    let mut heard = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !heard.contains("event: changed") {
        assert!(tokio::time::Instant::now() < deadline, "no event: {heard}");
        let (status, _) = call(
            &app,
            "POST",
            &format!("/api/v1/tickets/{ticket}/comments"),
            &warden,
            Some(json!({"body": "Plumber booked for tomorrow."})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        if let Ok(Some(Ok(chunk))) =
            tokio::time::timeout(std::time::Duration::from_millis(500), events.next()).await
        {
            heard.push_str(&String::from_utf8_lossy(&chunk));
        }
    }
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/tickets/{ticket}/update"),
        &warden,
        Some(json!({"status": "in_progress", "assignee_email": "warden@alpha.edu"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let page = browser.get(&format!("/tickets/{ticket}")).await;
    let doc = Doc::parse(&page.html);
    let thread = "section[aria-labelledby=thread] article";
    doc.expect_text(&format!("{thread} p.prewrap"), "Plumber booked");
    doc.expect_text(&format!("{thread} em"), "Status: open → in progress");
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/tickets/{ticket}/update"),
        &warden,
        Some(json!({"status": "closed"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/tickets/{ticket}/comments"),
        &student_token,
        Some(json!({"body": "Still dripping"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "closed");
}

/// A college's own role that handles tickets within a narrower scope sees and changes
/// only the tickets assigned to its holder; a college-wide handler, all of them.
#[tokio::test]
async fn a_narrower_ticket_role_handles_only_its_own_tickets() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, .. } = class(&app, &w, 1).await;
    let (_, student_token) = people[0].clone();
    fixtures::user(&app.pool, w.college, "warden@alpha.edu", &[Role::Warden]).await;
    let fixer = fixtures::user(&app.pool, w.college, "fixer@alpha.edu", &[]).await;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::raw_sql(
        "INSERT INTO custom_roles (college_id, name, label, permissions) \
           VALUES (app_current_college(), 'custom_fixer', 'Fixer', '{tickets.manage:own}');",
    )
    .execute(&mut *tx)
    .await
    .expect("role");
    sqlx::query(
        "INSERT INTO role_assignments (college_id, user_id, role) VALUES (app_current_college(), $1, 'custom_fixer')",
    )
    .bind(fixer)
    .execute(&mut *tx)
    .await
    .expect("assign");
    tx.commit().await.expect("commit");
    let warden = token_of(&app, "warden@alpha.edu").await;
    let fixer_token = token_of(&app, "fixer@alpha.edu").await;
    let mut tickets = Vec::new();
    for title in ["Leaking tap", "Broken window"] {
        let (status, body) = call(
            &app,
            "POST",
            "/api/v1/tickets",
            &student_token,
            Some(json!({"category": "hostel", "title": title, "body": "Please fix it."})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        tickets.push(id(&body));
    }
    // The warden (college-wide) assigns the first to the fixer.
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/tickets/{}/update", tickets[0]),
        &warden,
        Some(json!({"assignee_email": "fixer@alpha.edu"})),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
    let (_, seen) = call(&app, "GET", "/api/v1/tickets", &fixer_token, None).await;
    let titles: Vec<&str> = seen
        .as_array()
        .expect("list")
        .iter()
        .map(|t| t["title"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["Leaking tap"], "{seen}");
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/tickets/{}", tickets[1]),
        &fixer_token,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/tickets/{}/update", tickets[1]),
        &fixer_token,
        Some(json!({"status": "in_progress"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = call(
        &app,
        "POST",
        &format!("/api/v1/tickets/{}/update", tickets[0]),
        &fixer_token,
        Some(json!({"status": "in_progress"})),
    )
    .await;
    assert!(status.is_success(), "{status} {body}");
    // Their dashboard counts their own ticket, not the unassigned one.
    let mut browser = Browser::new(&app);
    browser.sign_in("alpha", "fixer@alpha.edu", PASSWORD).await;
    let dashboard = browser.get("/dashboard").await.html;
    Doc::parse(&dashboard).expect_text(
        "section[aria-labelledby=waiting] li a[href='/tickets?status=open']",
        "assigned to you",
    );
    assert!(!dashboard.contains("unassigned"), "{dashboard}");
}
