//! The frame around every page: an error keeps a signed-in user in their college (its
//! name, their navigation by area, a way back to the dashboard), the page they are on is
//! the one marked in the navigation, and a stranger's error page points to the front page.

use axum::http::StatusCode;

use crate::util::Browser;
use crate::util::fixtures::demo_college;
use crate::util::html::Doc;

#[tokio::test]
async fn an_error_keeps_a_signed_in_user_in_their_college() {
    let (app, _) = demo_college().await;
    let mut teacher = Browser::new(&app);
    let signed = teacher
        .sign_in("riverside", "parent@riverside.edu", campus::demo::PASSWORD)
        .await;
    assert_eq!(signed.status, StatusCode::SEE_OTHER);

    let missing = teacher.get("/no/such/page").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let doc = Doc::parse(&missing.html);
    assert_eq!(doc.text(".brand span"), "Riverside College");
    assert!(doc.has("#site-nav a[href='/dashboard']"), "navigation kept");
    assert_eq!(
        doc.attr("main a.btn-primary", "href").as_deref(),
        Some("/dashboard")
    );
    doc.expect_text("main a.btn-primary", "Go to your dashboard");
    assert!(doc.has("form.signout"), "sign out offered");

    // A page their roles do not open: refused, still inside the college.
    let refused = teacher.get("/admin/users").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        Doc::parse(&refused.html).text(".brand span"),
        "Riverside College"
    );

    // Someone not signed in is sent to the front page.
    let stranger = Browser::new(&app).get("/no/such/page").await;
    assert_eq!(stranger.status, StatusCode::NOT_FOUND);
    let doc = Doc::parse(&stranger.html);
    assert_eq!(doc.attr("main a.btn-primary", "href").as_deref(), Some("/"));
    assert!(!doc.has("form.signout"));
}

#[tokio::test]
async fn the_navigation_groups_the_work_and_marks_the_page_one_is_on() {
    let (app, _) = demo_college().await;
    let mut organizer = Browser::new(&app);
    organizer
        .sign_in(
            "riverside",
            "organizer@riverside.edu",
            campus::demo::PASSWORD,
        )
        .await;
    let page = organizer.get("/achievements/review").await;
    assert_eq!(page.status, StatusCode::OK);
    let doc = Doc::parse(&page.html);
    // A student organizer reaches both their own achievements and the review queue.
    assert!(doc.has("#site-nav a[href='/achievements']"));
    assert_eq!(
        doc.texts("#site-nav a[aria-current=page]"),
        ["Achievements to review"],
        "only the queue is current"
    );
    let groups = doc.texts("#site-nav .nav-group-label");
    assert!(groups.contains(&"Academics".to_string()), "{groups:?}");
    assert!(groups.contains(&"Campus".to_string()), "{groups:?}");

    // The registrar reaches the timetable.
    let mut registrar = Browser::new(&app);
    registrar
        .sign_in(
            "riverside",
            "registrar@riverside.edu",
            campus::demo::PASSWORD,
        )
        .await;
    let page = registrar.get("/dashboard").await;
    assert!(Doc::parse(&page.html).has("#site-nav a[href='/timetable']"));
}
