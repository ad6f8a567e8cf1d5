//! Guardians: a parent asks to be linked, the college confirms, and only then does the
//! parent see the child; a parent never sees a child not linked to them. Notices reach
//! the audiences they were posted for.

use axum::http::StatusCode;
use campus::access::permissions::Role;
use campus::db::begin_for_college;
use serde_json::json;

use crate::util::TestApp;
use crate::util::api::{call, id};
use crate::util::fixtures;
use crate::util::world::{Class, class, token_of, world};

#[tokio::test]
async fn parents_see_only_the_children_the_college_confirmed() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people, outsider, ..
    } = class(&app, &w, 1).await;
    let (child, child_token) = people[0].clone();
    let stranger = outsider[0].0;
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    sqlx::query("UPDATE students SET date_of_birth = '2008-04-30'")
        .execute(&mut *tx)
        .await
        .expect("births");
    tx.commit().await.expect("commit");
    fixtures::user(&app.pool, w.college, "mum@example.org", &[Role::Parent]).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let parent = token_of(&app, "mum@example.org").await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let number: String = {
        let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
        let n = sqlx::query_scalar("SELECT student_number FROM students WHERE id = $1")
            .bind(child)
            .fetch_one(&mut *tx)
            .await
            .expect("number");
        tx.commit().await.expect("commit");
        n
    };

    // A wrong date of birth is answered exactly as a right one: nobody can test pairs.
    let ask = |born: &str| json!({"student_number": number.to_lowercase(), "date_of_birth": born, "relationship": "mother"});
    let (status, wrong) = call(
        &app,
        "POST",
        "/api/v1/me/guardian-links",
        &parent,
        Some(ask("2008-05-01")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{wrong}");
    assert_eq!(
        wrong
            .as_object()
            .map(|o| o.keys().cloned().collect::<Vec<_>>()),
        Some(vec!["id".to_string()])
    );
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/me/guardian-links",
        &parent,
        Some(json!({"student_number": number, "date_of_birth": "30/04/2008", "relationship": "aunty"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"].as_array().expect("errors").len(),
        2,
        "{body}"
    );
    let (status, request) = call(
        &app,
        "POST",
        "/api/v1/me/guardian-links",
        &parent,
        Some(ask("2008-04-30")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    let request = id(&request);
    let (status, again) = call(
        &app,
        "POST",
        "/api/v1/me/guardian-links",
        &parent,
        Some(ask("2008-04-30")),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "asked twice: the waiting request"
    );
    assert_eq!(id(&again), request);
    // The parent's list shows both as waiting, telling nothing of which matched.
    let (_, mine) = call(&app, "GET", "/api/v1/me/guardian-links", &parent, None).await;
    let statuses: Vec<&str> = mine
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, ["pending", "pending"], "{mine}");
    assert!(
        mine.as_array()
            .expect("list")
            .iter()
            .all(|r| r["student_id"].is_null()),
        "{mine}"
    );

    // Before the college confirms, the parent sees nothing of the child.
    let (status, portal) = call(&app, "GET", "/api/v1/me/children", &parent, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(portal["children"], json!([]));
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{child}"),
        &parent,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, mine) = call(&app, "GET", "/api/v1/me/guardian-links", &parent, None).await;
    assert!(mine[0].get("student_name").is_none(), "{mine}");

    // The registrar's dashboard says what waits.
    let mut office = crate::util::Browser::new(&app);
    office
        .sign_in("alpha", "reg@alpha.edu", crate::util::fixtures::PASSWORD)
        .await;
    let dashboard = office.get("/dashboard").await;
    assert!(
        dashboard
            .html
            .contains("2 guardian link requests to confirm"),
        "{}",
        dashboard.html
    );

    // Only the college decides; a rejection needs a reason.
    let decide = format!("/api/v1/guardian-links/{request}/decision");
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &parent,
        Some(json!({"decision": "confirm"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a parent confirms their own request"
    );
    let (status, pending) = call(&app, "GET", "/api/v1/guardian-links", &registrar, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(pending.as_array().expect("list").len(), 2, "{pending}");
    // The one that matched no student can only be declined.
    let unmatched = id(&wrong);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/guardian-links/{unmatched}/decision"),
        &registrar,
        Some(json!({"decision": "confirm"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/guardian-links/{unmatched}/decision"),
        &registrar,
        Some(json!({"decision": "reject", "reason": "These details do not match our records"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &registrar,
        Some(json!({"decision": "reject"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &registrar,
        Some(json!({"decision": "confirm"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &app,
        "POST",
        &decide,
        &registrar,
        Some(json!({"decision": "confirm"})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Now the portal shows the child, and still no other.
    let (_, portal) = call(&app, "GET", "/api/v1/me/children", &parent, None).await;
    let children = portal["children"].as_array().expect("children");
    assert_eq!(children.len(), 1, "{portal}");
    assert_eq!(children[0]["student_id"], json!(child));
    assert_eq!(
        children[0]["attendance"][0]["course_code"], "CS101",
        "{portal}"
    );
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{child}"),
        &parent,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    for (method, path) in [
        ("GET", format!("/api/v1/students/{stranger}")),
        ("GET", format!("/api/v1/students/{stranger}/achievements")),
        ("POST", format!("/api/v1/students/{stranger}/transcript")),
        ("POST", format!("/api/v1/students/{stranger}/portfolio")),
    ] {
        let (status, _) = call(&app, method, &path, &parent, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    let (_, search) = call(&app, "GET", "/api/v1/students", &parent, None).await;
    assert_eq!(
        search["students"].as_array().expect("list").len(),
        1,
        "{search}"
    );

    // Guessing dates of birth runs out quickly: five requests a day.
    for day in 2..=4 {
        call(
            &app,
            "POST",
            "/api/v1/me/guardian-links",
            &parent,
            Some(ask(&format!("2008-01-0{day}"))),
        )
        .await;
    }
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/me/guardian-links",
        &parent,
        Some(ask("2008-01-09")),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // The college links and unlinks directly too.
    fixtures::user(&app.pool, w.college, "dad@example.org", &[Role::Parent]).await;
    let dad = token_of(&app, "dad@example.org").await;
    let link = format!("/api/v1/students/{stranger}/guardians");
    let (status, _) = call(
        &app,
        "POST",
        &link,
        &registrar,
        Some(json!({"email": "nobody@example.org", "relationship": "father"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call(
        &app,
        "POST",
        &link,
        &registrar,
        Some(json!({"email": "reg@alpha.edu", "relationship": "father"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "not a parent account"
    );
    let (status, guardian) = call(
        &app,
        "POST",
        &link,
        &registrar,
        Some(json!({"email": "dad@example.org", "relationship": "father"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{guardian}");
    let (_, portal) = call(&app, "GET", "/api/v1/me/children", &dad, None).await;
    assert_eq!(portal["children"][0]["student_id"], json!(stranger));
    let (status, _) = call(
        &app,
        "POST",
        &format!("{link}/unlink"),
        &registrar,
        Some(json!({"guardian_id": id(&guardian)})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, portal) = call(&app, "GET", "/api/v1/me/children", &dad, None).await;
    assert_eq!(portal["children"], json!([]));
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{stranger}"),
        &dad,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let _ = child_token;

    let actions = fixtures::audit_actions(&app.pool, w.college).await;
    for action in [
        "guardian.link_unmatched",
        "guardian.link_requested",
        "guardian.link_confirmed",
        "guardian.linked",
        "guardian.unlinked",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn notices_reach_their_audience_while_current() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, tess, .. } = class(&app, &w, 1).await;
    let student = people[0].1.clone();
    fixtures::user(&app.pool, w.college, "mum@example.org", &[Role::Parent]).await;
    fixtures::user(&app.pool, w.college, "reg@alpha.edu", &[Role::Registrar]).await;
    let parent = token_of(&app, "mum@example.org").await;
    let registrar = token_of(&app, "reg@alpha.edu").await;
    let post = |title: &str, audience: &str, publish_at: &str| json!({"title": title, "body": "Details inside.", "audience": audience, "publish_at": publish_at});
    for (title, audience) in [
        ("Parents' evening", "parents"),
        ("Exam timetable out", "students"),
        ("Campus closed Friday", "everyone"),
        ("Staff meeting", "staff"),
    ] {
        let (status, body) = call(
            &app,
            "POST",
            "/api/v1/notices",
            &registrar,
            Some(post(title, audience, "")),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &registrar,
        Some(post("Later", "everyone", "2099-01-01T09:00")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &registrar,
        Some(post("x", "aliens", "tomorrow")),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"].as_array().expect("errors").len(),
        3,
        "{body}"
    );
    let (status, _) = call(
        &app,
        "POST",
        "/api/v1/notices",
        &student,
        Some(post("Free pizza", "everyone", "")),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let titles = |value: &serde_json::Value| -> Vec<String> {
        value
            .as_array()
            .expect("list")
            .iter()
            .map(|n| n["title"].as_str().expect("title").to_string())
            .collect()
    };
    let (_, seen) = call(&app, "GET", "/api/v1/notices", &parent, None).await;
    let mut seen = titles(&seen);
    seen.sort();
    assert_eq!(seen, ["Campus closed Friday", "Parents' evening"]);
    let (_, seen) = call(&app, "GET", "/api/v1/notices", &student, None).await;
    let mut seen = titles(&seen);
    seen.sort();
    assert_eq!(seen, ["Campus closed Friday", "Exam timetable out"]);
    let (_, seen) = call(&app, "GET", "/api/v1/notices", &tess, None).await;
    assert!(titles(&seen).contains(&"Staff meeting".to_string()));
    let (_, portal) = call(&app, "GET", "/api/v1/me/children", &parent, None).await;
    assert_eq!(portal["notices"].as_array().expect("notices").len(), 2);

    let (_, seen) = call(&app, "GET", "/api/v1/notices", &parent, None).await;
    let evening = seen
        .as_array()
        .expect("list")
        .iter()
        .find(|n| n["title"] == "Parents' evening")
        .expect("evening")["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (status, _) = call(
        &app,
        "POST",
        &format!("/api/v1/notices/{evening}/withdraw"),
        &registrar,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, seen) = call(&app, "GET", "/api/v1/notices", &parent, None).await;
    assert_eq!(titles(&seen), ["Campus closed Friday"]);
}

/// Requests sent all at once cannot slip past the day's limit together.
#[tokio::test]
async fn the_daily_limit_holds_when_requests_arrive_at_once() {
    let app = TestApp::new().await;
    let w = world(&app, 2).await;
    fixtures::user(&app.pool, w.college, "mum@example.org", &[Role::Parent]).await;
    let parent = token_of(&app, "mum@example.org").await;
    let attempts = (1..=12).map(|day| {
        let app = &app;
        let parent = parent.clone();
        async move {
            call(
                app,
                "POST",
                "/api/v1/me/guardian-links",
                &parent,
                Some(json!({"student_number": "S-NOBODY", "date_of_birth": format!("2008-01-{day:02}"), "relationship": "mother"})),
            )
            .await
            .0
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let created = statuses
        .iter()
        .filter(|s| **s == StatusCode::CREATED)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!((created, refused), (5, 7), "{statuses:?}");
    let mut tx = begin_for_college(&app.pool, w.college).await.expect("tx");
    let kept: i64 = sqlx::query_scalar("SELECT count(*) FROM guardian_link_requests")
        .fetch_one(&mut *tx)
        .await
        .expect("count");
    tx.commit().await.expect("commit");
    assert_eq!(kept, 5);
}
