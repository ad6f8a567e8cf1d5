//! The chrome around every page (title, college brand, navigation) and rendering of
//! compiled templates into responses.

use askama::Template;
use axum::response::Html;

use crate::access::principal::Principal;
use crate::error::AppError;

/// A college shown in the header of its pages.
#[derive(Debug, Clone)]
pub struct Brand {
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: String,
    pub label: &'static str,
    pub current: bool,
}

/// An area of the navigation; `label` is empty for links that stand alone.
#[derive(Debug, Clone)]
pub struct NavGroup {
    pub label: &'static str,
    pub links: Vec<NavLink>,
}

/// The signed-in user, shown in the header with a sign-out button.
#[derive(Debug, Clone)]
pub struct ChromeUser {
    pub name: String,
    pub csrf: String,
}

/// What the base layout needs from every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub brand: Option<Brand>,
    pub nav: Vec<NavGroup>,
    pub user: Option<ChromeUser>,
    /// The time zone the page shows times in: the signed-in user's college's, else UTC.
    pub zone: String,
}

impl Chrome {
    /// Chrome for platform pages (no college).
    pub fn platform(title: impl Into<String>, current: &str) -> Chrome {
        let links = [("/", "Colleges"), ("/api/docs", "API")]
            .into_iter()
            .map(|(href, label)| NavLink {
                href: href.to_string(),
                label,
                current: href == current,
            })
            .collect();
        let nav = vec![NavGroup { label: "", links }];
        Chrome {
            title: title.into(),
            brand: None,
            nav,
            user: None,
            zone: "UTC".into(),
        }
    }

    /// Chrome for a signed-in user's pages: navigation by what their roles allow.
    pub fn signed_in(
        title: impl Into<String>,
        principal: &Principal,
        csrf: String,
        current: &str,
    ) -> Chrome {
        let groups = crate::access::navigation::groups(principal);
        let here = crate::access::navigation::current(
            groups
                .iter()
                .flat_map(|g| g.links.iter().map(|(href, _)| *href)),
            current,
        );
        let nav = groups
            .into_iter()
            .map(|group| NavGroup {
                label: group.label.unwrap_or(""),
                links: group
                    .links
                    .into_iter()
                    .map(|(href, label)| NavLink {
                        href: href.to_string(),
                        label,
                        current: Some(href) == here,
                    })
                    .collect(),
            })
            .collect();
        Chrome {
            title: title.into(),
            brand: Some(Brand {
                slug: principal.college_slug.clone(),
                name: principal.college_name.clone(),
            }),
            nav,
            user: Some(ChromeUser {
                name: principal.display_name.clone(),
                csrf,
            }),
            zone: principal.timezone.clone(),
        }
    }

    /// Chrome for a college's public pages.
    pub fn college(title: impl Into<String>, brand: Brand) -> Chrome {
        let home = format!("/c/{}", brand.slug);
        Chrome {
            title: title.into(),
            nav: vec![NavGroup {
                label: "",
                links: vec![NavLink {
                    href: home,
                    label: "Home",
                    current: true,
                }],
            }],
            brand: Some(brand),
            user: None,
            zone: "UTC".into(),
        }
    }

    pub fn home_href(&self) -> String {
        match (&self.user, &self.brand) {
            (Some(_), _) => "/dashboard".to_string(),
            (None, Some(brand)) => format!("/c/{}", brand.slug),
            (None, None) => "/".to_string(),
        }
    }

    pub fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    /// A moment in the page's time zone, the zone named: `7 Dec 2026, 09:30 IST`.
    pub fn local(&self, at: impl crate::web::time::Moment) -> String {
        crate::web::time::local(at, &self.zone)
    }

    /// The time of day of a moment in the page's time zone: `09:30 IST`.
    pub fn local_time(&self, at: impl crate::web::time::Moment) -> String {
        crate::web::time::local_time(at, &self.zone)
    }

    /// A date spelled out: `7 Dec 2026`.
    pub fn day(&self, date: impl crate::web::time::Day) -> String {
        crate::web::time::day(date)
    }

    /// A stored code in words (`on_leave` → "On leave"), see `web::words`.
    pub fn words(&self, code: &str) -> String {
        crate::web::words::label(code)
    }

    pub fn site_name(&self) -> &str {
        self.brand.as_ref().map_or("Campus", |b| b.name.as_str())
    }
}

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}
