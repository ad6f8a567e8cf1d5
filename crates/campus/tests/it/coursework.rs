//! Coursework: assignments with files, hand-ins (late ones flagged or refused), grades
//! that become marks, materials and meetings seen by the section only, and uploads that
//! are refused when too big, of a refused type, or not what their name says.

use axum::http::StatusCode;

use serde_json::json;

use crate::util::TestApp;
use crate::util::api::{call, call_multipart, download, id};
use crate::util::fixtures::PASSWORD;
use crate::util::html::Doc;
use crate::util::world::{Class, class, same_password, world};

const PDF: &[u8] = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";

#[tokio::test]
async fn assignments_are_handed_in_graded_and_kept_to_the_section() {
    let app = TestApp::with_settings(&[("CAMPUS_UPLOAD_LIMIT_BYTES", "4096")]).await;
    let w = world(&app, 10).await;
    let Class {
        people,
        outsider,
        tess,
        other,
    } = class(&app, &w, 2).await;
    let base = format!("/api/v1/sections/{}", w.section);
    let essay = json!({"title": "Essay 1", "instructions": "Write about loops.", "due_at": "2099-01-01T17:00",
        "max_marks": 20, "weight": 25});
    let (status, _) = call(
        &app,
        "POST",
        &format!("{base}/assignments"),
        &other,
        Some(essay.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another teacher's section");
    let (status, _) = call(
        &app,
        "POST",
        &format!("{base}/assignments"),
        &people[0].1,
        Some(essay.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a student");
    let mut bad = essay.clone();
    bad["due_at"] = json!("next friday");
    bad["weight"] = json!(120);
    let (status, problem) = call(
        &app,
        "POST",
        &format!("{base}/assignments"),
        &tess,
        Some(bad),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let text = problem.to_string();
    assert!(text.contains("due_at") && text.contains("weight"), "{text}");
    let (status, created) = call(
        &app,
        "POST",
        &format!("{base}/assignments"),
        &tess,
        Some(essay),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let essay = id(&created);

    // The teacher's files: checked by kind, contents and size.
    let files = format!("/api/v1/assignments/{essay}/files");
    let (status, problem) = call_multipart(
        &app,
        "POST",
        &files,
        &tess,
        &[],
        &[("file", "run.exe", b"MZ\x90\x00")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("not accepted"), "{problem}");
    let (status, problem) = call_multipart(
        &app,
        "POST",
        &files,
        &tess,
        &[],
        &[("file", "brief.pdf", b"<html>not a pdf</html>")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem.to_string().contains("not a .pdf"), "{problem}");
    let big = vec![b'a'; 5000];
    let (status, problem) = call_multipart(
        &app,
        "POST",
        &files,
        &tess,
        &[],
        &[("file", "big.txt", &big)],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        problem.to_string().contains("larger than the 4 KB limit"),
        "{problem}"
    );
    let (status, added) = call_multipart(
        &app,
        "POST",
        &files,
        &tess,
        &[],
        &[("file", "brief.pdf", PDF)],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let brief = added["files"][0].as_str().expect("file").to_string();

    // Students of the section see it and its file; nobody else does.
    let (status, list) = call(
        &app,
        "GET",
        &format!("{base}/assignments"),
        &people[0].1,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list[0]["title"], "Essay 1");
    assert_eq!(list[0]["due_local"], "2099-01-01 17:00");
    let (status, ..) = call(
        &app,
        "GET",
        &format!("{base}/assignments"),
        &outsider[0].1,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, bytes, disposition) =
        download(&app, &format!("/api/v1/files/{brief}"), &people[1].1).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, PDF);
    assert!(disposition.starts_with("attachment"), "{disposition}");
    let (status, ..) = download(&app, &format!("/api/v1/files/{brief}"), &outsider[0].1).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A hand-in with text and a file.
    let hand_in = format!("/api/v1/assignments/{essay}/submission");
    let (status, problem) =
        call_multipart(&app, "PUT", &hand_in, &people[0].1, &[("body", "  ")], &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "empty");
    assert!(problem.to_string().contains("write an answer"));
    let (status, _) = call_multipart(
        &app,
        "PUT",
        &hand_in,
        &outsider[0].1,
        &[("body", "mine")],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not in the section");
    let (status, _) = call_multipart(
        &app,
        "PUT",
        &hand_in,
        &people[0].1,
        &[("body", "Loops repeat.")],
        &[("file", "../../answer.txt", b"for i in 0..3 {}")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, handed) = call(
        &app,
        "GET",
        &format!("/api/v1/assignments/{essay}/submissions"),
        &tess,
        None,
    )
    .await;
    assert_eq!(handed.as_array().expect("list").len(), 1);
    assert_eq!(handed[0]["late"], false);
    assert_eq!(
        handed[0]["files"][0]["file_name"], "answer.txt",
        "paths are dropped"
    );
    let answer = handed[0]["files"][0]["id"]
        .as_str()
        .expect("id")
        .to_string();
    let (_, own) = call(
        &app,
        "GET",
        &format!("/api/v1/assignments/{essay}/submissions"),
        &people[1].1,
        None,
    )
    .await;
    assert_eq!(own, json!([]), "a classmate's hand-in is not theirs to see");
    for (token, expected) in [
        (&people[0].1, StatusCode::OK),
        (&tess, StatusCode::OK),
        (&people[1].1, StatusCode::FORBIDDEN),
        (&other, StatusCode::FORBIDDEN),
    ] {
        let (status, ..) = download(&app, &format!("/api/v1/files/{answer}"), token).await;
        assert_eq!(status, expected);
    }

    // Grading: the score is the student's mark; graded work stays as it was.
    let submission = handed[0]["id"].as_str().expect("id").to_string();
    let grade = format!("/api/v1/submissions/{submission}/grade");
    let (status, _) = call(&app, "PUT", &grade, &tess, Some(json!({"score": 21}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "over the maximum");
    let (status, _) = call(&app, "PUT", &grade, &other, Some(json!({"score": 10}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &app,
        "PUT",
        &grade,
        &tess,
        Some(json!({"score": 17.5, "feedback": "Clear."})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, marks) = call(&app, "GET", "/api/v1/me/marks", &people[0].1, None).await;
    let mark = marks
        .as_array()
        .expect("marks")
        .iter()
        .find(|m| m["assessment"] == "Essay 1")
        .expect("the assignment is an assessment");
    assert_eq!(mark["score"], 17.5);
    assert_eq!(mark["kind"], "assignment");
    let (status, _) = call_multipart(
        &app,
        "PUT",
        &hand_in,
        &people[0].1,
        &[("body", "changed")],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Late work: flagged, or refused when the teacher said so.
    for (title, accept, expected) in [
        ("Past open", true, StatusCode::CREATED),
        ("Past closed", false, StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let (_, created) = call(
            &app,
            "POST",
            &format!("{base}/assignments"),
            &tess,
            Some(json!({"title": title, "due_at": "2020-01-01T00:00:00Z", "max_marks": 10, "weight": 5, "accept_late": accept})),
        )
        .await;
        let uri = format!("/api/v1/assignments/{}/submission", id(&created));
        let (status, problem) =
            call_multipart(&app, "PUT", &uri, &people[1].1, &[("body", "sorry")], &[]).await;
        assert_eq!(status, expected, "{problem}");
        if accept {
            let (_, mine) = call(
                &app,
                "GET",
                &format!("/api/v1/assignments/{}/submissions", id(&created)),
                &people[1].1,
                None,
            )
            .await;
            assert_eq!(mine[0]["late"], true);
        } else {
            assert!(problem.to_string().contains("late work is not accepted"));
        }
    }

    // Materials and meetings.
    let materials = format!("{base}/materials");
    let (status, _) = call_multipart(
        &app,
        "POST",
        &materials,
        &tess,
        &[("title", "Slides"), ("link", "https://x.example")],
        &[("file", "s.pdf", PDF)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "both a link and a file"
    );
    let (status, _) = call_multipart(
        &app,
        "POST",
        &materials,
        &tess,
        &[("title", "Site"), ("link", "javascript:alert(1)")],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = call_multipart(
        &app,
        "POST",
        &materials,
        &tess,
        &[("title", "Slides"), ("description", "Week 1")],
        &[("file", "week1.pdf", PDF)],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = call_multipart(
        &app,
        "POST",
        &materials,
        &people[0].1,
        &[("title", "Mine"), ("link", "https://x.example")],
        &[],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = call(&app, "GET", &materials, &people[1].1, None).await;
    assert_eq!(list[0]["title"], "Slides");
    let (status, _) = call(&app, "GET", &materials, &outsider[0].1, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let meetings = format!("{base}/online-meetings");
    let meeting = json!({"title": "Review", "starts_at": "2099-02-01T10:00", "ends_at": "2099-02-01T11:00",
        "link": "http://insecure.example/room", "agenda": "Questions"});
    let (status, _) = call(&app, "POST", &meetings, &tess, Some(meeting.clone())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "https only");
    let mut meeting = meeting;
    meeting["link"] = json!("https://meet.example/room");
    let (status, _) = call(&app, "POST", &meetings, &tess, Some(meeting)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, mine) = call(
        &app,
        "GET",
        "/api/v1/me/online-meetings",
        &people[0].1,
        None,
    )
    .await;
    assert_eq!(mine[0]["title"], "Review");
    assert_eq!(mine[0]["link"], "https://meet.example/room");
    let (_, none) = call(
        &app,
        "GET",
        "/api/v1/me/online-meetings",
        &outsider[0].1,
        None,
    )
    .await;
    assert_eq!(none, json!([]));
}

#[tokio::test]
async fn students_hand_in_through_the_page_with_a_csrf_token() {
    let app = TestApp::new().await;
    let w = world(&app, 10).await;
    let Class { people, tess, .. } = class(&app, &w, 1).await;
    same_password(&app, &w, "s0@alpha.edu", "tess@alpha.edu").await;

    // The teacher posts through the section page (an upload form).
    let mut teacher = crate::util::Browser::new(&app);
    teacher.sign_in("alpha", "tess@alpha.edu", PASSWORD).await;
    let page = teacher.get(&format!("/sections/{}", w.section)).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    let posted = teacher
        .post_multipart(
            &format!("/sections/{}/assignments", w.section),
            &[
                ("_csrf", &page.csrf()),
                ("title", "Lab 1"),
                ("due_at", "2099-03-01T09:00"),
                ("max_marks", "10"),
                ("weight", "10"),
                ("accept_late", "on"),
            ],
            &[("file", "lab.pdf", PDF)],
        )
        .await;
    assert_eq!(posted.status, StatusCode::SEE_OTHER, "{}", posted.html);
    let assignment = posted.location.expect("to the assignment");
    let set = teacher.get(&assignment).await;
    Doc::parse(&set.html).expect_text("main .alert-success[role=status]", "Assignment Lab 1 set");
    let refused = teacher
        .post_multipart(
            &format!("/sections/{}/assignments", w.section),
            &[
                ("title", "No token"),
                ("due_at", "2099-03-01T09:00"),
                ("max_marks", "10"),
                ("weight", "10"),
            ],
            &[],
        )
        .await;
    assert_eq!(
        refused.status,
        StatusCode::FORBIDDEN,
        "an upload form needs its CSRF token"
    );

    let mut student = crate::util::Browser::new(&app);
    student.sign_in("alpha", "s0@alpha.edu", PASSWORD).await;
    let section = student.get(&format!("/sections/{}", w.section)).await;
    Doc::parse(&section.html).expect_text("section[aria-labelledby=assignments] li > a", "Lab 1");
    let page = student.get(&assignment).await;
    let doc = Doc::parse(&page.html);
    doc.expect_text("section.card li > a[href^='/files/']", "lab.pdf");
    assert_eq!(doc.text("form[action$='/submit'] h2"), "Hand in");
    let wrong = student
        .post_multipart(
            &format!("{assignment}/submit"),
            &[("_csrf", &page.csrf()), ("body", "")],
            &[("file", "photo.png", b"not a png")],
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let doc = Doc::parse(&wrong.html);
    doc.expect_text(".alert-error", "not a .png");
    doc.expect_text("#file-error", "not a .png");
    let done = student
        .post_multipart(
            &format!("{assignment}/submit"),
            &[("_csrf", &page.csrf()), ("body", "My lab report")],
            &[],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.location.as_deref(), Some(assignment.as_str()));
    let doc = Doc::parse(&student.get(&assignment).await.html);
    doc.expect_text("main .alert-success[role=status]", "Handed in");
    doc.expect_text("section[aria-labelledby=mine] p.prewrap", "My lab report");

    // The teacher grades on the page; the student sees the mark and the feedback.
    let page = teacher.get(&assignment).await;
    let action = Doc::parse(&page.html)
        .attr(
            "section[aria-labelledby=handed] form[action^='/submissions/']",
            "action",
        )
        .expect("a grade form");
    let graded = teacher
        .post(
            &action,
            &[
                ("_csrf", &page.csrf()),
                ("score", "8"),
                ("feedback", "Good <b>work</b>"),
            ],
        )
        .await;
    assert_eq!(graded.status, StatusCode::SEE_OTHER, "{}", graded.html);
    let doc = Doc::parse(&teacher.get(&assignment).await.html);
    doc.expect_text("main .alert-success[role=status]", "Graded");
    let seen = student.get(&assignment).await;
    let doc = Doc::parse(&seen.html);
    doc.expect_text("section[aria-labelledby=mine] strong", "Mark: 8 out of 10");
    // The feedback shows as the text typed, its markup escaped, not as markup.
    doc.expect_text(
        "section[aria-labelledby=mine] p.prewrap",
        "Good <b>work</b>",
    );
    assert!(
        !doc.has("section[aria-labelledby=mine] p.prewrap b"),
        "feedback is escaped: {}",
        seen.html
    );
    let _ = tess;
    let _ = people;
}
