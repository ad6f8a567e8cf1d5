//! Staff records in the JSON API: search and profiles.

use axum::Json;
use axum::extract::State;
use uuid::Uuid;

use crate::access::principal::{Grant, Principal};
use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::AppResult;
use crate::staff::model::{Profile, SearchPage, SearchQuery};
use crate::staff::queries;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiPath, ApiQuery};

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
    let page = queries::search(&mut tx, &grant, &query).await?;
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
    let profile = queries::profile(&mut tx, &grant, id).await?;
    tx.commit().await?;
    Ok(Json(profile))
}
