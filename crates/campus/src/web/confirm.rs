//! The confirmation step before something that cannot be undone (dropping a course,
//! withdrawing an application, unlinking a guardian, erasing a student, revoking a
//! document, publishing results): a page of its own, reached by a link (GET), that names
//! the consequence and posts to the action only when the user presses the button. The
//! action itself stays a POST that redirects afterwards.

use askama::Template;
use axum::response::{IntoResponse, Response};

use crate::error::AppResult;
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    heading: String,
    consequence: Vec<String>,
    action: String,
    csrf: String,
    fields: Vec<(String, String)>,
    confirm_label: String,
    back: String,
}

/// A confirmation step: `heading` asks the question ("Drop CS101 A?"), each line of
/// `consequence` says what will happen, the button posts to `action`.
pub struct Confirm {
    page: ConfirmPage,
}

impl Confirm {
    pub fn new(
        chrome: Chrome,
        csrf: String,
        heading: impl Into<String>,
        action: impl Into<String>,
    ) -> Confirm {
        Confirm {
            page: ConfirmPage {
                chrome,
                heading: heading.into(),
                consequence: Vec::new(),
                action: action.into(),
                csrf,
                fields: Vec::new(),
                confirm_label: "Yes, go ahead".into(),
                back: "/dashboard".into(),
            },
        }
    }

    /// A line saying what will happen.
    pub fn consequence(mut self, line: impl Into<String>) -> Confirm {
        self.page.consequence.push(line.into());
        self
    }

    /// A value the form posts along (a hidden field).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Confirm {
        self.page.fields.push((name.into(), value.into()));
        self
    }

    /// The button's words ("Drop the course").
    pub fn button(mut self, label: impl Into<String>) -> Confirm {
        self.page.confirm_label = label.into();
        self
    }

    /// Where "Keep it as it is" goes.
    pub fn back(mut self, href: impl Into<String>) -> Confirm {
        self.page.back = href.into();
        self
    }

    pub fn respond(self) -> AppResult<Response> {
        Ok(render(&self.page)?.into_response())
    }
}
