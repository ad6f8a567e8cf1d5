//! Staff record pages: search, and a staff member's profile.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::staff::model::{Profile, STATUSES, SearchPage, SearchQuery};
use crate::staff::queries;
use crate::web::csrf;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::form::Errors;
use crate::web::layout::{Chrome, render};

#[derive(Template)]
#[template(path = "staff/search.html")]
struct SearchView {
    chrome: Chrome,
    query: SearchQuery,
    page: SearchPage,
    departments: Vec<(String, String)>,
    statuses: [&'static str; 3],
    next: Option<String>,
    errors: Errors,
}

pub async fn search_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (page, errors) = match queries::search(&mut tx, &grant, &query).await {
        Ok(page) => (page, Vec::new()),
        Err(AppError::Validation(errors)) => (
            SearchPage {
                staff: Vec::new(),
                next_offset: None,
            },
            errors,
        ),
        Err(other) => return Err(other),
    };
    let departments: Vec<(String, String)> = queries::departments(&mut tx).await?;
    tx.commit().await?;
    let next = page.next_offset.map(|offset| {
        serde_urlencoded::to_string([
            ("q", query.q.clone()),
            ("department", query.department.clone()),
            ("status", query.status.clone()),
            ("offset", offset.to_string()),
        ])
        .unwrap_or_default()
    });
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let view = SearchView {
        chrome: Chrome::signed_in("Staff", &principal, csrf, "/staff"),
        query,
        page,
        departments,
        statuses: STATUSES,
        next,
        errors: errors.into(),
    };
    Ok((status, jar, render(&view)?).into_response())
}

#[derive(Template)]
#[template(path = "staff/profile.html")]
struct ProfileView {
    chrome: Chrome,
    profile: Profile,
}

pub async fn profile_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let profile = queries::profile(&mut tx, &grant, id).await?;
    tx.commit().await?;
    let (csrf, jar) = csrf::for_page(&state, Some(&principal), jar);
    let view = ProfileView {
        chrome: Chrome::signed_in(
            format!("{} {}", profile.first_name, profile.last_name),
            &principal,
            csrf,
            "/staff",
        ),
        profile,
    };
    Ok((jar, render(&view)?).into_response())
}
