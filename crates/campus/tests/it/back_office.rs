//! The back office's conventions in a real browser, on the demo college: a refused form
//! comes back with everything typed on three different forms; a success redirects and
//! says what happened once (reloading re-posts nothing); an irreversible action goes
//! through a confirmation page; a list sorts by its column headers and downloads what
//! it shows as CSV.

use serde_json::{Value, json};

use crate::util::TestApp;
use crate::util::chromium::Web;

async fn path(web: &Web) -> String {
    web.client
        .current_url()
        .await
        .map(|u| u.path().to_string())
        .unwrap_or_default()
}

/// Waits for the address to hold `part` (a click's page comes late on a busy machine).
async fn until_address(web: &Web, step: &str, part: &str) {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let url = web
            .client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default();
        if url.contains(part)
            && web
                .client
                .source()
                .await
                .is_ok_and(|s| s.contains("</html>"))
        {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            web.fail(step, &format!("the address never held {part}"))
                .await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The values of the inputs with these ids, as the browser holds them now.
async fn values(web: &Web, step: &str, ids: &[&str]) -> Value {
    let ids = serde_json::to_string(ids).expect("ids");
    web.run(
        step,
        &format!("return {ids}.map(id => document.getElementById(id).value);"),
    )
    .await
}

async fn sign_in(web: &Web, email: &str) {
    web.sign_in(
        "riverside",
        email,
        campus::demo::PASSWORD,
        campus::demo::TOTP_SECRET,
    )
    .await;
}

/// Waits for the refused form's summary and checks the page kept the college's chrome.
async fn refused(web: &Web, step: &str, field: &str) {
    web.expect(step, &format!("<a href=\"#{field}\"")).await;
    let chrome = web
        .run(
            step,
            "return [!!document.querySelector('header.site-header'), \
                     !!document.querySelector('nav.site-nav a'), \
                     !!document.querySelector('.error-summary')];",
        )
        .await;
    if chrome != json!([true, true, true]) {
        web.fail(step, &format!("header, navigation, summary: {chrome}"))
            .await;
    }
}

#[tokio::test]
async fn forms_keep_input_say_what_happened_confirm_and_lists_sort_and_export() {
    let app = TestApp::new().await;
    campus::demo::create(&app.pool, 40, &app.state.config.field_keys)
        .await
        .expect("demo");
    let web = Web::start(&app, "back-office").await;

    // 1. The catalog's course form (registrar): refused, then created.
    sign_in(&web, "registrar@riverside.edu").await;
    web.goto("/catalog").await;
    let new_course = "form[action='/catalog/courses']";
    web.fill("new course", "#code", "ux 1").await;
    web.fill("new course", "#title", "Designing for people")
        .await;
    web.fill("new course", "#credits", "three").await;
    web.fill("new course", "#department", "CSE").await;
    web.click("new course", &format!("{new_course} button[type=submit]"))
        .await;
    refused(&web, "the course refused", "credits").await;
    web.expect("the code named", "id=\"code-error\"").await;
    let kept = values(
        &web,
        "the course kept",
        &["code", "title", "credits", "department"],
    )
    .await;
    assert_eq!(
        kept,
        json!(["ux 1", "Designing for people", "three", "CSE"]),
        "the course form lost what was typed"
    );
    web.fill("course corrected", "#code", "UX101").await;
    web.fill("course corrected", "#credits", "3").await;
    web.click(
        "course corrected",
        &format!("{new_course} button[type=submit]"),
    )
    .await;
    web.expect("course created", "Course UX101 created").await;
    let course = path(&web).await;
    assert!(
        course.starts_with("/catalog/courses/") && course != "/catalog/courses/",
        "post/redirect/get: the answer is the course's own page, not {course}"
    );
    // Reloading the answer reads the page again: no second course, no second message.
    web.client.refresh().await.expect("reload");
    web.expect("reloaded", "UX101: Designing for people").await;
    let source = web.client.source().await.expect("source");
    assert!(
        !source.contains("Course UX101 created"),
        "the message is shown once"
    );
    web.goto("/catalog?q=UX101").await;
    web.expect("one UX101", "Showing 1–1 of 1").await;
    web.sign_out("registrar signs out").await;

    // 2. The college's settings (admin): refused, kept, then saved with a message.
    sign_in(&web, "admin@riverside.edu").await;
    web.goto("/admin/settings").await;
    web.fill("settings", "#attendance_threshold", "0").await;
    web.fill("settings", "#retention_years", "9").await;
    web.click(
        "settings",
        "form[action='/admin/settings'] button[type=submit]",
    )
    .await;
    refused(&web, "the settings refused", "attendance_threshold").await;
    web.expect("the threshold named", "between 1 and 100").await;
    let kept = values(
        &web,
        "the settings kept",
        &["attendance_threshold", "retention_years"],
    )
    .await;
    assert_eq!(kept, json!(["0", "9"]), "the settings lost what was typed");
    web.fill("settings corrected", "#attendance_threshold", "80")
        .await;
    web.click(
        "settings corrected",
        "form[action='/admin/settings'] button[type=submit]",
    )
    .await;
    web.expect("settings saved", "Settings saved").await;
    let kept = values(
        &web,
        "the settings saved",
        &["attendance_threshold", "retention_years"],
    )
    .await;
    assert_eq!(kept, json!(["80", "9"]));

    // 3. A list: sorted by a column header both ways, and downloaded as it is filtered.
    web.goto("/students").await;
    web.expect("the student list", "Download as CSV").await;
    web.click("sort by number", "th a[href*='sort=number']")
        .await;
    until_address(&web, "sorted by number", "sort=number").await;
    let numbers = "return [...document.querySelectorAll('#students tbody td[data-label=Number]')]\
                   .map(td => td.textContent.trim());";
    let ascending = web.run("numbers ascending", numbers).await;
    let mut sorted: Vec<String> = serde_json::from_value(ascending.clone()).expect("numbers");
    assert!(sorted.len() > 1, "too few rows: {ascending}");
    sorted.sort();
    assert_eq!(ascending, json!(sorted), "not in ascending order");
    web.click("sort by number, descending", "th a[href*='sort=number']")
        .await;
    until_address(&web, "sorted descending", "dir=desc").await;
    let descending: Vec<String> =
        serde_json::from_value(web.run("numbers descending", numbers).await).expect("numbers");
    let mut reversed = descending.clone();
    reversed.sort();
    reversed.reverse();
    assert_eq!(descending, reversed, "not in descending order");

    // Filtered to one year, the download holds exactly the rows the count names.
    web.fill("filter", "#year", "1").await;
    web.click("filter", "form.filter-bar button[type=submit]")
        .await;
    web.expect("filtered", "Clear the filters").await;
    let download = web
        .run_async(
            "download",
            "const total = Number(document.querySelector('.list-summary').textContent\
                .match(/of ([0-9,]+)/)[1].replace(/,/g, '')); \
             const href = document.querySelector('.list-summary a').getAttribute('href'); \
             fetch(href, {credentials: 'same-origin'}) \
               .then(r => r.text().then(t => done([r.status, r.headers.get('content-type'), total, \
                 t.trim().split('\\n').length - 1, href]))) \
               .catch(e => done(String(e)));",
        )
        .await;
    let [status, kind, total, rows, href] = download.as_array().expect("download").as_slice()
    else {
        panic!("the download gave {download}");
    };
    assert_eq!(status, &json!(200), "{download}");
    assert!(
        kind.as_str().is_some_and(|k| k.starts_with("text/csv")),
        "{download}"
    );
    assert!(
        total.as_u64().is_some_and(|t| t > 0),
        "nothing in year 1: {download}"
    );
    assert_eq!(
        total, rows,
        "the CSV holds what the list counts: {download}"
    );
    assert!(
        href.as_str()
            .is_some_and(|h| h.contains("year=1") && h.contains("sort=number")),
        "the download keeps the filter and the order: {download}"
    );
    web.sign_out("admin signs out").await;

    // 4. A student's request form: refused with the dates and reason kept.
    sign_in(&web, "student@riverside.edu").await;
    web.goto("/requests").await;
    let today = time::OffsetDateTime::now_utc().date();
    let (first, last) = (
        today + time::Duration::days(12),
        today + time::Duration::days(10),
    );
    // A date field takes the date as the browser's locale types it; set it directly.
    web.run(
        "leave",
        &format!(
            "document.getElementById('starts_on').value = '{first}'; \
             document.getElementById('ends_on').value = '{last}'; return true;"
        ),
    )
    .await;
    web.fill("leave", "#reason", "Family wedding out of town")
        .await;
    web.click("leave", "#leave-form button[type=submit]").await;
    refused(&web, "the leave refused", "ends_on").await;
    let kept = values(&web, "the leave kept", &["starts_on", "ends_on", "reason"]).await;
    assert_eq!(
        kept,
        json!([
            first.to_string(),
            last.to_string(),
            "Family wedding out of town"
        ]),
        "the leave form lost what was typed"
    );

    // 5. Dropping a course: a confirmation page names the consequence first.
    web.goto("/registration").await;
    web.click("drop", "a[href$='/drop']").await;
    web.expect("the confirmation", "You give up your seat")
        .await;
    let confirm = path(&web).await;
    assert!(confirm.ends_with("/drop"), "{confirm}");
    let dropped = web
        .run(
            "the course to drop",
            "return document.querySelector('h1').textContent.replace(/^Drop |\\?$/g, '').trim();",
        )
        .await;
    let dropped = dropped.as_str().expect("course").to_string();
    web.click(
        "confirm the drop",
        &format!("form[action='{confirm}'] button[type=submit]"),
    )
    .await;
    web.expect("dropped", &format!("You dropped {dropped}"))
        .await;
    assert_eq!(path(&web).await, "/registration");
    web.close().await;
}
