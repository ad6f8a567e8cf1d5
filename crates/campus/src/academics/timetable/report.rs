//! The term's clash report as a page: what the coordinator still has to resolve, each
//! line linking to the section to open.

use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use serde::Deserialize;
use uuid::Uuid;

use crate::academics::timetable::clashes::{self, ReportLine};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::web::csrf;
use crate::web::extract::ApiQuery;
use crate::web::layout::{Chrome, render};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReportQuery {
    pub term: String,
}

/// The report's groups, in the order they are shown, with their headings.
const GROUPS: [(&str, &str); 5] = [
    ("students", "Students due in two places at once"),
    ("program_year", "Program years with two courses at once"),
    ("room_size", "Rooms smaller than their sections"),
    ("no_meetings", "Sections not timetabled"),
    ("no_teacher", "Sections without a teacher"),
];

#[derive(Template)]
#[template(path = "academics/clashes.html")]
struct ReportPage {
    chrome: Chrome,
    terms: Vec<(Uuid, String)>,
    term: Option<Uuid>,
    groups: Vec<(&'static str, Vec<ReportLine>)>,
    total: usize,
}

impl ReportPage {
    fn term_is(&self, term: &Uuid) -> bool {
        self.term == Some(*term)
    }
}

pub async fn page(
    State(state): State<AppState>,
    principal: Principal,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let terms: Vec<(Uuid, String)> = sqlx::query!(
        "SELECT id, name FROM terms ORDER BY is_current DESC, starts_on DESC LIMIT 40"
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name))
    .collect();
    let term = Uuid::parse_str(query.term.trim())
        .ok()
        .filter(|t| terms.iter().any(|(id, _)| id == t))
        .or_else(|| terms.first().map(|(id, _)| *id));
    let lines = match term {
        Some(term) => clashes::report(&mut tx, term).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    let total = lines.len();
    let groups = GROUPS
        .iter()
        .map(|(kind, heading)| {
            (
                *heading,
                lines.iter().filter(|l| l.kind == *kind).cloned().collect(),
            )
        })
        .collect();
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let page = ReportPage {
        chrome: Chrome::signed_in("Clash report", &principal, csrf, "/timetable"),
        terms,
        term,
        groups,
        total,
    };
    Ok((jar, render(&page)?).into_response())
}
