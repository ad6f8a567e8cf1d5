//! The timetable endpoints of the JSON API: a section's weekly meetings, the caller's
//! week and a room's.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::academics::timetable::model::{NewMeetingInput, Slot};
use crate::academics::timetable::queries;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};

/// Adds a weekly meeting (day, time, room) to a section; a room or teacher booked twice
/// at once is refused with the clash named.
#[utoipa::path(post, path = "/api/v1/sections/{id}/meetings", tag = "catalog", request_body = NewMeetingInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id")),
    responses((status = 201, description = "Added", body = Created),
        (status = 422, description = "Invalid time, or a clash (named)", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn add_meeting(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(section): ApiPath<Uuid>,
    ApiJson(input): ApiJson<NewMeetingInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = queries::add_meeting(&mut tx, &context, section, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// The caller's week: as a student, the sections they are enrolled in; as a teacher, the
/// sections they teach.
#[utoipa::path(get, path = "/api/v1/me/timetable", tag = "registration", security(("bearer" = [])),
    responses((status = 200, description = "Weekly meetings", body = [Slot])))]
pub async fn my_timetable(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<Slot>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let slots = queries::week_of(&mut tx, principal.user_id).await?;
    tx.commit().await?;
    Ok(Json(slots))
}

/// A room's week: meetings of current terms held in it.
#[utoipa::path(get, path = "/api/v1/rooms/{id}/timetable", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The room's id")),
    responses((status = 200, description = "Weekly slots", body = [Slot])))]
pub async fn room_timetable(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(room): ApiPath<Uuid>,
) -> AppResult<Json<Vec<Slot>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let exists = queries::room_exists(&mut tx, room).await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    let slots = queries::of_room(&mut tx, room).await?;
    tx.commit().await?;
    Ok(Json(slots))
}
