//! Registration windows in the API besides their creation: the windows of a term (or of
//! the terms not over), and closing one early, as the registrar's page does.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::access::principal::Principal;
use crate::app::AppState;
use crate::audit::{self, AuditContext, Entry};
use crate::db::begin_for_college;
use crate::error::{AppError, AppResult};
use crate::web::errors::ProblemDocument;
use crate::web::extract::{ApiPath, ApiQuery};

/// A registration window as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = RegistrationWindow)]
pub struct Window {
    pub id: Uuid,
    pub term_id: Uuid,
    pub term: String,
    /// For one program's students only (its code), or everyone.
    pub program: Option<String>,
    pub year_of_study: Option<i16>,
    #[serde(with = "time::serde::rfc3339")]
    pub opens_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub closes_at: OffsetDateTime,
    pub max_credits: f64,
    /// `upcoming`, `open` or `closed`.
    pub state: String,
}

/// Which windows.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct WindowQuery {
    /// One term's (default: every term not over).
    #[param(value_type = Option<String>, pattern = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$")]
    pub term: Option<Uuid>,
}

async fn windows(
    conn: &mut PgConnection,
    term: Option<Uuid>,
    id: Option<Uuid>,
) -> Result<Vec<Window>, sqlx::Error> {
    sqlx::query_as!(
        Window,
        r#"SELECT w.id, w.term_id, t.name AS term, p.code AS "program?", w.year_of_study, w.opens_at, w.closes_at,
                  w.max_credits::float8 AS "max_credits!",
                  CASE WHEN now() < w.opens_at THEN 'upcoming' WHEN now() < w.closes_at THEN 'open' ELSE 'closed' END AS "state!"
           FROM registration_windows w JOIN terms t ON t.college_id = w.college_id AND t.id = w.term_id
           LEFT JOIN programs p ON p.college_id = w.college_id AND p.id = w.program_id
           WHERE ($1::uuid IS NOT NULL OR $2::uuid IS NOT NULL OR t.ends_on >= current_date)
             AND ($1::uuid IS NULL OR w.term_id = $1) AND ($2::uuid IS NULL OR w.id = $2)
           ORDER BY t.starts_on, w.opens_at, p.code NULLS FIRST"#,
        term,
        id
    )
    .fetch_all(conn)
    .await
}

/// Closes an open or upcoming window now, audited; a closed one is a conflict.
pub async fn close_window(
    conn: &mut PgConnection,
    context: &AuditContext,
    window: Uuid,
) -> Result<(), AppError> {
    let closed = sqlx::query!(
        "UPDATE registration_windows SET closes_at = now(), opens_at = least(opens_at, now() - interval '1 second') \
         WHERE id = $1 AND closes_at > now() RETURNING id",
        window
    )
    .fetch_optional(&mut *conn)
    .await?;
    if closed.is_none() {
        let exists = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM registration_windows WHERE id = $1) AS "v!""#,
            window
        )
        .fetch_one(&mut *conn)
        .await?;
        return Err(if exists {
            AppError::Conflict("This window is closed already.".into())
        } else {
            AppError::NotFound
        });
    }
    audit::record(
        conn,
        context,
        Entry::new("registration.window_closed").object("registration_window", window),
    )
    .await?;
    Ok(())
}

/// Registration windows of a term, or of every term not over.
#[utoipa::path(get, path = "/api/v1/registration-windows", tag = "registration", params(WindowQuery), security(("bearer" = [])),
    responses((status = 200, description = "The windows", body = [Window])))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    ApiQuery(query): ApiQuery<WindowQuery>,
) -> AppResult<Json<Vec<Window>>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    let found = windows(&mut tx, query.term, None).await?;
    tx.commit().await?;
    Ok(Json(found))
}

/// Closes a window now (an upcoming one never opens).
#[utoipa::path(post, path = "/api/v1/registration-windows/{id}/close", tag = "registration", security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The window's id")),
    responses((status = 200, description = "Closed", body = Window),
        (status = 404, description = "No such window", body = ProblemDocument, content_type = "application/problem+json"),
        (status = 409, description = "Closed already", body = ProblemDocument, content_type = "application/problem+json")))]
pub async fn close(
    State(state): State<AppState>,
    principal: Principal,
    context: AuditContext,
    ApiPath(window): ApiPath<Uuid>,
) -> AppResult<Json<Window>> {
    let mut tx = begin_for_college(&state.db, principal.college).await?;
    close_window(&mut tx, &context, window).await?;
    let found = windows(&mut tx, None, Some(window))
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(Json(found))
}
