//! The exam endpoints of the JSON API: sittings scheduled, changed and cancelled with
//! every clash named, the exam timetable by program, student, room and invigilator,
//! seating plans, the term's clash report, and a student's own papers and hall ticket.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::academics::catalog::api::Created;
use crate::academics::exams::model::{ClashLine, Seat, Sitting, SittingInput};
use crate::academics::exams::{seating, sittings, tickets, timetable};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::web::attachment::attachment;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath, ApiQuery};
use crate::web::time::local_date;

/// Whose exam timetable, in which term.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct TimetableQuery {
    /// The term (default: the current one).
    #[param(value_type = Option<String>, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    pub term: Option<Uuid>,
    /// Papers the program's students sit.
    #[param(value_type = Option<String>, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    pub program: Option<Uuid>,
    /// Papers this student sits.
    #[param(value_type = Option<String>, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    pub student: Option<Uuid>,
    /// Papers held in this room.
    #[param(value_type = Option<String>, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    pub room: Option<Uuid>,
    /// Papers this staff member invigilates.
    #[param(value_type = Option<String>, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    pub invigilator: Option<Uuid>,
}

impl TimetableQuery {
    pub fn filter(&self) -> timetable::Filter {
        timetable::Filter {
            program: self.program,
            student: self.student,
            room: self.room,
            invigilator: self.invigilator,
        }
    }
}

/// The exam timetable of a term, narrowed to a program, a student, a room or an
/// invigilator.
#[utoipa::path(get, path = "/api/v1/exam-sittings", tag = "exams", params(TimetableQuery), security(("bearer" = [])),
    responses((status = 200, description = "The sittings, earliest first", body = [Sitting])))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<TimetableQuery>,
) -> AppResult<Json<Vec<Sitting>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let term = match query.term {
        Some(term) => Some(term),
        None => timetable::current_term(&mut tx).await?,
    };
    let found = match term {
        Some(term) => timetable::sittings(&mut tx, term, &query.filter()).await?,
        None => Vec::new(),
    };
    tx.commit().await?;
    Ok(Json(found))
}

/// Schedules a sitting of an exam or practical; every clash is refused, named.
#[utoipa::path(post, path = "/api/v1/exam-sittings", tag = "exams", request_body = SittingInput, security(("bearer" = [])),
    responses((status = 201, description = "Scheduled", body = Created),
        (status = 422, description = "A field is wrong or something clashes (named)", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiJson(input): ApiJson<SittingInput>,
) -> AppResult<(StatusCode, Json<Created>)> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let id = sittings::save(&mut tx, &context, &principal.timezone, None, &input).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A sitting with its rooms, seats allotted and invigilators.
#[utoipa::path(get, path = "/api/v1/exam-sittings/{id}", tag = "exams", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The sitting's id")),
    responses((status = 200, description = "The sitting", body = Sitting),
        (status = 404, description = "No such sitting", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Sitting>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = sittings::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(found))
}

/// The fields of a sitting to change; the others stay as they are.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = ExamSittingPatch)]
#[serde(default)]
pub struct Patch {
    #[schema(pattern = "^\\d{4}-\\d{2}-\\d{2}$")]
    pub date: Option<String>,
    #[schema(pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub starts: Option<String>,
    #[schema(minimum = 15, maximum = 480)]
    pub duration_minutes: Option<i32>,
    pub rooms: Option<Vec<Uuid>>,
    pub invigilators: Option<Vec<Uuid>>,
}

/// A sitting as its form shows it (the day and time in the college's zone).
pub fn input_of(sitting: &Sitting, zone: &str) -> SittingInput {
    let (date, minute) = crate::web::time::local_parts(sitting.starts_at, zone);
    SittingInput {
        assessment_id: sitting.assessment_id,
        date: date.to_string(),
        starts: crate::web::clock::show_time(minute),
        duration_minutes: i32::try_from((sitting.ends_at - sitting.starts_at).whole_minutes())
            .unwrap_or(0),
        rooms: sitting.rooms.iter().map(|r| r.room_id).collect(),
        invigilators: sitting.invigilators.iter().map(|i| i.staff_id).collect(),
    }
}

/// Changes a sitting: checked again as a whole; its seating plan is made again after.
#[utoipa::path(patch, path = "/api/v1/exam-sittings/{id}", tag = "exams", request_body = Patch, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The sitting's id")),
    responses((status = 200, description = "Saved", body = Sitting),
        (status = 404, description = "No such sitting", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "A field is wrong or something clashes (named)", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn patch(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(patch): ApiJson<Patch>,
) -> AppResult<Json<Sitting>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = sittings::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut input = input_of(&found, &principal.timezone);
    if let Some(v) = patch.date {
        input.date = v;
    }
    if let Some(v) = patch.starts {
        input.starts = v;
    }
    if let Some(v) = patch.duration_minutes {
        input.duration_minutes = v;
    }
    if let Some(v) = patch.rooms {
        input.rooms = v;
    }
    if let Some(v) = patch.invigilators {
        input.invigilators = v;
    }
    sittings::save(&mut tx, &context, &principal.timezone, Some(id), &input).await?;
    let saved = sittings::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(saved))
}

/// Cancels a sitting; its rooms, invigilators and seats go with it.
#[utoipa::path(delete, path = "/api/v1/exam-sittings/{id}", tag = "exams", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The sitting's id")),
    responses((status = 204, description = "Cancelled"),
        (status = 404, description = "No such sitting", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<StatusCode> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    sittings::delete(&mut tx, &context, id).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many students were seated.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = ExamSeating)]
pub struct Seated {
    /// The day seated, in the college's zone.
    pub day: String,
    pub students: usize,
}

/// Makes the seating plans of every sitting on the sitting's day (papers sharing a room
/// alternate seat by seat); refused when a sitting has more students than its seats.
#[utoipa::path(post, path = "/api/v1/exam-sittings/{id}/seating", tag = "exams", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The sitting's id")),
    responses((status = 200, description = "Seated", body = Seated),
        (status = 404, description = "No such sitting", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "More students than seats (named)", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn seat(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Seated>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = sittings::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let students = seating::seat_day(&mut tx, &context, &principal.timezone, id).await?;
    tx.commit().await?;
    Ok(Json(Seated {
        day: local_date(found.starts_at, &principal.timezone).to_string(),
        students,
    }))
}

/// A sitting's seating plan, room by room, seat by seat.
#[utoipa::path(get, path = "/api/v1/exam-sittings/{id}/seating", tag = "exams", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The sitting's id")),
    responses((status = 200, description = "The seats", body = [Seat]),
        (status = 404, description = "No such sitting", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn seating_plan(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath(id): ApiPath<Uuid>,
) -> AppResult<Json<Vec<Seat>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    sittings::find(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let seats = seating::plan(&mut tx, id).await?;
    tx.commit().await?;
    Ok(Json(seats))
}

/// Which term's clash report.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClashQuery {
    /// The term's id.
    pub term: Uuid,
}

/// What is wrong with a term's exam timetable: students due at two papers at once,
/// rooms given more than they seat, papers whose students are not all seated.
#[utoipa::path(get, path = "/api/v1/exams/clashes", tag = "exams", params(ClashQuery), security(("bearer" = [])),
    responses((status = 200, description = "The term's exam clashes", body = [ClashLine]),
        (status = 404, description = "No such term", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn clashes(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<ClashQuery>,
) -> AppResult<Json<Vec<ClashLine>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let known: Option<Uuid> = sqlx::query_scalar!("SELECT id FROM terms WHERE id = $1", query.term)
        .fetch_optional(&mut *tx)
        .await?;
    known.ok_or(AppError::NotFound)?;
    let lines = sittings::report(&mut tx, query.term, &principal.timezone).await?;
    tx.commit().await?;
    Ok(Json(lines))
}

/// The caller's papers: as a student, those of the sections they are enrolled in.
#[utoipa::path(get, path = "/api/v1/me/exams", tag = "exams", security(("bearer" = [])),
    responses((status = 200, description = "Their papers, earliest first, with their seats", body = [timetable::MyPaper])))]
pub async fn mine(
    State(state): State<AppState>,
    principal: Principal,
) -> AppResult<Json<Vec<timetable::MyPaper>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = crate::academics::catalog::queries::own_student(&mut tx, &principal).await?;
    let papers = timetable::of_student(&mut tx, student).await?;
    tx.commit().await?;
    Ok(Json(papers))
}

/// The caller's hall ticket (PDF) for the term of their next paper.
#[utoipa::path(get, path = "/api/v1/me/hall-ticket", tag = "exams", security(("bearer" = [])),
    responses((status = 200, description = "The hall ticket", content_type = "application/pdf"),
        (status = 409, description = "No paper to sit", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn hall_ticket(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let student = crate::academics::catalog::queries::own_student(&mut tx, &principal).await?;
    let term = tickets::ticket_term(&mut tx, student)
        .await?
        .ok_or_else(|| {
            AppError::Conflict("You sit no paper yet: there is no hall ticket to issue.".into())
        })?;
    let issued = tickets::issue(
        &mut tx,
        &state.files,
        &context,
        &state.config.base_url(),
        &principal.timezone,
        student,
        term,
    )
    .await?;
    tx.commit().await?;
    Ok(attachment(issued.pdf, "application/pdf", &issued.file_name))
}
