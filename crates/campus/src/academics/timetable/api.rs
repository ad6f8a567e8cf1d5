//! The timetable endpoints of the JSON API: a section's weekly meetings, the caller's
//! week and a room's.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::academics::timetable::clashes::{self, Clash, FreeRoom, Proposal, ReportLine};
use crate::academics::timetable::model::{NewMeetingInput, Slot};
use crate::academics::timetable::queries;
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};

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

/// Takes a weekly meeting off a section's timetable (its teachers' bookings go with it).
#[utoipa::path(delete, path = "/api/v1/sections/{id}/meetings/{meeting}", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The section's id"), ("meeting" = Uuid, Path, description = "The meeting's id")),
    responses((status = 204, description = "Removed"),
        (status = 404, description = "No such meeting of the section", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn remove_meeting(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath((section, meeting)): ApiPath<(Uuid, Uuid)>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    queries::remove_meeting(&mut tx, &context, section, meeting).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A meeting to try before placing it: its section, day and time (a bell period or a
/// start and an end), and optionally a room and the kind of room wanted.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = TimetableCheckInput)]
pub struct CheckInput {
    pub section_id: Uuid,
    /// 1 = Monday ... 7 = Sunday.
    #[schema(minimum = 1, maximum = 7)]
    pub weekday: i16,
    /// e.g. `09:00`; may be left out when a bell period is named.
    #[serde(default)]
    pub starts: String,
    /// e.g. `10:30`.
    #[serde(default)]
    pub ends: String,
    /// A period of the bell schedule, by name.
    #[serde(default)]
    pub period: Option<String>,
    /// The room to try; free rooms are listed either way.
    #[serde(default)]
    pub room_id: Option<Uuid>,
    /// Free rooms only of this kind (`classroom`, `lecture_hall`, `lab`, ...).
    #[serde(default)]
    pub room_kind: Option<String>,
}

/// What placing a meeting would clash with, and the rooms free then.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = TimetableCheck)]
pub struct CheckView {
    /// Blocking clashes first; an empty list means it can be placed.
    pub clashes: Vec<Clash>,
    /// Rooms free then that seat the section, smallest first.
    pub free_rooms: Vec<FreeRoom>,
}

/// Tries a meeting without saving it: every clash named, and the rooms free then.
#[utoipa::path(post, path = "/api/v1/timetable/check", tag = "catalog", request_body = CheckInput, security(("bearer" = [])),
    responses((status = 200, description = "The clashes and free rooms", body = CheckView),
        (status = 404, description = "No such section", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An unreadable day or time", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn check(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(input): ApiJson<CheckInput>,
) -> AppResult<Json<CheckView>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let known: Option<Uuid> =
        sqlx::query_scalar!("SELECT id FROM sections WHERE id = $1", input.section_id)
            .fetch_optional(&mut *tx)
            .await?;
    known.ok_or(AppError::NotFound)?;
    let meeting = NewMeetingInput {
        weekday: input.weekday,
        starts: input.starts.clone(),
        ends: input.ends.clone(),
        period: input.period.clone(),
        room_id: input.room_id,
        accept_overlaps: false,
    };
    let (start, end) = queries::meeting_times(&mut tx, &meeting).await?;
    let proposal = Proposal {
        section: input.section_id,
        weekday: input.weekday,
        start,
        end,
        room: input.room_id,
        moving: None,
    };
    let clashes = clashes::check(&mut tx, &proposal).await?;
    let kind = input
        .room_kind
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    let free_rooms = clashes::free_rooms(&mut tx, &proposal, kind, 50).await?;
    tx.commit().await?;
    Ok(Json(CheckView {
        clashes,
        free_rooms,
    }))
}

/// Which term's clash report.
#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClashQuery {
    /// The term's id.
    pub term: Uuid,
}

/// Everything wrong with a term's timetable: students due in two places at once,
/// program years with two courses at once, rooms smaller than their sections, sections
/// without a meeting or a teacher.
#[utoipa::path(get, path = "/api/v1/timetable/clashes", tag = "catalog", security(("bearer" = [])),
    params(ClashQuery),
    responses((status = 200, description = "The term's clashes", body = [ReportLine]),
        (status = 404, description = "No such term", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn clash_report(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ClashQuery>,
) -> AppResult<Json<Vec<ReportLine>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let known: Option<Uuid> = sqlx::query_scalar!("SELECT id FROM terms WHERE id = $1", query.term)
        .fetch_optional(&mut *tx)
        .await?;
    known.ok_or(AppError::NotFound)?;
    let lines = clashes::report(&mut tx, query.term).await?;
    tx.commit().await?;
    Ok(Json(lines))
}
