//! A program's curriculum: the courses each year of it takes. The timetable builder
//! draws a program year's week from it, and two of its courses placed at once are named
//! as an overlap. Edited on the builder's page and through the API.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use axum_extra::extract::{CookieJar, Form};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::academics::timetable::builder::{self, BuilderQuery};
use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult, FieldError};
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiJson, ApiPath};
use crate::web::form::Done;

/// A course a program year takes.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = CurriculumCourse)]
pub struct CurriculumCourse {
    pub id: Uuid,
    pub code: String,
    pub title: String,
}

/// The courses of a program year, replacing those it had.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[schema(as = CurriculumInput)]
pub struct CurriculumInput {
    /// Course codes, e.g. `["CS201", "MA201"]`.
    pub courses: Vec<String>,
}

/// The courses of a program year, by code: (id, code, title).
pub async fn courses(
    conn: &mut PgConnection,
    program: Uuid,
    year: i16,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        "SELECT c.id, c.code, c.title FROM program_courses pc \
         JOIN courses c ON c.college_id = pc.college_id AND c.id = pc.course_id \
         WHERE pc.program_id = $1 AND pc.year_of_study = $2 ORDER BY c.code",
        program,
        year
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.code, r.title))
    .collect())
}

/// The program's code, locked, after checking `year` is one of its years.
async fn program_year(
    conn: &mut PgConnection,
    program: Uuid,
    year: i16,
) -> Result<String, AppError> {
    let found = sqlx::query!(
        "SELECT code, duration_years FROM programs WHERE id = $1 FOR UPDATE",
        program
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    if !(1..=found.duration_years).contains(&year) {
        return Err(AppError::Validation(vec![FieldError::new(
            "year",
            format!(
                "{} runs {} year{}: choose 1 to {}",
                found.code,
                found.duration_years,
                if found.duration_years == 1 { "" } else { "s" },
                found.duration_years
            ),
        )]));
    }
    Ok(found.code)
}

/// Sets the courses of a program year: every code must be a course of the college that
/// is not retired (unless the year already takes it); nothing changes when one is not.
pub async fn replace(
    conn: &mut PgConnection,
    context: &AuditContext,
    program: Uuid,
    year: i16,
    codes: &[String],
) -> Result<Vec<CurriculumCourse>, AppError> {
    let code = program_year(conn, program, year).await?;
    let before = courses(conn, program, year).await?;
    let wanted: Vec<String> = codes
        .iter()
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    let found = sqlx::query!(
        r#"SELECT id, code, retired_at IS NOT NULL AS "retired!" FROM courses WHERE code = ANY($1)"#,
        &wanted
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut errors = Vec::new();
    for w in &wanted {
        match found.iter().find(|f| &f.code == w) {
            None => errors.push(FieldError::new(
                "courses",
                format!("`{w}` is not a course of this college"),
            )),
            Some(f) if f.retired && !before.iter().any(|(id, _, _)| *id == f.id) => errors.push(
                FieldError::new("courses", format!("{w} is retired: it is offered no more")),
            ),
            Some(_) => {}
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let ids: Vec<Uuid> = found.iter().map(|f| f.id).collect();
    sqlx::query!(
        "DELETE FROM program_courses WHERE program_id = $1 AND year_of_study = $2 AND NOT (course_id = ANY($3))",
        program,
        year,
        &ids
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "INSERT INTO program_courses (college_id, program_id, year_of_study, course_id) \
         SELECT app_current_college(), $1, $2, unnest($3::uuid[]) ON CONFLICT DO NOTHING",
        program,
        year,
        &ids
    )
    .execute(&mut *conn)
    .await?;
    let after = courses(conn, program, year).await?;
    let codes_of = |list: &[(Uuid, String, String)]| {
        list.iter().map(|(_, c, _)| c.clone()).collect::<Vec<_>>()
    };
    if codes_of(&before) != codes_of(&after) {
        audit::record(
            conn,
            context,
            Entry::new("catalog.curriculum_changed")
                .object("program", program)
                .before(serde_json::json!({ "program": code, "year": year, "courses": codes_of(&before) }))
                .after(serde_json::json!({ "program": code, "year": year, "courses": codes_of(&after) })),
        )
        .await?;
    }
    Ok(after
        .into_iter()
        .map(|(id, code, title)| CurriculumCourse { id, code, title })
        .collect())
}

/// The builder's curriculum forms: the view they came from and a course.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CurriculumForm {
    pub term: String,
    pub program: String,
    pub year: String,
    /// A course code to add.
    pub course: String,
    /// A course id to take off.
    pub course_id: String,
}

impl CurriculumForm {
    fn query(&self) -> BuilderQuery {
        BuilderQuery {
            term: self.term.clone(),
            program: self.program.clone(),
            year: self.year.clone(),
            ..Default::default()
        }
    }

    fn program_year(&self) -> Result<(Uuid, i16), AppError> {
        let program = Uuid::parse_str(self.program.trim()).map_err(|_| AppError::NotFound)?;
        let year = self.year.trim().parse::<i16>().map_err(|_| {
            AppError::Validation(vec![FieldError::new(
                "year",
                "choose a year of the program",
            )])
        })?;
        Ok((program, year))
    }
}

async fn change(
    state: &AppState,
    principal: &Principal,
    context: &AuditContext,
    jar: CookieJar,
    form: &CurriculumForm,
    adding: bool,
) -> AppResult<Response> {
    let (program, year) = form.program_year()?;
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let mut codes: Vec<String> = courses(&mut tx, program, year)
        .await?
        .into_iter()
        .filter(|(id, _, _)| adding || id.to_string() != form.course_id.trim())
        .map(|(_, code, _)| code)
        .collect();
    let added = form.course.trim().to_uppercase();
    if adding {
        if added.is_empty() {
            drop(tx);
            let errors = vec![FieldError::new(
                "course",
                "type a course code, such as CS201",
            )];
            return builder::render_builder(
                state,
                principal,
                jar,
                form.query(),
                String::new(),
                errors,
            )
            .await;
        }
        codes.push(added.clone());
    }
    match replace(&mut tx, context, program, year, &codes).await {
        Ok(_) => {
            tx.commit().await?;
            let message = if adding {
                format!("{added} added to the year's courses")
            } else {
                "A course taken off the year's courses".to_string()
            };
            Ok(Done::to(form.query().href())
                .message(message)
                .respond(state))
        }
        Err(AppError::Validation(errors)) => {
            drop(tx);
            let errors = errors
                .into_iter()
                .map(|e| FieldError::new("course", e.message))
                .collect();
            builder::render_builder(state, principal, jar, form.query(), String::new(), errors)
                .await
        }
        Err(other) => Err(other),
    }
}

pub async fn add_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<CurriculumForm>,
) -> AppResult<Response> {
    change(&state, &principal, &context, jar, &form, true).await
}

pub async fn remove_page(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    jar: CookieJar,
    Form(form): Form<CurriculumForm>,
) -> AppResult<Response> {
    change(&state, &principal, &context, jar, &form, false).await
}

/// The courses a year of a program takes.
#[utoipa::path(get, path = "/api/v1/programs/{id}/years/{year}/courses", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The program's id"), ("year" = i16, Path, description = "The year of study, from 1")),
    responses((status = 200, description = "The year's courses", body = [CurriculumCourse]),
        (status = 404, description = "No such program", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "Not a year of the program", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn get_api(
    State(state): State<AppState>,
    principal: Principal,
    ApiPath((program, year)): ApiPath<(Uuid, i16)>,
) -> AppResult<Json<Vec<CurriculumCourse>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    program_year(&mut tx, program, year).await?;
    let list = courses(&mut tx, program, year).await?;
    tx.commit().await?;
    Ok(Json(
        list.into_iter()
            .map(|(id, code, title)| CurriculumCourse { id, code, title })
            .collect(),
    ))
}

/// Sets the courses a year of a program takes (replacing the list).
#[utoipa::path(put, path = "/api/v1/programs/{id}/years/{year}/courses", tag = "catalog", request_body = CurriculumInput, security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The program's id"), ("year" = i16, Path, description = "The year of study, from 1")),
    responses((status = 200, description = "The year's courses now", body = [CurriculumCourse]),
        (status = 404, description = "No such program", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "An unknown or retired course, or not a year of the program", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn put_api(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath((program, year)): ApiPath<(Uuid, i16)>,
    ApiJson(input): ApiJson<CurriculumInput>,
) -> AppResult<Json<Vec<CurriculumCourse>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let list = replace(&mut tx, &context, program, year, &input.courses).await?;
    tx.commit().await?;
    Ok(Json(list))
}
