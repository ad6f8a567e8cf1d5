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
    pub nav: Vec<NavLink>,
    pub user: Option<ChromeUser>,
}

impl Chrome {
    /// Chrome for platform pages (no college).
    pub fn platform(title: impl Into<String>, current: &str) -> Chrome {
        let nav = [("/", "Colleges"), ("/api/docs", "API")]
            .into_iter()
            .map(|(href, label)| NavLink {
                href: href.to_string(),
                label,
                current: href == current,
            })
            .collect();
        Chrome {
            title: title.into(),
            brand: None,
            nav,
            user: None,
        }
    }

    /// Chrome for a signed-in user's pages: navigation by what their roles allow.
    pub fn signed_in(
        title: impl Into<String>,
        principal: &Principal,
        csrf: String,
        current: &str,
    ) -> Chrome {
        let links = crate::access::navigation::links(principal);
        Chrome {
            title: title.into(),
            brand: Some(Brand {
                slug: principal.college_slug.clone(),
                name: principal.college_name.clone(),
            }),
            nav: links
                .into_iter()
                .map(|(href, label)| NavLink {
                    href: href.to_string(),
                    label,
                    current: current.starts_with(href),
                })
                .collect(),
            user: Some(ChromeUser {
                name: principal.display_name.clone(),
                csrf,
            }),
        }
    }

    /// Chrome for a college's public pages.
    pub fn college(title: impl Into<String>, brand: Brand) -> Chrome {
        let home = format!("/c/{}", brand.slug);
        Chrome {
            title: title.into(),
            nav: vec![NavLink {
                href: home,
                label: "Home",
                current: true,
            }],
            brand: Some(brand),
            user: None,
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

    pub fn site_name(&self) -> &str {
        self.brand.as_ref().map_or("Campus", |b| b.name.as_str())
    }
}

/// Renders a template into an HTML response.
pub fn render(template: &impl Template) -> Result<Html<String>, AppError> {
    Ok(Html(template.render()?))
}
