//! Every role's pages at phone width in Chromium: no page the navigation offers scrolls
//! sideways at 390 px, and the Menu button opens the navigation with Sign out. With
//! `CAMPUS_SCREENSHOTS=<folder>` the same walk saves each role's dashboard at desktop
//! and phone width (`scripts/screenshots` writes docs/screenshots/ this way).

use std::path::PathBuf;

use crate::util::TestApp;
use crate::util::chromium::Web;

/// Elements reaching past the window's right edge, described for the failure message.
const OVERFLOW: &str = "\
    const width = document.documentElement.clientWidth;\
    if (document.documentElement.scrollWidth <= width) return [];\
    const clipped = e => { for (let p = e.parentElement; p; p = p.parentElement) {\
        const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip') return true; }\
      return false; };\
    return [...document.querySelectorAll('body *')]\
      .filter(e => e.getBoundingClientRect().right > width + 1 && (!clipped(e) || getComputedStyle(e).position !== 'static'))\
      .slice(0, 5)\
      .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' (' + getComputedStyle(e).position + ', right ' + Math.round(e.getBoundingClientRect().right) + '): ' + (e.textContent || '').trim().slice(0, 40))\
      .concat(['the page is ' + document.documentElement.scrollWidth + ' px wide']);";

async fn screenshot(web: &Web, folder: &Option<PathBuf>, name: &str) {
    if let Some(folder) = folder {
        let shot = web.client.screenshot().await.expect("screenshot");
        std::fs::write(folder.join(format!("{name}.png")), shot).expect("write screenshot");
    }
}

#[tokio::test]
async fn every_role_s_pages_fit_a_phone_and_the_menu_opens() {
    let app = TestApp::new().await;
    let report = campus::demo::create(&app.pool, 40, &app.state.config.field_keys)
        .await
        .expect("demo");
    let folder = std::env::var("CAMPUS_SCREENSHOTS").ok().map(PathBuf::from);
    if let Some(folder) = &folder {
        std::fs::create_dir_all(folder).expect("screenshot folder");
    }
    let web = Web::start(&app, "phone").await;
    for (role, email, _) in report.accounts {
        let role = role.as_str();
        web.client
            .set_window_size(1280, 1000)
            .await
            .expect("desktop");
        web.sign_in(
            "riverside",
            &email,
            campus::demo::PASSWORD,
            campus::demo::TOTP_SECRET,
        )
        .await;
        screenshot(&web, &folder, &format!("{role}-desktop")).await;

        web.client.set_window_size(390, 844).await.expect("phone");
        let links = web
            .run(
                "the navigation's links",
                "return [...document.querySelectorAll('#site-nav a')].map(a => a.getAttribute('href'))",
            )
            .await;
        let links: Vec<String> = links
            .as_array()
            .expect("links")
            .iter()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect();
        assert!(!links.is_empty(), "{role} has no navigation");
        for href in &links {
            web.goto(href).await;
            let wide = web.run(&format!("{role} at {href}"), OVERFLOW).await;
            if !wide.as_array().is_none_or(Vec::is_empty) {
                web.fail(
                    &format!("{role} at {href} fits 390 px"),
                    &format!("the page scrolls sideways; too wide: {wide}"),
                )
                .await;
            }
        }

        web.goto("/dashboard").await;
        screenshot(&web, &folder, &format!("{role}-phone")).await;
        let hidden = web
            .run(
                "the navigation is folded",
                "return getComputedStyle(document.getElementById('site-nav')).display === 'none'",
            )
            .await;
        assert_eq!(
            hidden,
            serde_json::json!(true),
            "{role}: the menu is not folded"
        );
        web.click(&format!("{role} opens the menu"), ".menu-button")
            .await;
        web.sign_out(&format!("{role} signs out from the menu"))
            .await;
    }
    web.close().await;
}
