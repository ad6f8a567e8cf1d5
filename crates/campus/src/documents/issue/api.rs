//! Issuing in the JSON API (and the pages, which call the same handlers): a student's
//! report card for a term and transcript (PDF, each issued with a verification code),
//! and a section's mark sheet (CSV or XLSX).

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
use crate::documents::issue::{queries, service};
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
    let issued = service::issue(
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
    let issued = service::issue(&mut tx, &context, &state.config.base_url(), student, None).await?;
    tx.commit().await?;
    Ok(attachment(issued.pdf, "application/pdf", &issued.file_name))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SheetQuery {
    /// `csv` (default), `xlsx` or `pdf`.
    #[serde(default)]
    #[param(pattern = "^(csv|xlsx|pdf)$")]
    pub format: String,
}

/// A section's mark sheet: each student's marks per assessment, percentage and grade.
#[utoipa::path(get, path = "/api/v1/sections/{id}/marksheet", tag = "documents", params(("id" = Uuid, Path, description = "The section's id"), SheetQuery), security(("bearer" = [])),
    responses((status = 200, description = "CSV, XLSX or PDF; cells that a spreadsheet would run as formulas are defused",
            content((String = "text/csv"), (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (String = "application/pdf"))),
        (status = 403, description = "Not a section this account may see", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn marksheet(
    State(state): State<AppState>,
    principal: Principal,
    grant: Grant,
    ApiPath(section): ApiPath<Uuid>,
    ApiQuery(query): ApiQuery<SheetQuery>,
) -> AppResult<Response> {
    let format = match query.format.as_str() {
        "" | "csv" => "csv",
        "xlsx" => "xlsx",
        "pdf" => "pdf",
        _ => {
            return Err(AppError::Validation(vec![FieldError::new(
                "format",
                "must be csv, xlsx or pdf",
            )]));
        }
    };
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    authorize_section(&mut tx, &grant, section).await?;
    let name = queries::sheet_name(&mut tx, section).await?;
    let assessments = queries::sheet_assessments(&mut tx, section).await?;
    let marks = queries::sheet_marks(&mut tx, section).await?;
    let graded = results::of_section(&mut tx, section).await?;
    let college: String = sqlx::query_scalar!("SELECT name FROM colleges")
        .fetch_one(&mut *tx)
        .await?;
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
    if format == "pdf" {
        let bytes = tokio::task::spawn_blocking(move || {
            crate::documents::sheet::pdf(
                &format!("Mark sheet: {name}"),
                &format!("Results {}", graded.status.as_str()),
                &college,
                &header,
                2,
                &rows,
            )
        })
        .await
        .map_err(|e| AppError::Internal(e.into()))??;
        Ok(attachment(
            bytes,
            "application/pdf",
            &format!("marks-{file}.pdf"),
        ))
    } else if format == "xlsx" {
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
