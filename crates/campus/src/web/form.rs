//! How a page form's handler ends, written once: the work's outcome is committed and the
//! browser sent on (303, post/redirect/get) with a message for the next page, or, when the
//! input was refused, the transaction is rolled back and the same page rendered again with
//! the errors by each field and status 422. Any other error passes through (the
//! transaction rolls back when dropped) to the error page.
//!
//! ```ignore
//! let mut tx = begin_for_college(&state.db, principal.college).await?;
//! let result = create_role(&mut tx, &context, &input).await;
//! form::settle(&state, tx, result)
//!     .done(|role| Done::to("/admin/roles").message(format!("Role {} created", role.label)))
//!     .again(async |errors| render_page(&state, &principal, jar, input.label, errors).await)
//!     .await
//! ```

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::{Postgres, Transaction};

use crate::app::AppState;
use crate::error::{AppError, AppResult, FieldError};

/// Where a form goes once its work is done, and what the next page says.
#[derive(Debug, Clone)]
pub struct Done {
    to: String,
    message: Option<String>,
}

impl Done {
    pub fn to(path: impl Into<String>) -> Done {
        Done {
            to: path.into(),
            message: None,
        }
    }

    /// The message the next page shows once.
    pub fn message(mut self, message: impl Into<String>) -> Done {
        self.message = Some(message.into());
        self
    }

    /// The redirect, carrying the message.
    pub fn respond(self, state: &AppState) -> Response {
        let redirect = Redirect::to(&self.to);
        match self.message {
            Some(message) => {
                let jar = axum_extra::extract::CookieJar::new()
                    .add(crate::web::flash::cookie(&state.config, &message));
                (jar, redirect).into_response()
            }
            None => redirect.into_response(),
        }
    }
}

/// A form's outcome on its way to a response.
pub struct Settle<'s, T> {
    state: &'s AppState,
    tx: Transaction<'static, Postgres>,
    result: Result<T, AppError>,
    conflict_field: Option<&'static str>,
}

/// Starts settling `result`, the work done in `tx`.
pub fn settle<'s, T>(
    state: &'s AppState,
    tx: Transaction<'static, Postgres>,
    result: Result<T, AppError>,
) -> Settle<'s, T> {
    Settle {
        state,
        tx,
        result,
        conflict_field: None,
    }
}

impl<'s, T> Settle<'s, T> {
    /// A conflict (the record changed or is taken) is shown as this field's error, and
    /// the page rendered again, rather than as an error page.
    pub fn conflict_on(mut self, field: &'static str) -> Settle<'s, T> {
        self.conflict_field = Some(field);
        self
    }

    /// Where to go once done.
    pub fn done<D>(self, done: D) -> SettleWith<'s, T, D>
    where
        D: FnOnce(T) -> Done,
    {
        SettleWith { settle: self, done }
    }
}

/// A form's outcome with its destination, waiting for how to render the page again.
pub struct SettleWith<'s, T, D> {
    settle: Settle<'s, T>,
    done: D,
}

impl<T, D> SettleWith<'_, T, D>
where
    D: FnOnce(T) -> Done,
{
    /// Renders the page again with `errors` (its status is made 422 here).
    pub async fn again<A>(self, again: A) -> AppResult<Response>
    where
        A: AsyncFnOnce(Vec<FieldError>) -> AppResult<Response>,
    {
        let Settle {
            state,
            tx,
            result,
            conflict_field,
        } = self.settle;
        let errors = match (result, conflict_field) {
            (Ok(value), _) => {
                tx.commit().await?;
                return Ok((self.done)(value).respond(state));
            }
            (Err(AppError::Validation(errors)), _) => errors,
            (Err(AppError::Conflict(message)), Some(field)) => {
                vec![FieldError::new(field, message)]
            }
            (Err(other), _) => return Err(other),
        };
        tx.rollback().await?;
        let mut page = again(errors).await?;
        *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(page)
    }
}

/// A form's field errors as its template shows them: by each field (`of`) and in the
/// summary at the top, each linking to its field (`templates/_form.html`).
#[derive(Debug, Clone, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn none() -> Errors {
        Errors(Vec::new())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The message for `field`, when it has one.
    pub fn of(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }

    pub fn has(&self, field: &str) -> bool {
        self.of(field).is_some()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, FieldError> {
        self.0.iter()
    }

    /// The id of the input a summary line links to (field names may hold characters an
    /// id should not, such as `marks[3]`).
    pub fn anchor(field: &str) -> String {
        field
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    }
}

impl From<Vec<FieldError>> for Errors {
    fn from(errors: Vec<FieldError>) -> Errors {
        Errors(errors)
    }
}
