//! Attendance registers: a section's register (students × sessions) for its teacher and
//! not for another, a student's attendance by course and month for themselves, the
//! students under the threshold; as CSV, XLSX and PDF; bad dates named.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::util::api::{call, field_errors};
use crate::util::fixtures::PASSWORD;
use crate::util::html::Doc;
use crate::util::world::{Class, class, world};
use crate::util::{Browser, TestApp};

#[tokio::test]
async fn registers_show_who_came_by_session_month_and_threshold() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class {
        people,
        tess,
        other,
        ..
    } = class(&app, &w, 3).await;
    let today = time::OffsetDateTime::now_utc().date();
    // Two sessions: the second student misses both, the third is late once.
    for (days, late) in [(2, false), (1, true)] {
        let day = (today - time::Duration::days(days)).to_string();
        let (status, session) = call(
            &app,
            "POST",
            &format!("/api/v1/sections/{}/sessions", w.section),
            &tess,
            Some(json!({"held_on": day, "starts": "09:00", "ends": "10:00"})),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{session}");
        let marks: Vec<Value> = people
            .iter()
            .enumerate()
            .map(|(i, (id, _))| {
                let status = match i {
                    1 => "absent",
                    2 if late => "late",
                    _ => "present",
                };
                json!({"student_id": id, "status": status})
            })
            .collect();
        let (status, answer) = call(
            &app,
            "PUT",
            &format!(
                "/api/v1/sessions/{}/attendance",
                session["id"].as_str().unwrap_or_default()
            ),
            &tess,
            Some(json!({"marks": marks})),
        )
        .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{answer}");
    }
    let range = format!("from={}&to={}", today - time::Duration::days(7), today);
    let register = format!("/api/v1/sections/{}/attendance-register?{range}", w.section);
    let (status, found) = call(&app, "GET", &register, &tess, None).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(
        found["sessions"].as_array().map(Vec::len),
        Some(2),
        "{found}"
    );
    let rows = found["students"].as_array().expect("rows");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1]["marks"], json!(["A", "A"]));
    assert_eq!(rows[1]["percent"], 0.0);
    assert_eq!(rows[2]["marks"], json!(["P", "L"]));
    assert_eq!(rows[2]["percent"], 100.0);
    let (status, _) = call(&app, "GET", &register, &other, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another teacher's section");
    let (status, _) = call(&app, "GET", &register, &people[0].1, None).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a student sees no class register"
    );
    let (status, answer) = call(
        &app,
        "GET",
        &format!(
            "/api/v1/sections/{}/attendance-register?from=2026-13-01",
            w.section
        ),
        &tess,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["from"]);
    let (status, answer) = call(&app, "GET", &format!("{register}&threshold=0"), &tess, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["threshold"]);
    let (status, answer) = call(&app, "GET", &format!("{register}&format=AAA"), &tess, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert_eq!(field_errors(&answer), ["format"]);

    // The student's own months; the list under the threshold names the absent one.
    let (status, mine) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{}/attendance?{range}", people[1].0),
        &people[1].1,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{mine}");
    assert_eq!(mine["courses"][0]["percent"], 0.0, "{mine}");
    let (status, _) = call(
        &app,
        "GET",
        &format!("/api/v1/students/{}/attendance", people[0].0),
        &people[1].1,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, under) = call(
        &app,
        "GET",
        &format!("/api/v1/attendance/below?{range}"),
        &tess,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{under}");
    let numbers: Vec<&str> = under
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|b| b["student_id"].as_str())
        .collect();
    assert_eq!(numbers, [people[1].0.to_string()], "{under}");
    let (_, none) = call(
        &app,
        "GET",
        &format!("/api/v1/attendance/below?{range}"),
        &other,
        None,
    )
    .await;
    assert_eq!(none, json!([]), "another teacher's sections only");

    // On screen and as the three downloads.
    let mut teacher = Browser::new(&app);
    teacher.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    let page = teacher
        .get(&format!("/attendance/sections/{}?{range}", w.section))
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let doc = Doc::parse(&page.html);
    doc.expect_text("table.register tbody", "A");
    for (format, starts) in [("csv", "Student number"), ("xlsx", "PK"), ("pdf", "%PDF-")] {
        let got = teacher
            .get(&format!("/attendance/below?{range}&format={format}"))
            .await;
        assert_eq!(got.status, StatusCode::OK, "{format}");
        assert!(got.html.starts_with(starts), "{format}");
    }
    let got = teacher
        .get(&format!(
            "/attendance/sections/{}?{range}&format=pdf",
            w.section
        ))
        .await;
    assert!(got.html.starts_with("%PDF-"));
}
