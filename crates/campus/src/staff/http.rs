//! Staff records in pages and the JSON API.

use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::CookieJar;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::staff::records::{self, Profile, STATUSES, SearchPage, SearchQuery};
use crate::web::csrf;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiPath, ApiQuery};
use crate::web::layout::{Chrome, render};

/// Searches staff (names, numbers, emails; department and status; pages) within scope.
#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", params(SearchQuery), security(("bearer" = [])),
    responses((status = 200, description = "A page of staff", body = SearchPage),
        (status = 422, description = "A bad filter or page", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn search_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> AppResult<Json<SearchPage>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let page = records::search(&mut tx, &grant, &query).await?;
    tx.commit().await?;
    Ok(Json(page))
}

/// A staff member's profile: details, department, account roles, advisees, teaching.
#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff", params(("id" = Uuid, Path, description = "The staff member's id")), security(("bearer" = [])),
    responses((status = 200, description = "The profile", body = Profile),
        (status = 403, description = "Not someone this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn profile_api(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Profile>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let profile = records::profile(&mut tx, &grant, id).await?;
    tx.commit().await?;
    Ok(Json(profile))
}

#[derive(Template)]
#[template(path = "staff/search.html")]
struct SearchView {
    chrome: Chrome,
    query: SearchQuery,
    page: SearchPage,
    departments: Vec<(String, String)>,
    statuses: [&'static str; 3],
    next: Option<String>,
    errors: Vec<FieldError>,
}

pub async fn search_page(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    jar: CookieJar,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let (page, errors) = match records::search(&mut tx, &grant, &query).await {
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
    let departments: Vec<(String, String)> = sqlx::query!(
        "SELECT code, code || ' ' || name AS \"label!\" FROM departments ORDER BY code"
    )
    .fetch_all(&mut *tx)
    .await
    .map(|v| v.into_iter().map(|r| (r.code, r.label)).collect::<Vec<_>>())?;
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
        errors,
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
    let profile = records::profile(&mut tx, &grant, id).await?;
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
