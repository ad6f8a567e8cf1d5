//! The public verification page of issued documents. Anyone holding a document (an
//! employer, another college) types its code or scans its QR code; the page confirms the
//! college issued it and shows what it contained when issued, nothing more, or that it
//! was revoked. Codes carry 80 random bits, so they cannot be guessed.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;

use crate::app::AppState;
use crate::db::begin_for_college;
use crate::documents::issue::model::{Contents, normalize_code, show_code};
use crate::documents::verify::queries;
use crate::error::{AppError, AppResult};
use crate::institution::queries as institution;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::layout::{Brand, Chrome, render};

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    #[serde(default)]
    code: String,
}

enum Outcome {
    /// Nothing asked yet: the form only.
    Ask,
    NotFound,
    Found {
        contents: Box<Contents>,
        issued_at: OffsetDateTime,
        revoked: Option<(OffsetDateTime, Option<String>)>,
        /// When grades it shows were amended since.
        superseded: Option<OffsetDateTime>,
    },
    /// A student's identity card.
    IdCard {
        contents: Box<crate::documents::id_cards::model::Contents>,
        issued_at: OffsetDateTime,
        revoked: Option<(OffsetDateTime, Option<String>)>,
    },
    /// A student's hall ticket for a term's papers.
    HallTicket {
        contents: Box<crate::academics::exams::tickets::Contents>,
        issued_at: OffsetDateTime,
        revoked: Option<(OffsetDateTime, Option<String>)>,
    },
    /// A portfolio, with each achievement's standing today (`None`: it stands).
    Portfolio {
        contents: Box<crate::achievements::model::Contents>,
        items: Vec<(crate::achievements::model::Item, Option<String>)>,
        issued_at: OffsetDateTime,
        revoked: Option<(OffsetDateTime, Option<String>)>,
    },
}

#[derive(Template)]
#[template(path = "documents/verify.html")]
struct VerifyPage {
    chrome: Chrome,
    slug: String,
    college: String,
    code: String,
    outcome: Outcome,
}

impl VerifyPage {
    fn kind_label(&self) -> &'static str {
        match &self.outcome {
            Outcome::Found { contents, .. } if contents.kind == "report_card" => "Report card",
            Outcome::Found { .. } => "Transcript",
            Outcome::Portfolio { .. } => "Portfolio",
            Outcome::IdCard { contents, .. } if contents.kind == "staff_id_card" => {
                "Staff identity card"
            }
            Outcome::IdCard { .. } => "Identity card",
            Outcome::HallTicket { .. } => "Hall ticket",
            _ => "",
        }
    }

    fn gpa(&self, value: &Option<f64>) -> String {
        value.map_or_else(|| "–".into(), |g| g.to_string())
    }
}

async fn answer(
    state: &AppState,
    slug: &str,
    code: Option<String>,
    typed: String,
) -> AppResult<Response> {
    let summary = institution::find_by_slug(&state.db, slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let outcome = match &code {
        None if typed.is_empty() => Outcome::Ask,
        None => Outcome::NotFound,
        Some(code) => {
            let mut tx = begin_for_college(&state.db, summary.id).await?;
            let row = queries::by_code(&mut tx, code).await?;
            let outcome = match row {
                None => Outcome::NotFound,
                Some((contents, issued_at, revoked_at, reason, _))
                    if contents["kind"] == "id_card" || contents["kind"] == "staff_id_card" =>
                {
                    Outcome::IdCard {
                        contents: Box::new(
                            serde_json::from_value(contents)
                                .map_err(|e| AppError::Internal(e.into()))?,
                        ),
                        issued_at,
                        revoked: revoked_at.map(|at| (at, reason)),
                    }
                }
                Some((contents, issued_at, revoked_at, reason, _))
                    if contents["kind"] == "hall_ticket" =>
                {
                    Outcome::HallTicket {
                        contents: Box::new(
                            serde_json::from_value(contents)
                                .map_err(|e| AppError::Internal(e.into()))?,
                        ),
                        issued_at,
                        revoked: revoked_at.map(|at| (at, reason)),
                    }
                }
                Some((contents, issued_at, revoked_at, reason, _))
                    if contents["kind"] == "portfolio" =>
                {
                    let contents: crate::achievements::model::Contents =
                        serde_json::from_value(contents)
                            .map_err(|e| AppError::Internal(e.into()))?;
                    let standing = crate::achievements::queries::current_standing(
                        &mut tx,
                        &contents.achievements,
                    )
                    .await?;
                    Outcome::Portfolio {
                        items: contents
                            .achievements
                            .iter()
                            .cloned()
                            .zip(standing)
                            .collect(),
                        contents: Box::new(contents),
                        issued_at,
                        revoked: revoked_at.map(|at| (at, reason)),
                    }
                }
                Some((contents, issued_at, revoked_at, reason, superseded)) => Outcome::Found {
                    contents: Box::new(
                        serde_json::from_value(contents)
                            .map_err(|e| AppError::Internal(e.into()))?,
                    ),
                    issued_at,
                    revoked: revoked_at.map(|at| (at, reason)),
                    superseded,
                },
            };
            tx.commit().await?;
            outcome
        }
    };
    let status = match outcome {
        Outcome::NotFound => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    let brand = Brand {
        slug: summary.slug.clone(),
        name: summary.name.clone(),
    };
    let page = VerifyPage {
        chrome: Chrome::college("Verify a document", brand),
        slug: summary.slug,
        college: summary.name,
        code: code.as_deref().map(show_code).unwrap_or(typed),
        outcome,
    };
    Ok((status, [("x-robots-tag", "noindex")], render(&page)?).into_response())
}

/// The form, or the answer for `?code=`.
pub async fn form(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<CodeQuery>,
) -> AppResult<Response> {
    let typed = query.code.trim().chars().take(40).collect::<String>();
    match normalize_code(&typed) {
        // One address per document, the one its QR code holds.
        Some(code) => Ok(Redirect::to(&format!("/c/{slug}/verify/{code}")).into_response()),
        None => answer(&state, &slug, None, typed).await,
    }
}

/// The page a document's QR code points at.
pub async fn code(
    State(state): State<AppState>,
    ApiPath((slug, code)): ApiPath<(String, String)>,
) -> AppResult<Response> {
    let typed = code.chars().take(40).collect::<String>();
    answer(&state, &slug, normalize_code(&typed), typed).await
}
