//! What every register's changes share: checking the input, resolving its references,
//! translating a broken constraint into the field to blame, auditing before and after,
//! and refusing to delete what is in use or to retire what still holds active records.

use sqlx::PgConnection;
use uuid::Uuid;

use super::Register;
use super::view::usage_words;
use crate::audit::{self, AuditContext, Entry};
use crate::error::{AppError, FieldError};

/// The problems of an input: those found reading it first, then its own checks on the
/// fields not named already.
pub fn problems<R: Register>(input: &R::Input, mut found: Vec<FieldError>) -> Vec<FieldError> {
    for problem in R::check(input) {
        if !found.iter().any(|f| f.field == problem.field) {
            found.push(problem);
        }
    }
    found
}

fn snapshot<R: Register>(row: &R::Row) -> serde_json::Value {
    serde_json::to_value(R::input_of(row)).unwrap_or_default()
}

/// A write's database error as the field it blames, when a named constraint broke.
fn blamed<R: Register>(error: sqlx::Error) -> AppError {
    if let Some((field, message)) = error
        .as_database_error()
        .and_then(|d| d.constraint())
        .and_then(R::constraint)
    {
        return AppError::Validation(vec![FieldError::new(field, message)]);
    }
    error.into()
}

/// One record, or not found; with `lock`, locked until the transaction ends.
pub async fn get<R: Register>(
    conn: &mut PgConnection,
    id: Uuid,
    lock: bool,
) -> Result<R::Row, AppError> {
    R::find(conn, id, lock).await?.ok_or(AppError::NotFound)
}

/// Refuses (409) a deletion of a record something uses, naming what.
pub async fn refuse_if_used<R: Register>(
    conn: &mut PgConnection,
    row: &R::Row,
) -> Result<(), AppError> {
    let used = usage_words(&R::usage(conn, R::id(row)).await?);
    if used.is_empty() {
        return Ok(());
    }
    let way_out = if R::RETIRES {
        R::RETIRE_WORDS.instead
    } else {
        ""
    };
    Err(AppError::Conflict(
        format!(
            "{} is used by {used}, so it cannot be deleted. {way_out}",
            R::label(row)
        )
        .trim_end()
        .to_string(),
    ))
}

/// Creates (`id` none) or changes a record and audits it; returns it as saved.
pub async fn save<R: Register>(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Option<Uuid>,
    input: &R::Input,
    found: Vec<FieldError>,
) -> Result<R::Row, AppError> {
    let before = match id {
        Some(id) => Some(get::<R>(conn, id, true).await?),
        None => None,
    };
    let errors = problems::<R>(input, found);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let saved = R::write(conn, id, input)
        .await
        .map_err(blamed::<R>)?
        .map_err(AppError::Validation)?;
    let after = get::<R>(conn, saved, false).await?;
    let entry = match &before {
        Some(before) => Entry::new(R::ACTIONS.changed).before(snapshot::<R>(before)),
        None => Entry::new(R::ACTIONS.created),
    };
    audit::record(
        conn,
        context,
        entry.object(R::OBJECT, saved).after(snapshot::<R>(&after)),
    )
    .await?;
    Ok(after)
}

/// Deletes a record nothing uses; otherwise refuses, naming what uses it.
pub async fn delete<R: Register>(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
) -> Result<R::Row, AppError> {
    let row = get::<R>(conn, id, true).await?;
    refuse_if_used::<R>(conn, &row).await?;
    R::remove(conn, id).await.map_err(blamed::<R>)?;
    audit::record(
        conn,
        context,
        Entry::new(R::ACTIONS.deleted)
            .object(R::OBJECT, id)
            .before(snapshot::<R>(&row)),
    )
    .await?;
    Ok(row)
}

/// Retires a record (kept, offered no more) or brings it back. A record is retired only
/// when nothing active lies within it (a department's programs, a building's rooms).
pub async fn set_retired<R: Register>(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
    retired: bool,
) -> Result<R::Row, AppError> {
    let row = get::<R>(conn, id, true).await?;
    if !R::RETIRES {
        return Err(AppError::NotFound);
    }
    if retired {
        let within = usage_words(&R::active_within(conn, id).await?);
        if !within.is_empty() {
            return Err(AppError::Conflict(format!(
                "{} still has {within} in use: retire them first.",
                R::label(&row)
            )));
        }
    }
    if R::is_retired(&row) != retired {
        R::set_retired(conn, id, retired).await?;
        audit::record(
            conn,
            context,
            Entry::new(if retired {
                R::ACTIONS.retired
            } else {
                R::ACTIONS.restored
            })
            .object(R::OBJECT, id),
        )
        .await?;
    }
    get::<R>(conn, id, false).await
}

/// Makes a record the college's current one (its year, its term), auditing the change.
pub async fn make_current<R: Register>(
    conn: &mut PgConnection,
    context: &AuditContext,
    id: Uuid,
) -> Result<R::Row, AppError> {
    let row = get::<R>(conn, id, true).await?;
    let Some(current) = R::CURRENT else {
        return Err(AppError::NotFound);
    };
    if !R::is_current(&row) {
        R::make_current(conn, id).await?;
        audit::record(
            conn,
            context,
            Entry::new(current.action).object(R::OBJECT, id),
        )
        .await?;
    }
    get::<R>(conn, id, false).await
}
