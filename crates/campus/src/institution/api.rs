//! The public college endpoints of the JSON API.

use axum::Json;
use axum::extract::State;

use crate::app::AppState;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::institution::model::{CollegeProfile, CollegeSummary};
use crate::institution::queries;
use crate::web::errors::ProblemDocument;
use crate::web::extract::ApiPath;

/// The active colleges on this Campus, by name.
#[utoipa::path(get, path = "/api/v1/colleges", tag = "colleges",
    responses((status = 200, description = "The directory of colleges", body = [CollegeSummary])))]
pub async fn list_colleges(State(state): State<AppState>) -> AppResult<Json<Vec<CollegeSummary>>> {
    Ok(Json(queries::directory(&state.db).await?))
}

/// One college's public profile: contacts, campuses, departments and programs, upcoming
/// terms and headline figures.
#[utoipa::path(get, path = "/api/v1/colleges/{slug}", tag = "colleges",
    params(("slug" = String, Path, description = "The college's URL name, e.g. `riverside`")),
    responses(
        (status = 200, description = "The college's public profile", body = CollegeProfile),
        (status = 404, description = "No active college has this name", body = ProblemDocument,
            content_type = "application/problem+json")))]
pub async fn get_college(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> AppResult<Json<CollegeProfile>> {
    let summary = queries::find_by_slug(&state.db, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = begin_for_college(&state.db, summary.id).await?;
    let profile = queries::profile(&mut tx, summary).await?;
    tx.commit().await?;
    Ok(Json(profile))
}
