//! Downloads: a student's report card for a term and transcript (PDF, each issued with a
//! verification code), and a section's mark sheet (CSV or XLSX). The same handlers serve
//! the pages (session cookie) and the API (bearer token).

use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::academics::assessment::results;
use crate::access::principal::{Grant, Principal};
use crate::access::reach::authorize_section;
use crate::access::reach::authorize_student;
use crate::app::AppState;
use crate::audit::AuditContext;
use crate::db::begin_for_college;
use crate::documents::issue;
use crate::error::{AppError, AppResult, FieldError};
use crate::exports::{self, Cell};
use crate::web::attachment::attachment;
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiPath, ApiQuery};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermQuery {
    /// The term's id.
    pub term: Uuid,
}

/// Issues a student's report card for a term (published results only) as PDF.
#[utoipa::path(post, path = "/api/v1/students/{id}/report-card", tag = "documents", params(("id" = Uuid, Path, description = "The student's id"), TermQuery), security(("bearer" = [])),
    responses((status = 200, description = "The PDF, with a verification code", content_type = "application/pdf"),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 422, description = "No published results in that term", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn report_card(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<TermQuery>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let issued = issue::issue(
        &mut tx,
        &context,
        &state.config.base_url(),
        student,
        Some(query.term),
    )
    .await?;
    tx.commit().await?;
    Ok(attachment(issued.pdf, "application/pdf", &issued.file_name))
}

/// Issues a student's transcript (every term with published results) as PDF.
#[utoipa::path(post, path = "/api/v1/students/{id}/transcript", tag = "documents", params(("id" = Uuid, Path, description = "The student's id")), security(("bearer" = [])),
    responses((status = 200, description = "The PDF, with a verification code", content_type = "application/pdf"),
        (status = 403, description = "Not a student this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn transcript(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    ApiPath(student): ApiPath<Uuid>,
) -> AppResult<Response> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_student(&mut tx, &grant, student).await?;
    let issued = issue::issue(&mut tx, &context, &state.config.base_url(), student, None).await?;
    tx.commit().await?;
    Ok(attachment(issued.pdf, "application/pdf", &issued.file_name))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    /// `csv` (default) or `xlsx`.
    #[serde(default)]
    #[param(pattern = "^(csv|xlsx)$")]
    pub format: String,
}

#[derive(sqlx::FromRow)]
struct SheetMark {
    student_id: Uuid,
    assessment: Uuid,
    score: f64,
}

/// A section's mark sheet: each student's marks per assessment, percentage and grade.
#[utoipa::path(get, path = "/api/v1/sections/{id}/marksheet", tag = "documents", params(("id" = Uuid, Path, description = "The section's id"), SheetQuery), security(("bearer" = [])),
    responses((status = 200, description = "CSV or XLSX; cells that a spreadsheet would run as formulas are defused",
            content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 403, description = "Not a section this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn marksheet(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(section): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<SheetQuery>,
) -> AppResult<Response> {
    let xlsx = match query.format.as_str() {
        "" | "csv" => false,
        "xlsx" => true,
        _ => {
            return Err(AppError::Validation(vec![FieldError::new(
                "format",
                "must be csv or xlsx",
            )]));
        }
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    let name: String = sqlx::query_scalar!("SELECT c.code || '-' || s.code AS \"v!\" FROM sections s JOIN courses c ON c.college_id = s.college_id AND c.id = s.course_id WHERE s.id = $1", section)
    .fetch_one(&mut *tx)
    .await?;
    let assessments: Vec<(Uuid, String, f64, f64)> = sqlx::query!("SELECT id, name, max_marks::float8 AS \"max_marks!\", weight::float8 AS \"weight!\" FROM assessments WHERE section_id = $1 ORDER BY name", section)
    .fetch_all(&mut *tx)
    .await.map(|v| v.into_iter().map(|r| (r.id, r.name, r.max_marks, r.weight)).collect::<Vec<_>>())?;
    let marks: Vec<SheetMark> = sqlx::query_as!(SheetMark, "SELECT m.student_id, m.assessment_id AS assessment, m.score::float8 AS \"score!\" FROM marks m \
         JOIN assessments a ON a.college_id = m.college_id AND a.id = m.assessment_id WHERE a.section_id = $1", section)
    .fetch_all(&mut *tx)
    .await?;
    let graded = results::of_section(&mut tx, section).await?;
    tx.commit().await?;

    let mut header: Vec<String> = vec!["Student number".into(), "Name".into()];
    header.extend(
        assessments
            .iter()
            .map(|(_, n, max, w)| format!("{n} (out of {max}, {w}%)")),
    );
    header.extend(["Percent".into(), "Grade".into(), "Results".into()]);
    let rows: Vec<Vec<Cell>> = graded
        .results
        .iter()
        .map(|r| {
            let mut row = vec![
                Cell::Text(r.student_number.clone()),
                Cell::Text(r.name.clone()),
            ];
            row.extend(assessments.iter().map(|(a, ..)| {
                marks
                    .iter()
                    .find(|m| m.student_id == r.student_id && m.assessment == *a)
                    .map_or(Cell::Empty, |m| Cell::Number(m.score))
            }));
            row.extend([
                Cell::Number(r.percent),
                Cell::Text(r.letter.clone()),
                Cell::Text(graded.status.as_str().into()),
            ]);
            row
        })
        .collect();
    let file = name.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "-");
    if xlsx {
        let bytes = exports::xlsx("Marks", &header, &rows)?;
        Ok(attachment(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("marks-{file}.xlsx"),
        ))
    } else {
        let bytes = exports::csv(&header, &rows)?;
        Ok(attachment(
            bytes,
            "text/csv; charset=utf-8",
            &format!("marks-{file}.csv"),
        ))
    }
}

/// The page's "report card" form: the term to issue it for.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportCardForm {
    term: String,
}

/// The page form's version of [`report_card`]: a POST (issuing records a document) with
/// the term in the body.
pub async fn report_card_form(
    state: State<AppState>,
    principal: Principal,
    grant: Grant,
    context: AuditContext,
    student: ApiPath<Uuid>,
    axum::Form(form): axum::Form<ReportCardForm>,
) -> AppResult<Response> {
    let term = Uuid::parse_str(form.term.trim())
        .map_err(|_| AppError::Validation(vec![FieldError::new("term", "choose a term")]))?;
    report_card(
        state,
        principal,
        grant,
        context,
        student,
        ApiQuery(TermQuery { term }),
    )
    .await
}
