//! The chrome around every page (title, college brand, navigation) and rendering of
//! compiled templates into responses.

use askama::Template;
use axum::response::Html;

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

/// What the base layout needs from every page.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub title: String,
    pub brand: Option<Brand>,
    pub nav: Vec<NavLink>,
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
        }
    }

    pub fn home_href(&self) -> String {
        self.brand
            .as_ref()
            .map_or_else(|| "/".to_string(), |b| format!("/c/{}", b.slug))
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
